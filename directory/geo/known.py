"""Places the register itself knows, offline: meeting places by their own name, and the
streets of the addresses saved for meeting places, organisations and activities.

`near=Mötesplats Kemistvägen` is that meeting place's spot; `near=Kemistvägen` the spot
of the addresses saved on that street (their middle, in the town with most of them);
`near=Kemistvägen 12` that very address when it is saved. Names compare as place names
do (names.place_key: no case, no accents). Only a street is matched, never an
organisation's name or anything else of it: where a street lies is no secret.

The tables are named here, not imported: geo lies below the domains that own them.
"""

import re
from dataclasses import dataclass

from sqlalchemy import column, select, table, true

from ..extensions import db
from .names import place_key

_VENUE = table("venue", column("name"), column("street_address"), column("city"),
               column("latitude"), column("longitude"), column("active"))
_ADDRESSED = [table(name, column("street_address"), column("city"), column("latitude"),
                    column("longitude")) for name in ("organisation", "activity")]
# A street's name ends where its house number begins ("Kemistvägen 12 B").
_HOUSE_NUMBER = re.compile(r"\s*\d.*$")
_NOT_STREETS = ("box", "c/o", "pl ", "postbox")
# What someone types: a street, perhaps its house number, perhaps a town after it.
_STREET_NUMBER_REST = re.compile(r"^(\D+?)\s*\d+\s*(?:[A-Za-z]\b)?(.*)$")
_POSTCODE = re.compile(r"\b\d{3}\s?\d{2}\b")


@dataclass(frozen=True)
class Address:
    venue: str       # the meeting place's name, or "" for another saved address
    street_address: str
    city: str
    latitude: float
    longitude: float


def street_of(street_address):
    """The street of a saved street address, without its house number ("" for a PO
    box or nothing like a street)."""
    first = (street_address or "").split(",")[0].strip()
    if place_key(first).startswith(_NOT_STREETS):
        return ""
    street = _HOUSE_NUMBER.sub("", first).strip()
    return street if len(street) >= 3 else ""


def _addresses():
    """Every saved address with coordinates: active meeting places (with their names)
    first, then organisations' and activities' own."""
    located = [_VENUE.c.latitude.is_not(None), _VENUE.c.longitude.is_not(None)]
    venues = select(_VENUE.c.name, _VENUE.c.street_address, _VENUE.c.city,
                    _VENUE.c.latitude, _VENUE.c.longitude).where(
        _VENUE.c.active == true(), *located)
    found = [Address(*row) for row in db.session.execute(venues)]
    for saved in _ADDRESSED:
        found += [Address("", *row) for row in db.session.execute(
            select(saved.c.street_address, saved.c.city, saved.c.latitude,
                   saved.c.longitude).distinct().where(
                saved.c.street_address.is_not(None), saved.c.latitude.is_not(None),
                saved.c.longitude.is_not(None)))]
    return found


def known_place(text):
    """(name, latitude, longitude) of the meeting place, saved address or street that
    `text` names, else None."""
    key = place_key(text)
    if len(key) < 3:
        return None
    addresses = _addresses()
    for address in addresses:
        if address.venue and place_key(address.venue) == key:
            return address.venue, address.latitude, address.longitude
    for address in addresses:
        if place_key(address.street_address) == key:
            return _named(address.street_address, address.city), address.latitude, \
                address.longitude
    street, town = _street_and_town(text)
    return _on_street(addresses, place_key(street), place_key(town))


def _street_and_town(text):
    """("Storgatan", "Angered") of "Storgatan 1 Angered" or "Storgatan, 424 65 Angered";
    the town is "" when none is named."""
    head, _comma, tail = text.partition(",")
    match = _STREET_NUMBER_REST.match(head.strip())
    street, rest = (match.group(1), match.group(2)) if match else (head, "")
    return street.strip(), _POSTCODE.sub("", rest.strip() or tail).strip()


def _on_street(addresses, key, town=""):
    """The middle of the saved addresses on the street `key` (in `town` when one is
    named, else in the town with most of them, then the first by name), named "Street,
    Town"."""
    towns = {}
    for address in addresses:
        street = street_of(address.street_address)
        if street and place_key(street) == key:
            towns.setdefault(place_key(address.city), []).append((street, address))
    if town:
        towns = {town: towns[town]} if town in towns else {}
    if not towns:
        return None
    _town, points = min(towns.items(), key=lambda item: (-len(item[1]), item[0]))
    street, first = points[0]
    spots = {(a.latitude, a.longitude) for _s, a in points}
    return (_named(street, first.city), sum(s[0] for s in spots) / len(spots),
            sum(s[1] for s in spots) / len(spots))


def _named(street, city):
    return ", ".join(part for part in (street, city) if part)


def known_names():
    """The names people may mean that the register knows: active meeting places' names
    and the streets of saved addresses (for suggestions)."""
    names = set()
    for address in _addresses():
        if address.venue:
            names.add(address.venue)
        street = street_of(address.street_address)
        if street:
            names.add(street)
    return sorted(names)
