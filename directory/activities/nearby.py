"""Near-me for occurrences: where an occurrence is, which lie within a radius, and a page
of them nearest first.

An occurrence is at its room's meeting place when that place has coordinates, else at
its activity's own coordinates. Places within the radius are found with an indexed
bounding box (venues, activities), then measured in Python (geo.distance). The
occurrences are then counted per place with a grouped query on indexed columns, the
places sorted by distance, and only the page's places asked for their occurrences: no
SQL sort over every occurrence near a busy place.
"""

import json
from dataclasses import dataclass, field
from itertools import islice

from sqlalchemy import and_, false, func, or_, select

from ..common.db import id_array, in_ids, is_postgres
from ..extensions import db
from ..geo.distance import nearest_first_few, nearest_first_lazily
from ..geo.services import exact_km, resolve_near, within
from ..organisations.models import Organisation
from ..venues.models import Room, Venue
from .models import Activity, Occurrence

# Places whose dates are counted at a time when filling a page of every date (doubling
# each time): a page of 20 usually needs the nearest two or three.
PLACES_AT_A_TIME = 8


@dataclass
class Nearby:
    """The places within `radius_km` of `place`."""

    place: object
    radius_km: float
    venues: dict = field(default_factory=dict)      # {venue id: km}
    rooms: dict = field(default_factory=dict)       # {room id: venue id} of those venues
    activities: dict = field(default_factory=dict)  # {activity id: km}, own coordinates

    def condition(self):
        """SQL: the occurrence lies within the radius."""
        own_place = and_(in_ids(Occurrence.activity_id, self.activities) if self.activities
                         else false(), self.at_own_place())
        if not self.rooms:
            return own_place
        return or_(Occurrence.room_id.in_(list(self.rooms)), own_place)

    @staticmethod
    def located_rooms():
        """SQL: the ids of rooms at meeting places with coordinates."""
        return (select(Room.id).join(Venue, Room.venue_id == Venue.id)
                .where(Venue.latitude.is_not(None), Venue.longitude.is_not(None)))

    @staticmethod
    def at_own_place():
        """SQL: the occurrence is not in a room of a meeting place with coordinates."""
        return or_(Occurrence.room_id.is_(None),
                   Occurrence.room_id.not_in(Nearby.located_rooms()))


def find_nearby(near, radius_km):
    """(Nearby or None, notices): the places within `radius_km` of the place `near`
    names; None with a notice when it names no place, and with none for no `near`."""
    place, notice = resolve_near(near)
    if place is None:
        return None, (notice,) if notice else ()
    venues = within(Venue, place, radius_km)
    rooms = {}
    if venues:
        rooms = dict(db.session.execute(select(Room.id, Room.venue_id)
                                        .where(Room.venue_id.in_(list(venues)))).all())
    activities = within(Activity, place, radius_km)
    return Nearby(place, radius_km, venues, rooms, activities), ()


def _one_of(column, ids):
    """SQL: `column` is one of `ids`, as a set read from one parameter (_listed_ids):
    SQLAlchemy spends about a millisecond a statement writing out and binding an IN list
    of a thousand ids. A set, not PostgreSQL's `= ANY(array)`: in a plan kept for any
    values that compares each row with every id in turn (12,000 ids near Täby at
    --scale 100000: ~100 ms), where a set is looked up."""
    return column.in_(select(_listed_ids(ids).c.value))


def _json_ids(ids):
    """SQLite: the rows (value) of a JSON array of these ids, from one parameter."""
    return func.json_each(json.dumps([int(i) for i in ids])).table_valued("value")


def _listed_ids(ids):
    """The rows (value) of these ids, from one parameter: SQLite's JSON array, or
    PostgreSQL's array unnested."""
    if is_postgres():
        return func.unnest(id_array(ids)).table_valued("value").render_derived()
    return _json_ids(ids)


def _dates(query):
    """SQL: the occurrence meets the query's conditions on time and room."""
    return [*query.time_conditions, *query.place_conditions]


