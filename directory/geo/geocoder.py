"""Geocoding behind one small interface, chosen by GEOCODER: `offline` (a gazetteer of
Swedish places shipped with the project) or `nominatim` (geopy, rate-limited, cached in
the database). A geocoder that is down or slow never breaks a page: it finds nothing.
"""

import difflib
import json
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import current_app

from ..common.text import fold

log = logging.getLogger(__name__)
COORDINATES = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*[,; ]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
PLACES = Path(__file__).with_name("places_se.json")


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float


def parse_coordinates(text):
    """A Place for `lat,lon` text inside the valid ranges, else None."""
    match = COORDINATES.match(text or "")
    if not match:
        return None
    lat, lon = float(match.group(1)), float(match.group(2))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return Place(f"{lat:.5f}, {lon:.5f}", lat, lon)


@lru_cache(maxsize=1)
def _gazetteer():
    """{folded name or alias: Place}, the most populous place winning a shared name."""
    index = {}
    for name, lat, lon, _population, aliases in json.loads(PLACES.read_text()):
        place = Place(name, lat, lon)
        for key in [name, *aliases]:
            index.setdefault(fold(key), place)
    return index


class OfflineGeocoder:
    """Swedish localities and districts from the shipped gazetteer."""

    def geocode(self, text):
        return _gazetteer().get(fold(text).strip())

    def suggestions(self, text, limit=3):
        names = {p.name for p in _gazetteer().values()}
        return difflib.get_close_matches(text.strip(), sorted(names), n=limit, cutoff=0.6)


class NominatimGeocoder:
    """OpenStreetMap's Nominatim through geopy: one request a second at most, a timeout,
    results (and misses) kept in the database."""

    def __init__(self, config):
        from geopy.extra.rate_limiter import RateLimiter
        from geopy.geocoders import Nominatim
        client = Nominatim(user_agent=config.get("GEOCODER_USER_AGENT",
                                                 "samverkan/1.0 (municipal service)"),
                           domain=config.get("NOMINATIM_DOMAIN", "nominatim.openstreetmap.org"),
                           scheme=config.get("NOMINATIM_SCHEME", "https"),
                           timeout=config.get("GEOCODER_TIMEOUT", 3))
        self._geocode = RateLimiter(client.geocode, min_delay_seconds=1, max_retries=0,
                                    swallow_exceptions=False)

    def geocode(self, text):
        from ..extensions import db
        from .models import GeocodeCache
        key = fold(text).strip()[:200]
        cached = db.session.scalar(db.select(GeocodeCache).filter_by(query=key))
        if cached is not None:
            if cached.latitude is None:
                return None
            return Place(cached.name, cached.latitude, cached.longitude)
        try:
            found = self._geocode(text, country_codes="se", exactly_one=True)
        except Exception as error:  # noqa: BLE001 - any failure of the outside service
            log.warning("geocoder unavailable: %s", type(error).__name__)
            return None
        place = Place(found.address, found.latitude, found.longitude) if found else None
        # The cache is not part of the request's work: it is kept at once, on its own.
        with db.session.no_autoflush:
            db.session.add(GeocodeCache(query=key, name=place and place.name,
                                        latitude=place and place.latitude,
                                        longitude=place and place.longitude))
        db.session.commit()
        return place

    def suggestions(self, text, limit=3):
        return OfflineGeocoder().suggestions(text, limit)


def geocoder():
    """The configured geocoder."""
    if current_app.config.get("GEOCODER") == "nominatim":
        return NominatimGeocoder(current_app.config)
    return OfflineGeocoder()


def locate(text):
    """(Place or None, suggestions) for a place name, postcode or `lat,lon`."""
    place = parse_coordinates(text)
    if place is not None:
        return place, []
    if COORDINATES.match(text or ""):
        return None, []
    coder = geocoder()
    place = coder.geocode(text)
    return place, ([] if place else coder.suggestions(text))
