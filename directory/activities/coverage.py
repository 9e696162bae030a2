"""Where the offer is, and where it is thin: for coordinators.

The places where activities matching the filters meet in a window of dates (a meeting
place, or an activity's own address), and for every town and district of the gazetteer
in a municipality's area how many of those activities meet within walking distance,
thinnest first. The area comes from everything placed in the municipality (meeting
places, organisations, activities), never from what matches, so a district with nothing
matching is listed with 0 rather than left out.
"""

import math
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select

from ..common.db import in_ids
from ..common.i18n import TranslatableMixin
from ..common.time import local_today
from ..extensions import db
from ..geo.distance import bounding_box, within_radius
from ..geo.geocoder import gazetteer_places
from ..organisations.models import Organisation
from ..taxonomy.models import Municipality
from ..venues.models import Room, Venue
from .models import Activity, Occurrence
from .services import occurrence_query

WINDOW_DAYS = 28        # the coming four weeks, unless `from`/`to` say otherwise
WALKING_DISTANCES_KM = (1, 2, 5)  # what the map counts within (a list near a place: maps)
DEFAULT_RADIUS_KM = 2   # walking distance
GRID_DEGREES = 0.05     # cells for counting points near a district


@dataclass
class OfferActivity(TranslatableMixin):
    """What the map and the counts need of an activity (plain values: thousands of
    them, so no ORM objects)."""

    id: int
    title: str
    translations: dict
    organisation_name: str
    street_address: str | None
    city: str | None
    latitude: float | None
    longitude: float | None

    @property
    def own_place(self):
        return (", ".join(p for p in (self.street_address, self.city) if p)
                or self.organisation_name)


@dataclass
class OfferPlace:
    """Where some matching activities meet: a meeting place or an own address."""

    latitude: float
    longitude: float
    venue: object = None                            # Venue, or None for own addresses
    activities: list = field(default_factory=list)  # OfferActivity, by title


@dataclass
class District:
    name: str
    latitude: float
    longitude: float
    population: int       # 0: not known
    activities: int = 0   # matching activities meeting within the radius

    @property
    def per_10000(self):
        """Activities per 10,000 inhabitants, or None when the population is unknown."""
        if not self.population:
            return None
        return self.activities * 10000 / self.population


@dataclass
class Coverage:
    municipality: object
    radius_km: float
    places: list      # OfferPlace
    districts: list   # District, thinnest first
    activity_count: int
    unplaced: int     # matching activities with no place on the map
    filters: object = None  # the ListFilters applied: municipality and window chosen
    notices: tuple = ()     # the filters' parse notices, then the query's


def walking_radius(value):
    """The walking distance asked for (km, one of WALKING_DISTANCES_KM), else the
    default."""
    try:
        radius_km = int(value if value is not None else DEFAULT_RADIUS_KM)
    except ValueError:
        return DEFAULT_RADIUS_KM
    return radius_km if radius_km in WALKING_DISTANCES_KM else DEFAULT_RADIUS_KM


def default_window(filters):
    """The filters with, when they give no dates, the coming four weeks."""
    if filters.date_from is None and filters.date_to is None:
        return filters.but(date_to=local_today() + timedelta(days=WINDOW_DAYS - 1))
    return filters


def chosen_municipality(filters, limited_to=None):
    """The municipality to show: the coordinator's own when they are limited to one,
    else the `kommun` filter, else the one with the most activities."""
    if limited_to is not None:
        return db.session.get(Municipality, limited_to)
    if filters.kommun:
        found = db.session.scalar(select(Municipality).filter_by(slug=filters.kommun))
        if found is not None:
            return found
    return db.session.scalar(
        select(Municipality).join(Activity, Activity.municipality_id == Municipality.id)
        .group_by(Municipality.id).order_by(func.count(Activity.id).desc(), Municipality.name)
        .limit(1)) or db.session.scalar(select(Municipality).order_by(Municipality.name))


