"""Near-me for occurrences: where an occurrence is, which lie within a radius, and a page
of them nearest first.

An occurrence is at its room's meeting place when that place has coordinates, else at
its activity's own coordinates. Places within the radius are found with an indexed
bounding box (venues, activities), then measured in Python (geo.distance).

A page looks in rings (geo.services.within_rings): the activities within an eighth of
the radius first, then a quarter, a half and the whole, asked a batch at a time,
nearest first, whether they have a matching date at their own place (the page of
places: each activity's next date at each place, what /activities shows) or how many
(the API's every date, a grouped query on indexed columns), stopping once it has the
page and the count past it (common.listing.counted_to); the count is then "more than".
Only the page's places are asked for their dates: no SQL sort, and no count, over every
date near a busy place (a town centre at --scale 100000 has some 12,000 activities
within 5 km, and a page needs the nearest sixty).
"""

import math
from functools import cached_property
from itertools import chain

from sqlalchemy import and_, false, func, or_, select, true

from ..common.remembered import remembered
from ..common.db import in_ids, is_postgres, one_of
from ..common.listing import ListResult
from ..extensions import db
from ..geo.distance import nearest_first, nearest_first_few, within_radius
from ..geo.services import (RINGS, box_condition, exact_km, resolve_near, within,
                            within_rings)
from ..venues.models import Room, Venue
from .cards import cards_of
from .hidden import hidden_activity_ids
from .listed import listed_dates
from .models import Activity, Occurrence
from .near_statements import (at_own_place, dates, firsts_at_own_places,
                              has_date_at_own_place, run, venue_firsts,
                              with_dates_at_own_place)

# The fewest activities asked for dates at a time (read ring by ring: within_rings).
MIN_BATCH = 32


class Nearby:
    """The places within `radius_km` of `place`: `venues` ({venue id: km}), `rooms`
    ({room id: venue id} of those venues) and `activities` ({activity id: km} of those
    with coordinates of their own), the last read when first asked for (or ring by
    ring: nearest_places)."""

    def __init__(self, place, radius_km, venues=None, rooms=None):
        self.place, self.radius_km = place, radius_km
        self.venues, self.rooms = venues or {}, rooms or {}

    @cached_property
    def activities(self):
        return within(Activity, self.place, self.radius_km)

    def condition(self):
        """SQL: the occurrence lies within the radius."""
        own_place = and_(in_ids(Occurrence.activity_id, self.activities) if self.activities
                         else false(), at_own_place())
        if not self.rooms:
            return own_place
        return or_(Occurrence.room_id.in_(list(self.rooms)), own_place)


def find_nearby(near, radius_km):
    """(Nearby or None, notices): the places within `radius_km` of the place `near`
    names; None with a notice when it names no place, and with none for no `near`."""
    place, notice = resolve_near(near)
    if place is None:
        return None, (notice,) if notice else ()
    venues, rooms = remembered(("venues near", place.latitude, place.longitude, radius_km),
                               lambda: _venues_within(place, radius_km))
    return Nearby(place, radius_km, venues, rooms), ()


def _venues_within(place, radius_km):
    """({venue id: km}, {room id: venue id}) of the meeting places within the radius:
    those in the circle's box with their rooms, in one statement, then measured
    (geo.services.within). Remembered per data version (a handful of rows that seldom
    change, asked on every page near a place: one round trip fewer)."""
    rows = db.session.execute(select(Venue.id, Venue.latitude, Venue.longitude, Room.id)
                              .outerjoin(Room, Room.venue_id == Venue.id)
                              .where(box_condition(Venue, place, radius_km))).all()
    venues = within_radius((place.latitude, place.longitude),
                           {(venue, lat, lon) for venue, lat, lon, _ in rows}, radius_km)
    rooms = {room: venue for venue, _, _, room in rows
             if room is not None and venue in venues}
    return venues, rooms


