"""The open data's lists near a place (activities.published: HSDS services, services at
locations, locations), nearest first, read ring by ring (geo.services.within_rings)
with the list's filters in each ring's query until the page and the few counted past
it (common.listing.counted_to) are known: the count is then "at least" (the API's
`total_items_exact: false`), as the lists of dates and organisations near a place
count. Meeting places are few: a list reads those within the radius whole, and the
activities whose dates are in their rooms.

An activity is as near as its own place or the nearest meeting place its dates are in
(a service); a pair of an activity and a place, and a location, as near as that place.
A town centre at --scale 100000 has some 12,000 activities within 5 km, and a page needs
the nearest few dozen.
"""

from sqlalchemy import select

from ..common.listing import ListResult
from ..extensions import db
from ..geo.distance import nearest_first_few
from ..geo.services import RINGS, within, within_rings
from ..venues.models import Room, Venue
from .models import Activity, Occurrence


def nearest_known(rings, radius_km, others, wanted):
    """({key: km} of every place within the reach of the last ring read, whether every
    ring was read): `rings` (within_rings' {key: km}, ring by ring) are read until at
    least `wanted` places are known; `others` ({key: km}, few, known whole) count from
    the ring whose reach holds them. A key in both is as near as the nearer."""
    own, known = {}, {}
    for share, ring in zip(RINGS, rings):
        own.update(ring)
        known = {key: km for key, km in others.items() if km <= radius_km * share}
        for key, km in own.items():
            known[key] = min(km, known.get(key, km))
        if len(known) >= wanted:
            return known, share == RINGS[-1]
    return known, True


def page_nearest(known, page, per_page, ties=None):
    """The keys of page `page` of {key: km} nearest first; at one distance in the order
    `ties(keys)` gives ({key: sort key}, asked only of the places as near as the page's
    last), else by key."""
    end = page * per_page
    if ties is None:
        return nearest_first_few(known, end)[end - per_page:]
    kms = sorted(known.values())
    if len(kms) <= end - per_page:
        return []
    cutoff = kms[min(end, len(kms)) - 1]
    near = [key for key, km in known.items() if km <= cutoff]
    order = ties(near)
    return sorted(near, key=lambda key: (known[key], order[key]))[end - per_page:end]


def near_result(items, page, per_page, known, everywhere, **kwargs):
    """ListResult of a page near a place: counted exactly when every ring was read,
    else as far as it looked."""
    if everywhere:
        return ListResult(items, page, per_page, len(known), **kwargs)
    return ListResult.found(items, page, per_page, len(known), **kwargs)


def activities_at_venues(venue_km, where, active_only=False):
    """{(activity id, venue id): km} of the activities meeting `where` with a date in
    a room of these meeting places ({venue id: km}; the active ones, if asked)."""
    if not venue_km:
        return {}
    stmt = (select(Occurrence.activity_id, Room.venue_id).distinct()
            .join(Room, Occurrence.room_id == Room.id)
            .join(Activity, Activity.id == Occurrence.activity_id)
            .where(Room.venue_id.in_(sorted(venue_km)), *where))
    if active_only:
        stmt = stmt.join(Venue, Venue.id == Room.venue_id).where(Venue.active.is_(True))
    return {(activity_id, venue_id): venue_km[venue_id]
            for activity_id, venue_id in db.session.execute(stmt)}


def near_activities(place, radius_km, where, wanted):
    """({activity id: km}, whether every ring was read) of the activities meeting
    `where` near `place`, each as near as its own place or the nearest meeting place
    its dates are in, until `wanted` are known (nearest_known)."""
    by_venue = {}
    for (activity_id, _), km in activities_at_venues(
            within(Venue, place, radius_km), where).items():
        by_venue[activity_id] = min(km, by_venue.get(activity_id, km))
    return nearest_known(within_rings(Activity, place, radius_km, *where), radius_km,
                         by_venue, wanted)


def near_pairs(place, radius_km, where, own_where, wanted):
    """({("own", activity id) or ("venue", activity id, venue id): km}, whether every
    ring was read) of the activities meeting `where` at their own place (meeting
    `own_where` too) and at each active meeting place their dates are in, near
    `place`, until `wanted` are known (nearest_known)."""
    at_venues = {("venue", activity_id, venue_id): km for (activity_id, venue_id), km in
                 activities_at_venues(within(Venue, place, radius_km), where,
                                      active_only=True).items()}
    rings = ({("own", activity_id): km for activity_id, km in ring.items()}
             for ring in within_rings(Activity, place, radius_km, *where, *own_where))
    return nearest_known(rings, radius_km, at_venues, wanted)


def near_locations(place, radius_km, venue_km, own_where, wanted):
    """({("venue", venue id) or ("own", activity id): km}, whether every ring was
    read): these meeting places ({venue id: km}, the list's) and the own places of the
    activities meeting `own_where` near `place`, until `wanted` are known."""
    rings = ({("own", activity_id): km for activity_id, km in ring.items()}
             for ring in within_rings(Activity, place, radius_km, *own_where))
    return nearest_known(rings, radius_km,
                         {("venue", venue_id): km for venue_id, km in venue_km.items()},
                         wanted)
