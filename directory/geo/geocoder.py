"""Geocoding behind one small interface, chosen by GEOCODER: `offline` (a gazetteer of
Swedish places shipped with the project) or `nominatim` (geopy, rate-limited, cached in
the database). Both answer `geocode(text)` with a Place or None, and `suggestions(text)`.
A geocoder that is down or slow never breaks a page or a save: Nominatim's failures
become GeocoderUnavailable, which callers turn into a notice.
"""

import difflib
import json
import logging
import re
import threading
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from sqlalchemy import delete, insert

from ..common.text import fold
from ..common.time import utcnow
from ..extensions import db
from .distance import estimate_km, km_per_degree
from .known import known_names, known_place
from .models import GeocodeCache
from .names import is_latin, place_key

log = logging.getLogger(__name__)
# Two numbers: what someone means as coordinates, in range or not.
NUMBER_PAIR = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*(?:[,;]\s*|\s+)([-+]?\d+(?:\.\d+)?)\s*$")
POSTCODE = re.compile(r"^\s*(?:SE-?\s*)?\d{3}\s?\d{2}\s*$", re.IGNORECASE)
PLACES = Path(__file__).with_name("places_se.json")
POSTCODES = Path(__file__).with_name("postcodes_se.json")
# Words people add to a district's name that the gazetteer leaves out.
FILLER = re.compile(r"\b(centrum|center|city|torg|kommun|stad|sverige|sweden)\b")


class GeocoderUnavailable(Exception):
    """The outside geocoding service failed, timed out or is busy."""


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float
    # Coordinates, not a name: what "use my position" sends.
    position: bool = False

    @property
    def label(self):
        """What a page calls the place: its name, or "your position" for coordinates."""
        return _("your position") if self.position else self.name


def parse_coordinates(text):
    """A Place for `lat,lon` text inside the valid ranges, else None."""
    match = NUMBER_PAIR.match(text or "")
    if not match:
        return None
    lat, lon = float(match.group(1)), float(match.group(2))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return Place(f"{lat:.5f}, {lon:.5f}", lat, lon, position=True)


@lru_cache(maxsize=1)
def _entries():
    """The gazetteer's [name, lat, lon, population, aliases], most populous first."""
    return json.loads(PLACES.read_text("utf-8"))


@lru_cache(maxsize=1)
def _gazetteer():
    """{folded name or alias: Place}, the most populous place winning a shared name;
    then each name and alias as a place key (names.place_key: no accents or marks), for
    what is not found as typed."""
    index = {}
    for name, lat, lon, _population, aliases in _entries():
        place = Place(name, lat, lon)
        for key in [name, *aliases]:
            index.setdefault(fold(key), place)
    for name, lat, lon, _population, aliases in _entries():
        for key in [name, *aliases]:
            index.setdefault(place_key(key), Place(name, lat, lon))
    return index


@lru_cache(maxsize=1)
def _other_script_names():
    """{place key of an alias not in Latin letters: the place's name}, for suggestions
    to someone who writes in Arabic, Cyrillic or Ethiopic script."""
    return {place_key(alias): name for name, _lat, _lon, _population, aliases in _entries()
            for alias in aliases if not is_latin(alias)}


def gazetteer_places(south, north, west, east):
    """[(name, lat, lon, population)] of the gazetteer's towns and districts in a box
    (population 0 when not known), most populous first."""
    return [(name, lat, lon, population) for name, lat, lon, population, _ in _entries()
            if south <= lat <= north and west <= lon <= east]


@lru_cache(maxsize=1)
def _postcodes():
    """{"42465": Place of its postal town}, for the towns the gazetteer knows."""
    index = _gazetteer()
    found = {}
    for name, codes in json.loads(POSTCODES.read_text("utf-8")).items():
        place = index[fold(name)]
        for code in codes:
            found[code] = place
    return found


def postcode_place(text):
    """The Place of a Swedish postcode's postal town ("424 65", "SE-42465"), named
    "424 65 Angered", or None."""
    if not POSTCODE.match(text or ""):
        return None
    code = re.sub(r"\D", "", text)
    town = _postcodes().get(code)
    if town is None:
        return None
    return Place(f"{code[:3]} {code[3:]} {town.name}", town.latitude, town.longitude)