def _with_public_ones(query, activity_ids, hidden):
    """Of these few activity ids, the public ones meeting the activity conditions, each
    looked up by its key; `hidden` as for _with_dates_at_own_place."""
    if not query.activity_conditions:
        return set(activity_ids).difference(hidden)
    return set(db.session.scalars(select(Activity.id).where(
        in_ids(Activity.id, activity_ids), Activity.is_public, *query.conditions("each"))))


def _with_dates_at_own_place(query, activity_ids, hidden, checked=False):
    """The ids of these activities (a ring's: a few hundred at most, usually) that are
    public, meet the activity conditions and have a matching date at their own place
    (near_statements.has_date_at_own_place). `hidden`: hidden_activity_ids, read when
    there are no activity conditions or the ids are `checked`: of activities meeting
    them (_ring_filter), whether they are public not yet asked."""
    if not activity_ids:
        return set()
    if query.activity_conditions and not checked:
        # Each activity by its key (PostgreSQL plans a set of ids joined to a search
        # as a pass over every activity).
        return set(db.session.scalars(select(Activity.id).where(
            in_ids(Activity.id, activity_ids), Activity.is_public,
            *query.conditions("each"), has_date_at_own_place(Activity.id, dates(query)))))
    return {activity_id for activity_id, in run(query, with_dates_at_own_place,
                                                ids=set(activity_ids).difference(hidden))}


def _counts(keys, query, nearby, at_rooms):
    """{key: how many matching dates} of these few places (keys as nearby_page_ids's,
    every date), leaving out those without: looking up each date's room is cheap here.
    `at_rooms`: _matching_at_rooms."""
    counts = {}
    own = [key[1] for key in keys if key[0] == "a"]
    if own:
        counts.update((("a", activity_id), n) for activity_id, n in db.session.execute(
            select(Occurrence.activity_id, func.count())
            .where(one_of(Occurrence.activity_id, own), at_own_place(),
                   *dates(query))
            .group_by(Occurrence.activity_id)))
    venues = {key[1] for key in keys if key[0] == "v"}
    if venues:
        rooms = [room for room, venue in nearby.rooms.items() if venue in venues]
        for room_id, n in db.session.execute(
                select(Occurrence.room_id, func.count())
                .where(Occurrence.room_id.in_(rooms), at_rooms, *dates(query))
                .group_by(Occurrence.room_id)):
            key = ("v", nearby.rooms[room_id])
            counts[key] = counts.get(key, 0) + n
    return counts


def _matching_at_rooms(query, nearby, hidden):
    """SQL: a date in the rooms of the meeting places near is of a public activity
    meeting the activity conditions: with none asked, not one of `hidden`
    (hidden_activity_ids); else one of the matching activities among those with dates
    in those rooms, each looked up by its key (_with_public_ones). Checked per date
    against every matching organisation instead, near Täby with q=läxhjälp at --scale
    10000 each statement on those rooms took ~30 ms."""
    if not query.activity_conditions:
        return ~in_ids(Occurrence.activity_id, sorted(hidden)) if hidden else true()
    there = db.session.scalars(select(Occurrence.activity_id).distinct().where(
        Occurrence.room_id.in_(sorted(nearby.rooms)), *dates(query))).all()
    return in_ids(Occurrence.activity_id, sorted(_with_public_ones(query, there, hidden)))


def _venue_places(query, nearby, hidden):
    """{("v", venue id, activity id): (km, id of its next matching date there)} of the
    activities with a matching date at a meeting place within the radius
    (near_statements.venue_firsts), then which of them match, once each."""
    if not nearby.rooms:
        return {}
    firsts = run(query, venue_firsts, rooms=nearby.rooms)
    matching = _with_public_ones(query, {activity_id for _, activity_id, _ in firsts},
                                 hidden)
    return {("v", venue_id, activity_id): (nearby.venues[venue_id], occurrence_id)
            for venue_id, activity_id, occurrence_id in firsts if activity_id in matching}


