"""Public activities and places as whole things, not dates: the HSDS services and
locations of the API and the open-data export. The filters are the lists' own
(common.filters.ListFilters, resolved as every list resolves them)."""

import math

from sqlalchemy import Integer, false, func, literal, or_, select, union_all
from sqlalchemy.orm import selectinload

from ..common.db import in_ids
from ..common.i18n import translated_texts
from ..common.listing import ListResult, matches_text
from ..common.search import text_matches
from ..common.text import search_blob
from ..extensions import db
from ..geo.distance import nearest_first
from ..geo.services import exact_km, place_missing, resolve_near, within
from ..organisations.models import Organisation
from ..organisations.services import resolve_common_filters
from ..venues.models import Room, Venue
from .changes import activity_changed_since
from .models import Activity, Occurrence
from .searching import activity_conditions


def _paged(stmt, page, per_page, notices=(), place=None):
    """ListResult of a select of rows, counted, then one page of it."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None)
                                                                 .subquery()))
    items = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return ListResult(list(items), page, per_page, total, notices=notices, near_place=place)


def activity_distances(place, radius_km):
    """{activity id: km} of the activities near `place`: its own place, or a meeting
    place one of its dates is in, lies within the radius; the km to the nearer. The one
    meaning of "near" for activities as whole things (services, their places)."""
    found = within(Activity, place, radius_km)
    venues = within(Venue, place, radius_km)
    if venues:
        for activity_id, venue_id in db.session.execute(
                select(Occurrence.activity_id, Room.venue_id).distinct()
                .join(Room, Occurrence.room_id == Room.id)
                .where(Room.venue_id.in_(list(venues)))):
            found[activity_id] = min(found.get(activity_id, venues[venue_id]),
                                     venues[venue_id])
    return found


def _nearest(distances, page, per_page):
    """(the keys of page `page` of {key: km} nearest first, how many keys there are)."""
    ordered = nearest_first(distances)
    return ordered[(page - 1) * per_page:page * per_page], len(ordered)


def activity_loading():
    """Loader options so a list of activities serialises without a query per row."""
    return (selectinload(Activity.organisation), selectinload(Activity.focus_areas),
            selectinload(Activity.target_groups))


def _activity_where(filters, organisation_uuid=None, term_uuid=None):
    """([conditions on Activity], notices, place, {activity id: km} near the place or
    None) of public activities matching the list filters; `organisation_uuid` and
    `term_uuid` (a focus area's or target group's) narrow them further."""
    resolved = resolve_common_filters(filters)
    where = [Activity.is_public, *activity_conditions(resolved, filters.q, filters.lang)]
    if filters.modified_after is not None:
        where.append(activity_changed_since(filters.modified_after))
    if organisation_uuid:
        where.append(Activity.organisation_id.in_(
            select(Organisation.id).where(Organisation.uuid == organisation_uuid)))
    if term_uuid:
        where.append(or_(Activity.focus_areas.any(uuid=term_uuid),
                         Activity.target_groups.any(uuid=term_uuid)))
    place, near_notice = resolve_near(filters.near)
    near = None
    if place is not None:
        near = activity_distances(place, filters.radius_km)
        where.append(in_ids(Activity.id, list(near) or [-1]))
    elif place_missing(near_notice):
        where.append(false())  # near a place not found: nothing, not everything
    notices = filters.notices + resolved.notices + ((near_notice,) if near_notice else ())
    return where, notices, place, near


def public_activity_page(filters, page, per_page, organisation_uuid=None, term_uuid=None):
    """ListResult: page `page` of public activities (Activity.is_public) matching the
    list filters (and an organisation's or a term's UUID), by title; near a place,
    nearest first (activity_distances)."""
    where, notices, place, near = _activity_where(filters, organisation_uuid, term_uuid)
    if place is None:
        stmt = (select(Activity).where(*where).order_by(Activity.title, Activity.id)
                .options(*activity_loading()))
        return _paged(stmt, page, per_page, notices, place)
    # At one distance, by title, as without `near`.
    matching = db.session.execute(select(Activity.title, Activity.id).where(*where)).all()
    shown, total = _nearest({(t, i): near[i] for t, i in matching}, page, per_page)
    loaded = {a.id: a for a in db.session.scalars(select(Activity).where(
        in_ids(Activity.id, [i for _, i in shown])).options(*activity_loading()))}
    return ListResult([loaded[i] for _, i in shown], page, per_page, total,
                      notices=notices, near_place=place)


def service_location_page(filters, page, per_page, organisation_uuid=None, term_uuid=None):
    """ListResult of (activity, venue or None) pairs: each public activity matching the
    filters at each active meeting place its dates are in, and at its own place (None)
    when it has one; by activity title, then place name, counted and paged in SQL; near
    a place, the nearest places first."""
    where, notices, place, _ = _activity_where(filters, organisation_uuid, term_uuid)
    at_venues = (select(Activity.title.label("title"), Activity.id.label("activity_id"),
                        Venue.name.label("place"), Venue.id.label("venue_id")).distinct()
                 .select_from(Occurrence).join(Activity, Occurrence.activity_id == Activity.id)
                 .join(Room, Occurrence.room_id == Room.id)
                 .join(Venue, Room.venue_id == Venue.id)
                 .where(*where, Venue.active.is_(True)))
    own = select(Activity.title, Activity.id, literal(""), literal(None, Integer)).where(
        *where, _own_place_condition())
    pairs = union_all(at_venues, own).subquery()
    if place is None:
        total = db.session.scalar(select(func.count()).select_from(pairs))
        wanted = db.session.execute(
            select(pairs.c.activity_id, pairs.c.venue_id)
            .order_by(pairs.c.title, pairs.c.activity_id, pairs.c.place, pairs.c.venue_id)
            .limit(per_page).offset((page - 1) * per_page)).all()
    else:
        shown, total = _nearest(_pair_distances(place, db.session.execute(
            select(pairs.c.title, pairs.c.activity_id, pairs.c.venue_id)).all()),
            page, per_page)
        wanted = [(a, v or None) for _, a, v in shown]
    activities = {a.id: a for a in db.session.scalars(
        select(Activity).where(Activity.id.in_({a for a, _ in wanted}))
        .options(*activity_loading()))} if wanted else {}
    venues = {v.id: v for v in db.session.scalars(
        select(Venue).where(Venue.id.in_({v for _, v in wanted if v})))} if wanted else {}
    items = [(activities[a], venues.get(v)) for a, v in wanted]
    return ListResult(items, page, per_page, total, notices=notices, near_place=place)


def _pair_distances(place, pairs):
    """{(title, activity id, venue id or 0 for its own place): km from `place` to that
    place} of (title, activity id, venue id or None) pairs (a place without coordinates:
    last; at one distance, by title)."""
    venue_ids = {v for _, _, v in pairs if v}
    activity_ids = {a for _, a, v in pairs if not v}
    located = {("venue", i): (lat, lon) for i, lat, lon in db.session.execute(
        select(Venue.id, Venue.latitude, Venue.longitude).where(in_ids(Venue.id, venue_ids)))
        } if venue_ids else {}
    if activity_ids:
        located.update({("own", i): (lat, lon) for i, lat, lon in db.session.execute(
            select(Activity.id, Activity.latitude, Activity.longitude)
            .where(in_ids(Activity.id, activity_ids)))})
    distances = {}
    for title, activity_id, venue_id in pairs:
        km = exact_km(place, *located[("venue", venue_id) if venue_id
                                      else ("own", activity_id)])
        distances[(title, activity_id, venue_id or 0)] = math.inf if km is None else km
    return distances


def public_activity_by_uuid(value):
    """The public activity with this UUID, or None."""
    return db.session.scalar(select(Activity).where(Activity.uuid == value,
                                                    Activity.is_public))


def activity_venues(activity_ids):
    """{activity id: [active meeting places its dates are in, by name]}."""
    found = {i: [] for i in activity_ids}
    if not activity_ids:
        return found
    # Distinct ids, then the rows: PostgreSQL cannot compare a JSON column for DISTINCT.
    pairs = db.session.execute(
        select(Occurrence.activity_id, Room.venue_id).distinct()
        .join(Room, Occurrence.room_id == Room.id)
        .where(Occurrence.activity_id.in_(list(activity_ids)))).all()
    venues = {v.id: v for v in db.session.scalars(select(Venue).where(
        Venue.id.in_({v for _, v in pairs}), Venue.active.is_(True)))} if pairs else {}
    for activity_id, venue_id in pairs:
        if venue_id in venues:
            found[activity_id].append(venues[venue_id])
    for places in found.values():
        places.sort(key=lambda v: (v.name, v.id))
    return found


def has_own_place(activity):
    """Whether the activity has an address or coordinates of its own (an HSDS location
    of its own, beside the meeting places its dates are in)."""
    return bool(activity.street_address or activity.latitude is not None)


def _own_place_condition():
    return or_(func.coalesce(Activity.street_address, "") != "",
               Activity.latitude.is_not(None))


def venues_matching(q):
    """The ids of the active meeting places whose name (in any language), street or city
    holds every word of `q`, by the search's one rule (common.search.text_matches).
    Meeting places are few: read and matched here, no index of their own."""
    rows = db.session.execute(select(Venue.id, Venue.name, Venue.street_address,
                                     Venue.city, Venue.translations)
                              .where(Venue.active.is_(True))).all()
    return [row.id for row in rows if text_matches(search_blob(
        row.name, row.street_address, row.city, *translated_texts(row.translations)), q)]


def venue_statement(filters, resolved, near_km=None):
    """A select of active meeting places meeting the location filters (near a place:
    those of `near_km`, {venue id: km})."""
    where = [Venue.active.is_(True)]
    if filters.q:
        where.append(in_ids(Venue.id, venues_matching(filters.q) or [-1]))
    if resolved.municipality_id:
        where.append(Venue.municipality_id == resolved.municipality_id)
    if filters.modified_after is not None:
        where.append(Venue.updated_at >= filters.modified_after)
    if near_km is not None:
        where.append(in_ids(Venue.id, list(near_km) or [-1]))
    return select(Venue).where(*where).order_by(Venue.name, Venue.id)


def own_place_statement(filters, resolved, near_km=None):
    """A select of public activities with a place of their own meeting the filters
    (near a place: those of `near_km`, {activity id: km})."""
    where = [Activity.is_public, _own_place_condition()]
    if filters.q:
        where.append(matches_text(Activity, filters.q))
    if resolved.municipality_id:
        where.append(Activity.municipality_id == resolved.municipality_id)
    if filters.modified_after is not None:
        where.append(activity_changed_since(filters.modified_after))
    if near_km is not None:
        where.append(in_ids(Activity.id, list(near_km) or [-1]))
    return select(Activity).where(*where).order_by(Activity.title, Activity.id)


def location_page(filters, page, per_page):
    """ListResult: page `page` of locations: active meeting places by name, then public
    activities' own places by title; near a place, all of them nearest first (items are
    Venue or Activity rows)."""
    resolved = resolve_common_filters(filters)
    place, near_notice = resolve_near(filters.near)
    notices = filters.notices + resolved.notices + ((near_notice,) if near_notice else ())
    if place_missing(near_notice):
        return ListResult([], page, per_page, 0, notices=notices)
    if place is not None:
        venue_km = within(Venue, place, filters.radius_km)
        own_km = within(Activity, place, filters.radius_km)
        items, total = _nearest_locations(
            venue_statement(filters, resolved, venue_km), venue_km,
            own_place_statement(filters, resolved, own_km), own_km, page, per_page)
        return ListResult(items, page, per_page, total, notices=notices, near_place=place)
    venues = venue_statement(filters, resolved)
    own = own_place_statement(filters, resolved)
    first = _paged(venues, page, per_page)
    own_total = db.session.scalar(select(func.count()).select_from(
        own.order_by(None).subquery()))
    items = list(first.items)
    if len(items) < per_page:
        skip = max(0, (page - 1) * per_page - first.total)
        items += db.session.scalars(own.limit(per_page - len(items)).offset(skip)).all()
    return ListResult(items, page, per_page, first.total + own_total, notices=notices)


def _nearest_locations(venues, venue_km, own, own_km, page, per_page):
    """(page `page` of the meeting places and own places of these selects, nearest
    first by their km ({id: km} each), how many there are)."""
    distances = {("venue", i): venue_km[i] for i in db.session.scalars(
        venues.with_only_columns(Venue.id).order_by(None))}
    distances.update({("own", i): own_km[i] for i in db.session.scalars(
        own.with_only_columns(Activity.id).order_by(None))})
    shown, total = _nearest(distances, page, per_page)
    rows = {("venue", v.id): v for v in db.session.scalars(select(Venue).where(
        in_ids(Venue.id, [i for kind, i in shown if kind == "venue"])))}
    rows.update({("own", a.id): a for a in db.session.scalars(select(Activity).where(
        in_ids(Activity.id, [i for kind, i in shown if kind == "own"])))})
    return [rows[key] for key in shown], total


def public_venue_by_uuid(value):
    """The active meeting place with this UUID, or None."""
    return db.session.scalar(select(Venue).where(Venue.uuid == value,
                                                 Venue.active.is_(True)))


def own_place_by_uuid(activity_uuid):
    """The public activity whose own place this is (by the activity's UUID), or None."""
    activity = public_activity_by_uuid(activity_uuid)
    return activity if activity is not None and has_own_place(activity) else None