@lru_cache(maxsize=1)
def _place_names():
    return sorted({p.name for p in _gazetteer().values()})


class OfflineGeocoder:
    """Swedish localities and districts from the shipped gazetteer, and postcodes (at
    their postal town)."""

    def geocode(self, text):
        if POSTCODE.match(text or ""):
            return postcode_place(text)
        index = _gazetteer()
        folded = fold(text or "").strip()
        # "Gårdsten", "Gårdsten, Göteborg", "Angered centrum": the first part that is known.
        for part in [folded, *folded.split(",")]:
            for candidate in (part.strip(), FILLER.sub("", part).strip()):
                for key in (candidate, place_key(candidate)):
                    if key in index:
                        return index[key]
        return None

    def suggestions(self, text, limit=3, more=()):
        """The names closest to `text` (difflib's ratio): the gazetteer's (by their
        other names too, for text not in Latin letters) and `more` names."""
        text = (text or "").strip()
        if not text or len(text) > 60:
            return []
        by_key = {}
        for name in [*_place_names(), *more]:
            by_key.setdefault(place_key(name), name)
        if not is_latin(text):
            for key, name in _other_script_names().items():
                by_key.setdefault(key, name)
        found = difflib.get_close_matches(place_key(text), list(by_key), n=limit,
                                          cutoff=0.6)
        return list(dict.fromkeys(by_key[f] for f in found))

    def address(self, street, postal_code, city):
        """(Place, exact): the gazetteer knows towns and districts, not streets, so an
        address with a street is at best placed in the middle of its town (by its name,
        else by its postcode)."""
        place = self.geocode(city) if city else None
        if place is None and postal_code:
            place = postcode_place(postal_code)
        return place, not street


# One client and rate limiter per process and server, shared by every request, so the
# limit of one request a second holds across threads.
_clients = {}
_clients_lock = threading.Lock()


def _nominatim_client(config):
    key = (config.get("GEOCODER_USER_AGENT"), config.get("NOMINATIM_DOMAIN"),
           config.get("NOMINATIM_SCHEME"), config.get("GEOCODER_TIMEOUT"))
    with _clients_lock:
        if key not in _clients:
            client = Nominatim(user_agent=key[0], domain=key[1], scheme=key[2],
                               timeout=key[3])
            limited = RateLimiter(client.geocode, min_delay_seconds=1, max_retries=0,
                                  swallow_exceptions=False)
            # At most one request waits for the next slot; others are told it is busy.
            _clients[key] = (limited, threading.BoundedSemaphore(2))
        return _clients[key]


class NominatimGeocoder:
    """OpenStreetMap's Nominatim through geopy: one request a second at most (per
    process), a timeout, results and misses kept in the database (misses for a week)."""

    MISS_KEPT = timedelta(days=7)

    def __init__(self, config):
        self.config = config

    def geocode(self, text):
        key = fold(text or "").strip()[:200]
        if not key:
            return None
        cached = db.session.scalar(db.select(GeocodeCache).filter_by(query=key))
        if cached is not None and (cached.latitude is not None
                                   or cached.created_at > utcnow() - self.MISS_KEPT):
            if cached.latitude is None:
                return None
            return Place(cached.name, cached.latitude, cached.longitude)
        limited, waiting = _nominatim_client(self.config)
        if not waiting.acquire(blocking=False):
            raise GeocoderUnavailable("busy")
        try:
            found = limited(text, country_codes=self.config.get("NOMINATIM_COUNTRY", "se"),
                            exactly_one=True)
        except Exception as error:  # noqa: BLE001 - any failure of the outside service
            log.warning("geocoder unavailable: %s", type(error).__name__)
            raise GeocoderUnavailable(type(error).__name__) from error
        finally:
            waiting.release()
        place = (Place(found.address[:300], float(found.latitude), float(found.longitude))
                 if found else None)
        _remember(key, place, replace=cached is not None)
        return place

    def suggestions(self, text, limit=3, more=()):
        return OfflineGeocoder().suggestions(text, limit, more)

    def address(self, street, postal_code, city):
        """(Place or None, exact): the whole address, else its postcode and town (the
        middle of the town: not exact when a street was given). At most two requests."""
        town = " ".join(p for p in (postal_code, city) if p)
        if street:
            place = self.geocode(", ".join(p for p in (street, town) if p))
            if place is not None:
                return place, True
        return (self.geocode(town) if town else None), not street


