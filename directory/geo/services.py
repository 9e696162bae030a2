"""Near-me: which rows lie within a radius of a place, and how far each is."""

from dataclasses import dataclass
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, not_, select

from ..common.db import driver_rows, is_postgres
from ..common.i18n import list_join
from ..extensions import db
from .distance import bounding_box, distance_km, nearest_first, within_radius
from .geocoder import NUMBER_PAIR, POSTCODE, GeocoderUnavailable, locate


# The rings a list nearest first reads its rows in (within_rings), as shares of the
# radius, the last the whole.
RINGS = (1 / 8, 1 / 4, 1 / 2, 1)


@dataclass(frozen=True)
class NotFound:
    """The notice for a `near` that names no place: a list near it lists nothing (not
    every date), and offers the `suggestions` (names that come closest) as links.
    Reads as its `text`; `value` is what was asked."""

    text: object
    value: str
    suggestions: tuple = ()
    place_missing = True

    def __str__(self):
        return str(self.text)


def place_missing(notice):
    """Whether a notice of resolve_near says the place was not found (the list near it
    is empty), rather than that the search was not answering (`near` ignored)."""
    return isinstance(notice, NotFound)


def resolve_near(near):
    """(place, notice): the place `near` names, or None with a notice saying why (a
    NotFound, with the names that come closest, when no place has that name or
    postcode); (None, None) for no `near`. Never raises: a geocoder that fails finds
    nothing, and its notice says `near` is ignored."""
    if not near:
        return None, None
    try:
        place, suggestions = locate(near)
    except GeocoderUnavailable:
        return None, _l("The place search is not answering just now, so “%(value)s” "
                        "is ignored. Try again later, or give coordinates like "
                        "57.80,12.03.", value=near)
    if place is not None:
        return place, None
    return None, NotFound(_not_found_text(near, suggestions), near, tuple(suggestions))


def _not_found_text(near, suggestions):
    if NUMBER_PAIR.match(near) and not POSTCODE.match(near):
        return _l("“%(value)s” are not coordinates on Earth: the latitude "
                  "goes from -90 to 90 and the longitude from -180 to 180, "
                  "like 57.80,12.03.", value=near)
    if POSTCODE.match(near):
        return _l("We could not find the postcode “%(value)s”. Try the name "
                  "of the town or district instead.", value=near)
    if suggestions:
        return _l("We could not find the place “%(value)s”. Did you "
                  "mean: %(names)s?", value=near, names=list_join(suggestions))
    return _l("We could not find the place “%(value)s”. Try a town, "
              "a district or coordinates like 57.78,12.04.", value=near)


def within(model, place, radius_km, *conditions):
    """{id: km} of rows of `model` (latitude/longitude columns) within the radius: an
    indexed bounding box in SQL first, then the distance in Python (exact at the edge).
    """
    box = box_condition(model, place, radius_km)
    return within_radius((place.latitude, place.longitude),
                         _in_box(model, box, *conditions), radius_km)


def within_rings(model, place, radius_km, *conditions, shares=RINGS):
    """{id: km} of the rows of `model` (meeting the conditions) within the radius, ring
    by ring: the rows within shares[0] × radius_km, then those further out within
    shares[1] × radius_km, and so on (the last share 1), each read when asked for. Each
    ring's box leaves out the box before it; the rows seen in a box but further than
    its ring wait for theirs. A list nearest first stops reading when it has enough."""
    centre, waiting, inner = (place.latitude, place.longitude), {}, None
    for share in shares:
        reach = radius_km * share
        box = bounding_box(place.latitude, place.longitude, reach)
        waiting.update(within_radius(centre, _in_ring(model, box, inner, conditions),
                                     radius_km))
        ring = {key: km for key, km in waiting.items() if km <= reach}
        for key in ring:
            del waiting[key]
        inner = box
        yield ring


def _in_ring(model, box, inner, conditions):
    """(id, latitude, longitude) of the rows meeting the conditions in `box` but not in
    `inner` (None: none before it), boxes as geo.distance.bounding_box gives them.
    Without conditions the statement is built once per model, the boxes its values
    (near a place, building it cost more than running it)."""
    if conditions:
        where = [_box(model, *box), *conditions]
        if inner is not None:
            where.append(not_(_box(model, *inner)))
        return _in_box(model, *where)
    values = dict(zip(_BOX, box))
    if inner is not None:
        values.update(zip(_INNER, inner))
    statement = _ring_statement(model, inner is None)
    if is_postgres():  # built once: past SQLAlchemy's execution
        return driver_rows(statement, values)
    return _rows(statement, values)


_BOX = ("box_lat0", "box_lat1", "box_lon0", "box_lon1")
_INNER = ("inner_lat0", "inner_lat1", "inner_lon0", "inner_lon1")


@cache
def _ring_statement(model, first):
    """The rows of a ring's box (parameters _BOX), but for the first ring not in the
    box before it (_INNER)."""
    where = [_box(model, *map(bindparam, _BOX))]
    if not first:
        where.append(not_(_box(model, *map(bindparam, _INNER))))
    return select(model.id, model.latitude, model.longitude).where(*where)


def box_condition(model, place, radius_km):
    """SQL: the row (latitude/longitude columns) lies in the bounding box of the circle:
    what `within` reads first, for a statement that reads more with it."""
    return _box(model, *bounding_box(place.latitude, place.longitude, radius_km))


def _box(model, lat0, lat1, lon0, lon1):
    """SQL: the row's coordinates lie between these (values or parameters)."""
    return and_(model.latitude.between(lat0, lat1), model.longitude.between(lon0, lon1))


def _in_box(model, *conditions):
    """(id, latitude, longitude) of the rows meeting the conditions."""
    return _rows(select(model.id, model.latitude, model.longitude).where(*conditions))


def _rows(statement, values=None):
    """The rows of `statement` as the driver's own tuples: integers and floats need no
    conversion, and no Row object each (thousands of rows near a busy place)."""
    result = db.session.connection().execute(statement, values)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def exact_km(place, latitude, longitude):
    """The geodesic distance from `place`, or None without coordinates."""
    if latitude is None or longitude is None:
        return None
    return distance_km((place.latitude, place.longitude), (latitude, longitude))


def refine(place, model, ids):
    """{id: km}: exact geodesic distances from `place` to these rows (those with
    coordinates), for the rows about to be shown."""
    if place is None or not ids:
        return {}
    distances = {}
    for row_id, lat, lon in db.session.execute(
            select(model.id, model.latitude, model.longitude)
            .where(model.id.in_(list(ids)))):
        km = exact_km(place, lat, lon)
        if km is not None:
            distances[row_id] = km
    return distances


def rank(distances):
    """{id: position} nearest first, for ORDER BY."""
    return {key: i for i, key in enumerate(nearest_first(distances))}
