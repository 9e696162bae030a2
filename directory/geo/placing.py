"""Putting a saved address on the map.

When an organisation, a meeting place or an activity's own address is saved, its
coordinates come from what the person typed or placed as a pin, else from the geocoder.
The geocoder never blocks a save: when it finds nothing, or only the town, or does not
answer, the address is saved all the same and the person is asked for a pin.
`locate_for_save` runs before the save's transaction writes anything, so a slow outside
service holds no lock.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from ..extensions import db
from .geocoder import GeocoderUnavailable, OfflineGeocoder, geocoder

ADDRESS_FIELDS = ("street_address", "postal_code", "city")
# Coordinates shown in a form and sent back count as unchanged within this (about 1 cm).
SAME_DEGREES = 1e-7


@dataclass(frozen=True)
class Located:
    """The coordinates to save and how they were found:
    `typed` (by the person, or their pin), `kept` (unchanged), `found` (the address),
    `town` (only its town: the middle of it), `not_found`, `unavailable` (the geocoder
    did not answer) or `none` (no address)."""

    latitude: float | None
    longitude: float | None
    how: str
    name: str = ""

    @property
    def needs_pin(self):
        return self.how in ("town", "not_found", "unavailable")

    def message(self):
        """What to tell the person after saving, or None."""
        if self.how == "town":
            return _l("The street address was not found on the map, so the place is shown "
                      "in the middle of %(place)s. Place a pin or type the coordinates for "
                      "the exact spot.", place=self.name)
        if self.how == "not_found":
            return _l("The address was not found on the map. Place a pin or type the "
                      "coordinates, so that people nearby can find the place.")
        if self.how == "unavailable":
            return _l("The map search is not answering just now, so the place is saved "
                      "without a spot on the map. Place a pin or type the coordinates, or "
                      "save again later.")
        return None


def _address(source):
    if isinstance(source, dict):
        return tuple((source.get(k) or "").strip() for k in ADDRESS_FIELDS)
    return tuple((getattr(source, k, None) or "").strip() for k in ADDRESS_FIELDS)


def _same(a, b):
    return (None not in a and None not in b
            and all(abs(x - y) <= SAME_DEGREES for x, y in zip(a, b)))


def locate_for_save(data, current=None):
    """Located for form data (street_address, postal_code, city, latitude, longitude)
    about to be saved onto `current` (None for something new). Never raises."""
    typed = (data.get("latitude"), data.get("longitude"))
    address = _address(data)
    old = (current.latitude, current.longitude) if current is not None else (None, None)
    moved = current is None or address != _address(current)
    if None not in typed:
        if not _same(typed, old):
            return Located(*typed, "typed")
        if not moved:
            return Located(*typed, "kept")
        # The coordinates shown are the old address's: find the new one.
    if not any(address):
        return Located(None, None, "none")
    try:
        place, exact = geocoder().address(*address)
    except GeocoderUnavailable:
        return Located(None, None, "unavailable")
    if place is None:
        return Located(None, None, "not_found")
    return Located(place.latitude, place.longitude, "found" if exact else "town", place.name)


def with_place(data, current=None):
    """(a copy of form data with the coordinates to save, Located)."""
    located = locate_for_save(data, current)
    return {**data, "latitude": located.latitude, "longitude": located.longitude}, located


def pin_start(form, *fallbacks):
    """Where a form's pin map opens: its coordinates, else the middle of its town or
    municipality or of the `fallbacks` (names, or objects with coordinates), from the
    gazetteer and never the outside service, else all of Sweden."""
    latitude, longitude = form.latitude.data, form.longitude.data
    if isinstance(latitude, float) and isinstance(longitude, float):
        return {"lat": latitude, "lon": longitude, "zoom": 16, "pin": True}
    candidates = [getattr(getattr(form, "city", None), "data", None)]
    municipality = getattr(form, "municipality", None)
    if municipality is not None and municipality.choices:
        candidates += [label for value, label in municipality.choices
                       if value == municipality.data]
    for candidate in [*candidates, *fallbacks]:
        if isinstance(candidate, str):
            candidate = OfflineGeocoder().geocode(candidate) if candidate.strip() else None
        if getattr(candidate, "latitude", None) is not None and getattr(
                candidate, "longitude", None) is not None:
            return {"lat": candidate.latitude, "lon": candidate.longitude, "zoom": 12,
                    "pin": False}
    return {"lat": 62.0, "lon": 15.0, "zoom": 4, "pin": False}


def place_missing(models, limit=None):
    """Coordinates for the saved addresses of `models` (with address and coordinate
    columns) that have none: their save found no place, or the geocoder was down.
    Returns {"found": n, "town": n, "not_found": n, "unavailable": bool}; each row is
    committed as it is placed, so a service that stops answering loses nothing."""
    counts = {"found": 0, "town": 0, "not_found": 0, "unavailable": False}
    done = 0
    for model in models:
        rows = db.session.scalars(select(model).where(
            model.latitude.is_(None),
            or_(*[getattr(model, name).is_not(None) for name in ADDRESS_FIELDS]))
            .order_by(model.id)).all()
        for row in rows:
            if limit is not None and done >= limit:
                return counts
            if not any(_address(row)):
                continue
            located = locate_for_save({name: getattr(row, name) for name in ADDRESS_FIELDS})
            if located.how == "unavailable":
                counts["unavailable"] = True
                return counts
            done += 1
            counts[located.how] += 1
            if located.latitude is not None:
                row.latitude, row.longitude = located.latitude, located.longitude
                db.session.commit()
    return counts
