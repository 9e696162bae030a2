"""Near-me for occurrences: where an occurrence is, which lie within a radius, and a page
of them nearest first.

An occurrence is at its room's meeting place when that place has coordinates, else at
its activity's own coordinates. Places within the radius are found with an indexed
bounding box (venues, activities), then measured in Python (geo.distance). The
occurrences are then counted per place with a grouped query on indexed columns, the
places sorted by distance, and only the page's places asked for their occurrences: no
SQL sort over every occurrence near a busy place.
"""

from dataclasses import dataclass, field

from sqlalchemy import and_, false, func, or_, select

from ..common.db import in_ids
from ..extensions import db
from ..geo.distance import nearest_first
from ..geo.services import exact_km, resolve_near, within
from ..organisations.models import Organisation
from ..venues.models import Room, Venue
from .models import Activity, Occurrence


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


def find_nearby(filters):
    """The places near `filters.near` (None with a notice when it names no place).

    Sets `filters.near_place`; `filters.distances` is filled per page later.
    """
    place = resolve_near(filters)
    if place is None:
        return None
    filters.near_place = place
    venues = within(Venue, place, filters.radius_km)
    rooms = {}
    if venues:
        rooms = dict(db.session.execute(select(Room.id, Room.venue_id)
                                        .where(Room.venue_id.in_(list(venues)))).all())
    activities = within(Activity, place, filters.radius_km)
    return Nearby(place, filters.radius_km, venues, rooms, activities)


def _matching_ids(query, ids):
    """Of these activity ids, the public ones meeting the activity conditions."""
    if query.activity_conditions:
        return set(db.session.scalars(query.matching_activities().where(
            in_ids(Activity.id, ids))))
    # Only "public" to check: take away the few activities of organisations that are not
    # verified, rather than looking up each activity's organisation.
    hidden = db.session.scalars(select(Activity.id).where(Activity.organisation_id.in_(
        select(Organisation.id).where(Organisation.status != "verified"))))
    return set(ids).difference(hidden)


def _place_counts(query, nearby):
    """[(key, count)]: occurrences matching `query` per place. A key is ("a", activity
    id) for an activity's own place or ("v", venue id, activity id) for a venue."""
    counts = []
    ids = sorted(_matching_ids(query, list(nearby.activities))) if nearby.activities else []
    if ids:
        # All their occurrences (from ix_occurrence_activity_ends alone), less those in
        # rooms of meeting places with coordinates (few; by the room index): checking
        # each occurrence's room instead costs a row lookup per occurrence.
        conditions = [*query.time_conditions, *query.place_conditions]
        every = db.session.execute(
            select(Occurrence.activity_id, func.count())
            .where(in_ids(Occurrence.activity_id, ids), *conditions)
            .group_by(Occurrence.activity_id)).all()
        in_rooms = dict(db.session.execute(
            select(Occurrence.activity_id, func.count())
            .where(Occurrence.room_id.in_(Nearby.located_rooms()),
                   in_ids(Occurrence.activity_id, ids), *conditions)
            .group_by(Occurrence.activity_id)).all())
        counts += [(("a", activity_id), n - in_rooms.get(activity_id, 0))
                   for activity_id, n in every if n > in_rooms.get(activity_id, 0)]
    if nearby.rooms:
        rows = db.session.execute(
            select(Occurrence.room_id, Occurrence.activity_id, func.count())
            .where(Occurrence.room_id.in_(list(nearby.rooms)),
                   query.activity_matches_each(), *query.time_conditions,
                   *query.place_conditions)
            .group_by(Occurrence.room_id, Occurrence.activity_id)).all()
        per_key = {}
        for room_id, activity_id, n in rows:
            key = ("v", nearby.rooms[room_id], activity_id)
            per_key[key] = per_key.get(key, 0) + n
        counts += list(per_key.items())
    return counts


def _key_km(key, nearby):
    return nearby.activities[key[1]] if key[0] == "a" else nearby.venues[key[1]]


def _key_statement(key, query, nearby):
    """Occurrences of one place matching `query`, soonest first."""
    if key[0] == "a":
        where = [Occurrence.activity_id == key[1], Nearby.at_own_place()]
    else:
        rooms = [r for r, v in nearby.rooms.items() if v == key[1]]
        where = [Occurrence.room_id.in_(rooms), query.activity_matches_each()]
        if len(key) > 2:
            where.append(Occurrence.activity_id == key[2])
    return (select(Occurrence.id).where(*where, *query.time_conditions,
                                        *query.place_conditions)
            .order_by(Occurrence.starts_at, Occurrence.id))


def _first_at_own_places(activity_ids, query):
    """{("a", activity id): id of its next matching occurrence at its own place}, in one
    query (a correlated subquery per activity)."""
    if not activity_ids:
        return {}
    first = (select(Occurrence.id)
             .where(Occurrence.activity_id == Activity.id, Nearby.at_own_place(),
                    *query.time_conditions, *query.place_conditions)
             .order_by(Occurrence.starts_at, Occurrence.id).limit(1)
             .correlate(Activity).scalar_subquery())
    return {("a", activity_id): occurrence_id for activity_id, occurrence_id in
            db.session.execute(select(Activity.id, first).where(
                in_ids(Activity.id, activity_ids)))}


def nearby_page_ids(query, nearby, offset, limit, one_per_place=False):
    """(total, occurrence ids) of one page, nearest place first, then soonest.

    With `one_per_place`, each activity at each place counts once and shows its next
    occurrence (what a person looking near home wants); otherwise every occurrence
    counts (the API).
    """
    counts = _place_counts(query, nearby)
    if not one_per_place:
        # Every occurrence at a venue, whichever activity: one place, in time order.
        merged = {}
        for key, n in counts:
            key = key[:2]
            merged[key] = merged.get(key, 0) + n
        counts = list(merged.items())
    by_key = dict(counts)
    keys = nearest_first({key: _key_km(key, nearby) for key in by_key})
    if one_per_place:
        page_keys = keys[offset:offset + limit]
        first = _first_at_own_places([k[1] for k in page_keys if k[0] == "a"], query)
        for key in page_keys:
            if key[0] == "v":
                first[key] = db.session.scalar(_key_statement(key, query, nearby).limit(1))
        ids = [first.get(key) for key in page_keys]
        return len(keys), [i for i in ids if i is not None]
    total = sum(by_key.values())
    ids, skip = [], offset
    for key in keys:
        if len(ids) >= limit:
            break
        if skip >= by_key[key]:
            skip -= by_key[key]
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