def _remember(key, place, replace):
    """Keep an answer in geocode_cache on a connection of its own, so the request's
    transaction is neither committed nor rolled back by it; a failure only logs."""
    table = GeocodeCache.__table__
    try:
        with db.engine.begin() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # Never wait long on a write lock this very request may hold.
                connection.exec_driver_sql("PRAGMA busy_timeout=500")
            try:
                if replace:
                    connection.execute(delete(table).where(table.c.query == key))
                connection.execute(insert(table).values(
                    query=key, name=place and place.name,
                    latitude=place and place.latitude,
                    longitude=place and place.longitude, created_at=utcnow()))
            finally:
                if sqlite:
                    connection.exec_driver_sql("PRAGMA busy_timeout=10000")
    except Exception as error:  # noqa: BLE001 - a cache that cannot be written is no error
        log.info("geocode cache not written: %s", type(error).__name__)


def geocoder():
    """The configured geocoder."""
    if current_app.config.get("GEOCODER") == "nominatim":
        return NominatimGeocoder(current_app.config)
    return OfflineGeocoder()


def locate(text):
    """(Place or None, suggestions) for a place name, postcode or `lat,lon`, a meeting
    place's name or a street of a saved address (known.py). Offline, the gazetteer is
    asked first (towns are what most people type); an outside geocoder only after the
    register's own places.

    Raises GeocoderUnavailable when the outside service fails.
    """
    text = (text or "").strip()
    if not text:
        return None, []
    if NUMBER_PAIR.match(text) and not POSTCODE.match(text):
        return parse_coordinates(text), []
    coder = geocoder()
    offline = isinstance(coder, OfflineGeocoder)
    place = coder.geocode(text) if offline else None
    if place is None and not POSTCODE.match(text):
        known = known_place(text)
        place = Place(*known) if known else None
    if place is None and not offline:
        place = coder.geocode(text)
    return place, ([] if place else coder.suggestions(text, more=known_names()))


DISTRICT_KM = 3.0  # a point further than this from every named place is in none


@lru_cache(maxsize=1)
def _place_grid():
    """The gazetteer's places in cells of a tenth of a degree, for nearest-place lookups."""
    grid = {}
    for name, lat, lon, _population, _aliases in _entries():
        grid.setdefault((int(lat * 10), int(lon * 10)), []).append((name, lat, lon))
    return grid


@lru_cache(maxsize=4096)
def nearest_place_name(latitude, longitude):
    """The name of the gazetteer's town or district nearest a point (within DISTRICT_KM),
    or None: how follow-up groups dates by district, offline."""
    if latitude is None or longitude is None:
        return None
    cell_lat, cell_lon = int(latitude * 10), int(longitude * 10)
    # Degrees further than DISTRICT_KM for certain (1 % to spare): skipped unmeasured.
    k_lat, k_lon = km_per_degree(latitude)
    reach_lat, reach_lon = DISTRICT_KM / (0.99 * k_lat), DISTRICT_KM / (0.99 * k_lon)
    best = None
    for d_lat in (-1, 0, 1):
        for d_lon in (-1, 0, 1):
            for name, lat, lon in _place_grid().get((cell_lat + d_lat, cell_lon + d_lon), ()):
                if abs(lat - latitude) > reach_lat or abs(lon - longitude) > reach_lon:
                    continue
                km = estimate_km((latitude, longitude), (lat, lon))
                if km <= DISTRICT_KM and (best is None or km < best[0]):
                    best = (km, name)
    return best[1] if best else None