def nearest_places(query, nearby, wanted):
    """({key: km}, whether every place was looked at, {key: first date's id} of the
    meeting places'): the places with a matching date (("a", activity id) an
    activity's own place, ("v", venue id, activity id) an activity at a meeting
    place), nearest first until at least `wanted` are found: every place before the
    last found in the order (km, key) is among them. The activities are read ring by ring
    (within_rings) and asked for dates a batch at a time, nearest first."""
    matching, shares = _ring_filter(query)
    # Activities that are not public left out by id where no statement checks them.
    hidden = hidden_activity_ids() if matching or not query.activity_conditions else ()
    at_venues, found = _venue_places(query, nearby, hidden), {}
    batches = _nearest_batches(within_rings(Activity, nearby.place, nearby.radius_km,
                                            *matching, shares=shares),
                               max(2 * wanted, MIN_BATCH))
    for batch in batches:
        found.update((("a", activity_id), batch[activity_id]) for activity_id in
                     _with_dates_at_own_place(query, sorted(batch), hidden, bool(matching)))
        end = _batch_end(batch)
        found.update((key, km) for key, (km, _) in at_venues.items() if km < end)
        if len(found) >= wanted:
            return found, False, {key: first for key, (_, first) in at_venues.items()}
    found.update((key, km) for key, (km, _) in at_venues.items())
    return found, True, {key: first for key, (_, first) in at_venues.items()}


def _ring_filter(query):
    """([SQL] on Activity, the rings' shares) for the rings' statements (PostgreSQL, a
    filter asked): only the activities meeting it come out of a ring's box, so fewer
    are asked for dates; whether they are public is left to their ids
    (hidden_activity_ids: checked in SQL, every public organisation was hashed for each
    ring). Read with the box from the tag and text indexes; when a search's words find
    many organisations (searching.few_organisations), the "each" form, which
    PostgreSQL answers with a hash of those organisations: then in two rings, not four
    hashing them each (one ring read too much for a word found often near: språkcafé
    near Täby 33 → 37 ms). Side by side, near Täby p50 at --scale 10000: focus=arbete
    49.6 → 38.6 ms, lang=ar 28.8 → 26.8, q=läxhjälp 57.3 → 45.0 (and before, the
    search first read in the rings: 72.0 → 50.7); at 100000: focus=arbete 36.5 →
    32.4, q=läxhjälp 45.4 → 39.1, near Stockholm 49.3 → 38.2, språkcafé near
    Göteborg 34.8 → 27.5."""
    if not query.activity_conditions or not is_postgres():
        return [], RINGS
    if query.text_forms is not None and query.text_forms.few is None:
        return query.conditions("each"), (1 / 4, 1)
    return query.conditions("indexed"), RINGS


def _nearest_batches(rings, size):
    """{activity id: km} batches of the rings' activities in the order (km, id), `size`
    (doubling) at a time or to the end of a ring: places at one address are split
    between batches by id, as the page orders them."""
    for ring in rings:
        ordered = sorted(ring.items(), key=lambda item: (item[1], item[0]))
        start = 0
        while start < len(ordered):
            yield dict(ordered[start:start + size])
            start, size = start + size, size * 2


def _batch_end(batch):
    """The km a meeting place must be under to come before the last of `batch` in the
    order (km, key) (("v", …) keys follow ("a", …) ones at the same distance); after
    the last batch (empty), any."""
    return max(batch.values()) if batch else math.inf


def _key_statement(key, query, nearby, at_rooms):
    """Occurrences of one place matching `query`, soonest first (`at_rooms`:
    _matching_at_rooms). A meeting place's are collected by their rooms
    (ix_occurrence_room_id), then sorted: PostgreSQL walked every coming date in time
    order for them (at --scale 10000 ~31,000 for a page of 20, ~29 ms)."""
    if key[0] == "a":
        return (select(Occurrence.id)
                .where(Occurrence.activity_id == key[1], at_own_place(),
                       *dates(query))
                .order_by(Occurrence.starts_at, Occurrence.id))
    rooms = [r for r, v in nearby.rooms.items() if v == key[1]]
    found = (select(Occurrence.id, Occurrence.starts_at)
             .where(Occurrence.room_id.in_(rooms), at_rooms, *dates(query))
             .offset(0).subquery())
    return select(found.c.id).order_by(found.c.starts_at, found.c.id)


