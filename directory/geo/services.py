"""Near-me: which rows lie within a radius of a place, and how far each is."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from .distance import bounding_box, distance_km, great_circle_km

# Great-circle and geodesic distances differ by under 0.5 %; near the edge of the
# radius the geodesic one decides.
EDGE = 0.006
from .geocoder import locate


def resolve_near(filters):
    """The place `filters.near` names, or None with a notice that suggests names."""
    if not filters.near:
        return None
    place, suggestions = locate(filters.near)
    if place is None:
        if suggestions:
            filters.notices.append(_l("We could not find the place “%(value)s”. Did you "
                                      "mean: %(names)s?", value=filters.near,
                                      names=", ".join(suggestions)))
        else:
            filters.notices.append(_l("We could not find the place “%(value)s”. Try a town, "
                                      "a district or coordinates like 57.78,12.04.",
                                      value=filters.near))
    return place


def within(model, place, radius_km):
    """{id: km} of rows of `model` (latitude/longitude columns) within the radius: an
    indexed bounding box in SQL first, then the exact geodesic distance."""
    lat0, lat1, lon0, lon1 = bounding_box(place.latitude, place.longitude, radius_km)
    rows = db.session.execute(select(model.id, model.latitude, model.longitude).where(
        model.latitude.between(lat0, lat1), model.longitude.between(lon0, lon1))).all()
    origin = (place.latitude, place.longitude)
    found = {}
    for row_id, lat, lon in rows:
        km = great_circle_km(origin, (lat, lon))
        if abs(km - radius_km) <= radius_km * EDGE:
            km = distance_km(origin, (lat, lon))
        if km <= radius_km:
            found[row_id] = km
    return found


def refine(filters, model, ids):
    """Exact geodesic distances for the rows about to be shown."""
    if not filters.near_place or not ids:
        return
    origin = (filters.near_place.latitude, filters.near_place.longitude)
    for row_id, lat, lon in db.session.execute(select(model.id, model.latitude,
                                                      model.longitude)
                                               .where(model.id.in_(list(ids)))):
        filters.distances[row_id] = distance_km(origin, (lat, lon))


def rank(distances):
    """{id: position} nearest first, for ORDER BY."""
    return {row_id: i for i, (row_id, _) in enumerate(sorted(distances.items(),
                                                            key=lambda kv: kv[1]))}