def _matching_ids(query, ids):
    """Of these activity ids, the public ones meeting the activity conditions."""
    if query.activity_conditions:
        return set(db.session.scalars(query.matching_activities().where(
            _one_of(Activity.id, ids))))
    # Only "public" to check: take away the few activities of organisations that are not
    # public, rather than looking up each activity's organisation.
    hidden = db.session.scalars(select(Activity.id).where(Activity.organisation_id.in_(
        select(Organisation.id).where(Organisation.not_public()))))
    return set(ids).difference(hidden)


def _in_located_rooms(query, activity_ids):
    """SQL: a matching date of one of these activities in a room of a meeting place with
    coordinates, so not at the activity's own place (few; found by the room index)."""
    # `+ 0` keeps both databases off the activities' index, with a row lookup for each
    # of their dates to read its room: SQLite keeps no statistics, and PostgreSQL's plan
    # for any list of ids (kept after five runs) expected a few (12,000 activities near
    # Täby at --scale 100000: 119 → ~2 ms).
    return and_(Occurrence.room_id.in_(Nearby.located_rooms()),
                _one_of(Occurrence.activity_id + 0, activity_ids), *_dates(query))


def _with_dates_at_own_place(query, activity_ids):
    """The ids of these activities with a matching date at their own place.

    Which have any matching date comes from ix_occurrence_activity_ends alone; only the
    few with a date in a located room are checked again, date by date: looking up each
    date's room costs a row lookup per activity.
    """
    if not activity_ids:
        return set()
    any_date = select(Occurrence.id).where(*_dates(query))
    # From the list itself, not from the activity table: no row lookup per activity.
    listed = _listed_ids(activity_ids)
    found = set(db.session.scalars(select(listed.c.value).where(
        any_date.where(Occurrence.activity_id == listed.c.value).exists())))
    if not found:
        return found
    doubtful = sorted(db.session.scalars(
        select(Occurrence.activity_id).where(_in_located_rooms(query, found)).distinct()))
    if doubtful:
        found.difference_update(doubtful)
        found.update(db.session.scalars(select(Activity.id).where(
            in_ids(Activity.id, doubtful),
            any_date.where(Occurrence.activity_id == Activity.id,
                           Nearby.at_own_place()).exists())))
    return found


def _count(query, nearby, own):
    """How many matching dates lie within the radius, in one query: those of the
    activities `own` at their own places (all their dates, from the index alone, less
    those in located rooms) and every one in the rooms of the meeting places."""
    def counted(*where):
        return select(func.count()).select_from(Occurrence).where(*where).scalar_subquery()
    parts = []
    if own:
        parts.append(counted(_one_of(Occurrence.activity_id, own), *_dates(query))
                     - counted(_in_located_rooms(query, own)))
    if nearby.rooms:
        parts.append(counted(Occurrence.room_id.in_(list(nearby.rooms)),
                             query.activity_matches_each(), *_dates(query)))
    if not parts:
        return 0
    return db.session.scalar(select(parts[0] + parts[1] if len(parts) > 1 else parts[0]))


def _counts(keys, query, nearby):
    """{key: how many matching dates} of these few places (keys as nearby_page_ids's,
    every date), leaving out those without: looking up each date's room is cheap here."""
    counts = {}
    own = [key[1] for key in keys if key[0] == "a"]
    if own:
        counts.update((("a", activity_id), n) for activity_id, n in db.session.execute(
            select(Occurrence.activity_id, func.count())
            .where(_one_of(Occurrence.activity_id, own), Nearby.at_own_place(),
                   *_dates(query))
            .group_by(Occurrence.activity_id)))
    venues = {key[1] for key in keys if key[0] == "v"}
    if venues:
        rooms = [room for room, venue in nearby.rooms.items() if venue in venues]
        for room_id, n in db.session.execute(
                select(Occurrence.room_id, func.count())
                .where(Occurrence.room_id.in_(rooms), query.activity_matches_each(),
                       *_dates(query))
                .group_by(Occurrence.room_id)):
            key = ("v", nearby.rooms[room_id])
            counts[key] = counts.get(key, 0) + n
    return counts


