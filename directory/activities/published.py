"""Public activities and places as whole things, not dates: the HSDS services and
locations of the API and the open-data export. The filters are the lists' own
(common.filters.ListFilters, resolved as every list resolves them)."""

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import selectinload

from ..common.db import id_batches, in_ids, one_of
from ..common.filters import ListFilters
from ..common.i18n import translated_texts
from ..common.listing import ListResult, counted_to, matches_text
from ..common.search import text_matches
from ..common.text import search_blob
from ..extensions import db
from ..geo.services import place_missing, resolve_near, within
from ..organisations.models import Organisation
from ..organisations.services import resolve_common_filters
from ..venues.models import Room, Venue
from .changes import activity_changed_since
from .models import Activity, Occurrence
from .published_near import (near_activities, near_locations, near_pairs, near_result,
                             page_nearest)
from .searching import activity_conditions, few_organisations


def _paged(stmt, page, per_page, notices=(), place=None):
    """ListResult of a select of rows, counted, then one page of it."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None)
                                                                 .subquery()))
    items = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return ListResult(list(items), page, per_page, total, notices=notices, near_place=place)


def activity_loading():
    """Loader options so a list of activities serialises without a query per row."""
    return (selectinload(Activity.organisation), selectinload(Activity.focus_areas),
            selectinload(Activity.target_groups))


def _activity_where(filters, organisation_uuid=None, term_uuid=None):
    """([conditions on Activity], notices, place) of public activities matching the
    list filters; `organisation_uuid` and `term_uuid` (a focus area's or target
    group's) narrow them further; `place` where the list is near one (None)."""
    resolved = resolve_common_filters(filters)
    # A search in its indexed form (activities.searching): on PostgreSQL both halves of
    # its OR are index scans when few organisations match (a word found nowhere at
    # --scale 100000: ~340 → ~7 ms), a hash of their ids when many.
    where = [Activity.is_public,
             *activity_conditions(resolved, filters.q, filters.lang, "indexed",
                                  few_organisations(filters.q) if filters.q else None)]
    if filters.modified_after is not None:
        where.append(activity_changed_since(filters.modified_after))
    if organisation_uuid:
        where.append(Activity.organisation_id.in_(
            select(Organisation.id).where(Organisation.uuid == organisation_uuid)))
    if term_uuid:
        where.append(or_(Activity.focus_areas.any(uuid=term_uuid),
                         Activity.target_groups.any(uuid=term_uuid)))
    place, near_notice = resolve_near(filters.near)
    if place_missing(near_notice):
        where.append(false())  # near a place not found: nothing, not everything
    notices = filters.notices + resolved.notices + ((near_notice,) if near_notice else ())
    return where, notices, place


def public_activity_page(filters, page, per_page, organisation_uuid=None, term_uuid=None):
    """ListResult: page `page` of public activities (Activity.is_public) matching the
    list filters (and an organisation's or a term's UUID), by title, counted only so
    far past the page (common.listing.counted_to); near a place,
    nearest first (published_near.near_activities), at one distance by title."""
    where, notices, place = _activity_where(filters, organisation_uuid, term_uuid)
    if place is None:
        # By title (ix_activity_title), counted only so far past the page.
        ids = db.session.scalars(select(Activity.id).where(*where)
                                 .order_by(Activity.title, Activity.id)
                                 .limit(counted_to(page, per_page) + 1)).all()
        return ListResult.counted(ids, page, per_page, _activities_by_id, notices=notices)
    known, everywhere = near_activities(place, filters.radius_km, where,
                                        counted_to(page, per_page) + 1)
    shown = page_nearest(known, page, per_page, _by_title)
    return near_result(_activities_by_id(shown), page, per_page, known, everywhere,
                       notices=notices, near_place=place)


def public_activity_batches(size):
    """Every public activity, as the lists find them with no filter, `size` at a time
    by id, loaded to be serialised (the open-data export: common.db.id_batches)."""
    return id_batches(Activity.id, _activity_where(ListFilters())[0], size,
                      _activities_by_id)


def _activities_by_id(ids):
    """The activities with these ids, in that order, loaded to be serialised."""
    loaded = {a.id: a for a in db.session.scalars(select(Activity).where(
        in_ids(Activity.id, ids)).options(*activity_loading()))} if ids else {}
    return [loaded[i] for i in ids]


def _by_title(activity_ids):
    """{activity id: (title, id)}: the order of activities at one distance."""
    return {i: (title, i) for i, title in db.session.execute(
        select(Activity.id, Activity.title).where(in_ids(Activity.id, activity_ids)))}


def _pairs_by_title(keys):
    """{pair key: (title, activity id, venue id or 0)}: the order of pairs at one
    distance (as without `near`, the place's name aside)."""
    titles = _by_title({key[1] for key in keys})
    return {key: (*titles[key[1]], key[2] if key[0] == "venue" else 0) for key in keys}


def service_location_page(filters, page, per_page, organisation_uuid=None, term_uuid=None):
    """ListResult of (activity, venue or None) pairs: each public activity matching the
    filters at each active meeting place its dates are in, and at its own place (None)
    when it has one; by activity title, then place name (_pairs_in_title_order),
    counted only so far past the page; near a place, the nearest places first
    (published_near.near_pairs)."""
    where, notices, place = _activity_where(filters, organisation_uuid, term_uuid)
    if place is not None:
        known, everywhere = near_pairs(place, filters.radius_km, where,
                                       [_own_place_condition()],
                                       counted_to(page, per_page) + 1)
        wanted = [(key[1], key[2] if key[0] == "venue" else None)
                  for key in page_nearest(known, page, per_page, _pairs_by_title)]
        return near_result(_pairs_loaded(wanted), page, per_page, known, everywhere,
                           notices=notices, near_place=place)
    pairs, everything = _pairs_in_title_order(where, counted_to(page, per_page) + 1)
    offset = (page - 1) * per_page
    items = _pairs_loaded(pairs[offset:offset + per_page])
    if everything:
        return ListResult(items, page, per_page, len(pairs), notices=notices)
    return ListResult.found(items, page, per_page, len(pairs), notices=notices)


def _pairs_in_title_order(where, wanted):
    """([(activity id, venue id or None)], whether that is all of them): the pairs of
    the public activities meeting `where`, walking them by title (ix_activity_title) a
    batch at a time until `wanted` pairs are found; an activity's own place first, then
    its meeting places by name."""
    pairs, done, size = [], 0, wanted
    while len(pairs) < wanted:
        rows = db.session.execute(
            select(Activity.id, _own_place_condition()).where(*where)
            .order_by(Activity.title, Activity.id).offset(done).limit(size)).all()
        venues = activity_venues([activity_id for activity_id, _ in rows])
        for activity_id, own in rows:
            pairs += [(activity_id, None)] if own else []
            pairs += [(activity_id, venue.id) for venue in venues[activity_id]]
        if len(rows) < size:
            return pairs, True
        done, size = done + size, size * 2
    return pairs, False


def _pairs_loaded(wanted):
    """[(activity, venue or None)] of (activity id, venue id or None) pairs."""
    if not wanted:
        return []
    activities = {a.id: a for a in db.session.scalars(
        select(Activity).where(Activity.id.in_({a for a, _ in wanted}))
        .options(*activity_loading()))}
    venues = {v.id: v for v in db.session.scalars(
        select(Venue).where(Venue.id.in_({v for _, v in wanted if v})))}
    return [(activities[a], venues.get(v)) for a, v in wanted]


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
        .where(one_of(Occurrence.activity_id, activity_ids))).all()
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
    where += resolved.in_municipalities(Venue.municipality_id)
    if filters.modified_after is not None:
        where.append(Venue.updated_at >= filters.modified_after)
    if near_km is not None:
        where.append(in_ids(Venue.id, list(near_km) or [-1]))
    return select(Venue).where(*where).order_by(Venue.name, Venue.id)