def _first_at_own_places(activity_ids, query):
    """{("a", activity id): id of its next matching occurrence at its own place}
    (near_statements.firsts_at_own_places)."""
    if not activity_ids:
        return {}
    return {("a", activity_id): occurrence_id for activity_id, occurrence_id in
            run(query, firsts_at_own_places, ids=activity_ids)}


def near_page(query, page, per_page, wanted, notices, one_per_place, rows):
    """ListResult of one page near query.nearby's place, nearest first, with each shown
    date's distance by id: of places (places_page_ids) or of every date
    (nearby_page_ids), looking for `wanted`: the total "more than" when it stopped
    before the whole radius. Items as public_occurrence_page's."""
    nearby, offset = query.nearby, (page - 1) * per_page
    page_ids = places_page_ids if one_per_place else nearby_page_ids
    total, ids, looked_everywhere = page_ids(query, nearby, offset, per_page, wanted)
    listed = listed_dates(ids)
    located = cards_of(listed)
    near = dict(distances={o.id: occurrence_distance_km(o, nearby.place) for o in located},
                notices=notices, near_place=nearby.place)
    items = listed if rows else located
    if looked_everywhere:
        return ListResult(items, page, per_page, total, **near)
    return ListResult.found(items, page, per_page, total, **near)


def places_page_ids(query, nearby, offset, limit, wanted):
    """(how many places found, occurrence ids, whether that is all of them) of one
    page of places, nearest first: each activity at each place once, with its next
    matching date (what a person looking near home wants). Places are looked for
    until `wanted` are found (nearest_places); the count is exact when fewer."""
    places, looked_everywhere, first = nearest_places(query, nearby, wanted)
    page_keys = nearest_first_few(places, offset + limit)[offset:]
    first.update(_first_at_own_places([k[1] for k in page_keys if k[0] == "a"], query))
    ids = [first[key] for key in page_keys if key in first]
    return len(places), ids, looked_everywhere


def nearby_page_ids(query, nearby, offset, limit, wanted):
    """(how many dates found, occurrence ids of one page, whether that is all of them)
    of every matching date, nearest place first, then soonest (the API). The places'
    dates are counted nearest first, a batch at a time (as nearest_places reads them),
    until `wanted` are found; then the page's places are asked for their dates."""
    counted, found = {}, 0
    hidden = () if query.activity_conditions else hidden_activity_ids()
    venues = {("v", venue_id): nearby.venues[venue_id]
              for venue_id in set(nearby.rooms.values())}
    at_rooms = _matching_at_rooms(query, nearby, hidden) if venues else None
    distances = {}
    batches = _nearest_batches(within_rings(Activity, nearby.place, nearby.radius_km),
                               MIN_BATCH)
    for batch in chain(batches, [{}]):
        keys = [("a", activity_id) for activity_id in
                _with_public_ones(query, batch, hidden)] if batch else []
        end = _batch_end(batch)
        keys += [key for key, km in venues.items() if key not in distances and km < end]
        distances.update((key, batch[key[1]] if key[0] == "a" else venues[key])
                         for key in keys)
        counted.update(_counts(keys, query, nearby, at_rooms) if keys else {})
        found = sum(counted.values())
        if found >= wanted:
            break
    ids, skip = [], offset
    for key in nearest_first({key: distances[key] for key in counted}):
        if len(ids) >= limit:
            break
        if skip >= counted[key]:
            skip -= counted[key]
            continue
        ids += db.session.scalars(_key_statement(key, query, nearby, at_rooms)
                                  .offset(skip).limit(limit - len(ids))).all()
        skip = 0
    return found, ids, found < wanted


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