def _places_with_a_date(query, nearby, own):
    """{key: km} of the places with a matching date: ("a", activity id) for an
    activity's own place, ("v", venue id, activity id) for an activity at a venue."""
    distances = {("a", activity_id): nearby.activities[activity_id]
                 for activity_id in _with_dates_at_own_place(query, own)}
    if nearby.rooms:
        for room_id, activity_id in db.session.execute(
                select(Occurrence.room_id, Occurrence.activity_id)
                .where(Occurrence.room_id.in_(list(nearby.rooms)),
                       query.activity_matches_each(), *_dates(query)).distinct()):
            venue_id = nearby.rooms[room_id]
            distances[("v", venue_id, activity_id)] = nearby.venues[venue_id]
    return distances


def _key_statement(key, query, nearby):
    """Occurrences of one place matching `query`, soonest first."""
    if key[0] == "a":
        where = [Occurrence.activity_id == key[1], Nearby.at_own_place()]
    else:
        rooms = [r for r, v in nearby.rooms.items() if v == key[1]]
        where = [Occurrence.room_id.in_(rooms), query.activity_matches_each()]
        if len(key) > 2:
            where.append(Occurrence.activity_id == key[2])
    return (select(Occurrence.id).where(*where, *_dates(query))
            .order_by(Occurrence.starts_at, Occurrence.id))


def _first_at_own_places(activity_ids, query):
    """{("a", activity id): id of its next matching occurrence at its own place}, in one
    query (a correlated subquery per activity)."""
    if not activity_ids:
        return {}
    first = (select(Occurrence.id)
             .where(Occurrence.activity_id == Activity.id, Nearby.at_own_place(),
                    *_dates(query))
             .order_by(Occurrence.starts_at, Occurrence.id).limit(1)
             .correlate(Activity).scalar_subquery())
    return {("a", activity_id): occurrence_id for activity_id, occurrence_id in
            db.session.execute(select(Activity.id, first).where(
                in_ids(Activity.id, activity_ids)))}


def nearby_page_ids(query, nearby, offset, limit, one_per_place=False):
    """(total, occurrence ids) of one page, nearest place first, then soonest.

    With `one_per_place`, each activity at each place counts once and shows its next
    occurrence (what a person looking near home wants); otherwise every occurrence
    counts (the API). Only the total looks at every place within the radius; the
    dates of each place are counted for the nearest places only, a few at a time,
    until the page is full.
    """
    own = sorted(_matching_ids(query, nearby.activities)) if nearby.activities else []
    if one_per_place:
        distances = _places_with_a_date(query, nearby, own)
        page_keys = nearest_first_few(distances, offset + limit)[offset:]
        first = _first_at_own_places([k[1] for k in page_keys if k[0] == "a"], query)
        for key in page_keys:
            if key[0] == "v":
                first[key] = db.session.scalar(_key_statement(key, query, nearby).limit(1))
        ids = [first.get(key) for key in page_keys]
        return len(distances), [i for i in ids if i is not None]
    total = _count(query, nearby, own)
    ids, skip = [], offset
    if skip >= total:
        return total, ids
    distances = {("a", activity_id): nearby.activities[activity_id] for activity_id in own}
    distances.update((("v", venue_id), nearby.venues[venue_id])
                     for venue_id in set(nearby.rooms.values()))
    ordered, size = nearest_first_lazily(distances), PLACES_AT_A_TIME
    while len(ids) < limit:
        keys = list(islice(ordered, size))
        if not keys:
            break
        size *= 2
        counts = _counts(keys, query, nearby)
        for key in keys:
            n = counts.get(key, 0)
            if len(ids) >= limit:
                break
            if skip >= n:
                skip -= n
                continue
            ids += db.session.scalars(_key_statement(key, query, nearby)
                                      .offset(skip).limit(limit - len(ids))).all()
            skip = 0
    return total, ids


def occurrence_distance_km(occurrence, place):
    """Exact distance to where the occurrence is (its room's venue, else its activity)."""
    location = occurrence_location(occurrence)
    return exact_km(place, location[0], location[1]) if location else None


def occurrence_location(occurrence):
    """(lat, lon, venue or None) of where the occurrence is, or None without coordinates:
    its room's meeting place when that has coordinates, else its activity's own."""
    venue = occurrence.room.venue if occurrence.room else None
    if venue is not None and venue.latitude is not None and venue.longitude is not None:
        return venue.latitude, venue.longitude, venue
    activity = occurrence.activity
    if activity.latitude is not None and activity.longitude is not None:
        return activity.latitude, activity.longitude, None
    return None