def coverage(filters, radius_km, limited_to=None, now=None):
    """The Coverage of the municipality chosen by `filters` (see chosen_municipality),
    in their dates or the coming four weeks; never near one place (every district is
    measured from). `filters` is not changed: the Coverage holds the filters applied."""
    filters = default_window(filters).but(near="")
    municipality = chosen_municipality(filters, limited_to)
    if municipality is None:
        return Coverage(None, radius_km, [], [], 0, 0, filters, filters.notices)
    filters = filters.but(kommun=municipality.slug)
    query = occurrence_query(filters, now)
    in_window = (select(Occurrence.id)
                 .where(Occurrence.activity_id == Activity.id, Occurrence.status == "scheduled",
                        *query.time_conditions, *query.place_conditions)
                 .exists())
    matching = [OfferActivity(*row) for row in db.session.execute(
        select(Activity.id, Activity.title, Activity.translations, Organisation.name,
               Activity.street_address, Activity.city, Activity.latitude, Activity.longitude)
        .join(Organisation, Activity.organisation_id == Organisation.id)
        .where(Activity.id.in_(query.matching_activities()), in_window)
        .order_by(Activity.title, Activity.id))]
    places = _places(matching, query)
    placed = {a.id for p in places for a in p.activities}
    districts = _districts(municipality, places, radius_km)
    return Coverage(municipality, radius_km, places, districts, len(matching),
                    len(matching) - len(placed), filters, filters.notices + query.notices)


def _places(activities, query):
    """OfferPlace per meeting place (of the rooms their dates in the window are in)
    and per own address; meeting places without coordinates leave the activity at its
    own address."""
    by_id = {a.id: a for a in activities}
    if not by_id:
        return []
    in_rooms = db.session.execute(
        select(Occurrence.activity_id, Room.venue_id).join(Room, Occurrence.room_id == Room.id)
        .where(in_ids(Occurrence.activity_id, by_id), Occurrence.status == "scheduled",
               *query.time_conditions, *query.place_conditions)
        .distinct()).all()
    venues = {v.id: v for v in db.session.scalars(select(Venue).where(
        Venue.id.in_({venue_id for _, venue_id in in_rooms}),
        Venue.latitude.is_not(None), Venue.longitude.is_not(None)))}
    places, at_venue = {}, set()
    for activity_id, venue_id in in_rooms:
        if venue_id in venues:
            place = places.setdefault(("v", venue_id), OfferPlace(
                venues[venue_id].latitude, venues[venue_id].longitude, venues[venue_id]))
            place.activities.append(by_id[activity_id])
            at_venue.add(activity_id)
    for activity in activities:
        if activity.id in at_venue or activity.latitude is None or activity.longitude is None:
            continue
        key = ("a", round(activity.latitude, 5), round(activity.longitude, 5))
        places.setdefault(key, OfferPlace(activity.latitude, activity.longitude)
                          ).activities.append(activity)
    for place in places.values():
        place.activities.sort(key=lambda a: (a.title, a.id))
    return sorted(places.values(), key=lambda p: (-len(p.activities), p.latitude))


def municipality_area(municipality):
    """(min_lat, max_lat, min_lon, max_lon) of everything placed in the municipality,
    or None when nothing is."""
    boxes = []
    for model in (Venue, Organisation, Activity):
        boxes.append(db.session.execute(
            select(func.min(model.latitude), func.max(model.latitude),
                   func.min(model.longitude), func.max(model.longitude))
            .where(model.municipality_id == municipality.id,
                   model.latitude.is_not(None), model.longitude.is_not(None))).one())
    boxes = [b for b in boxes if b[0] is not None]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), max(b[1] for b in boxes),
            min(b[2] for b in boxes), max(b[3] for b in boxes))


def _districts(municipality, places, radius_km):
    """The gazetteer's towns and districts in the municipality's area, each with the
    number of matching activities within the radius, thinnest first (the most
    inhabitants first among equals)."""
    area = municipality_area(municipality)
    if area is None:
        return []
    lat0, lat1, lon0, lon1 = area
    # A little beyond the outermost places: their own district lies around them.
    south, _, west, _ = bounding_box(lat0, lon0, 1)
    _, north, _, east = bounding_box(lat1, lon1, 1)
    grid = {}
    for place in places:
        cell = (math.floor(place.latitude / GRID_DEGREES),
                math.floor(place.longitude / GRID_DEGREES))
        grid.setdefault(cell, []).append(place)
    districts = []
    for name, lat, lon, population in gazetteer_places(south, north, west, east):
        box = bounding_box(lat, lon, radius_km)
        near = []
        for i in range(math.floor(box[0] / GRID_DEGREES), math.floor(box[1] / GRID_DEGREES) + 1):
            for j in range(math.floor(box[2] / GRID_DEGREES),
                           math.floor(box[3] / GRID_DEGREES) + 1):
                near += grid.get((i, j), [])
        inside = within_radius((lat, lon), [(n, p.latitude, p.longitude)
                                            for n, p in enumerate(near)], radius_km)
        activities = {a.id for n in inside for a in near[n].activities}
        districts.append(District(name, lat, lon, population, len(activities)))
    districts.sort(key=lambda d: (d.activities, -d.population, d.name))
    return districts