def own_place_where(filters, resolved):
    """[conditions on Activity]: a public activity with a place of its own meeting the
    location filters."""
    where = [Activity.is_public, _own_place_condition()]
    if filters.q:
        where.append(matches_text(Activity, filters.q))
    where += resolved.in_municipalities(Activity.municipality_id)
    if filters.modified_after is not None:
        where.append(activity_changed_since(filters.modified_after))
    return where


def location_page(filters, page, per_page):
    """ListResult: page `page` of locations: active meeting places by name, then public
    activities' own places by title (counted only so far past the page); near a place, nearest first (published_near.
    near_locations; items are Venue or Activity rows)."""
    resolved = resolve_common_filters(filters)
    place, near_notice = resolve_near(filters.near)
    notices = filters.notices + resolved.notices + ((near_notice,) if near_notice else ())
    if place_missing(near_notice):
        return ListResult([], page, per_page, 0, notices=notices)
    if place is not None:
        venue_km = within(Venue, place, filters.radius_km)
        listed = db.session.scalars(venue_statement(filters, resolved, venue_km)
                                    .with_only_columns(Venue.id).order_by(None))
        known, everywhere = near_locations(
            place, filters.radius_km, {i: venue_km[i] for i in listed},
            own_place_where(filters, resolved), counted_to(page, per_page) + 1)
        shown = page_nearest(known, page, per_page)
        rows = {("venue", v.id): v for v in db.session.scalars(select(Venue).where(
            in_ids(Venue.id, [i for kind, i in shown if kind == "venue"])))}
        rows.update({("own", a.id): a for a in db.session.scalars(select(Activity).where(
            in_ids(Activity.id, [i for kind, i in shown if kind == "own"])))})
        return near_result([rows[key] for key in shown], page, per_page, known, everywhere,
                           notices=notices, near_place=place)
    # The meeting places (few) counted; then the own places by title (ix_activity_title),
    # counted only so far past the page.
    first = _paged(venue_statement(filters, resolved), page, per_page)
    own_ids = db.session.scalars(
        select(Activity.id).where(*own_place_where(filters, resolved))
        .order_by(Activity.title, Activity.id)
        .limit(max(0, counted_to(page, per_page) + 1 - first.total))).all()
    items = list(first.items)
    if len(items) < per_page:
        skip = max(0, (page - 1) * per_page - first.total)
        items += _activities_by_id(own_ids[skip:skip + per_page - len(items)])
    return ListResult.found(items, page, per_page, first.total + len(own_ids),
                            notices=notices)


def public_location_batches(size):
    """Every location, as location_page lists them with no filter: the active meeting
    places (few: one list), then the public activities with a place of their own,
    `size` at a time by id (the open-data export: common.db.id_batches)."""
    filters = ListFilters()
    resolved = resolve_common_filters(filters)
    yield db.session.scalars(venue_statement(filters, resolved)).all()
    yield from id_batches(Activity.id, own_place_where(filters, resolved),
                          size, _activities_by_id)


def public_venue_by_uuid(value):
    """The active meeting place with this UUID, or None."""
    return db.session.scalar(select(Venue).where(Venue.uuid == value,
                                                 Venue.active.is_(True)))


def own_place_by_uuid(activity_uuid):
    """The public activity whose own place this is (by the activity's UUID), or None."""
    activity = public_activity_by_uuid(activity_uuid)
    return activity if activity is not None and has_own_place(activity) else None
