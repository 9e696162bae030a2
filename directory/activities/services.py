"""Activity rules: materialising occurrences, and finding public ones."""

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..common.db import is_postgres
from ..common.text import like_pattern
from ..common.time import local_day_bounds, local_today, to_local, utcnow
from ..extensions import db
from ..organisations.models import Organisation
from ..organisations.services import resolve_common_filters
from ..venues.models import Room, Venue
from ..venues.occupancy import RoomCalendar, when
from .models import (Activity, ActivityError, Occurrence, activity_focus_area,
                     activity_target_group)
from .nearby import find_nearby, nearby_page_ids, occurrence_distance_km
from .schedule import slots


def horizon_end(today=None, days=365):
    """The last day occurrences are materialised for (a rolling window)."""
    return (today or local_today()) + timedelta(days=days)


def materialise_occurrences(activity, last_day):
    """Create the occurrences of `activity` up to `last_day` that do not exist yet.

    Existing occurrences (moved, cancelled, with sign-ups) are never touched;
    the series slot they stand for is `original_starts_at`. New dates go in the
    activity's room when it can hold them (see `place_new_dates`). Returns how many
    were added.
    """
    if activity.status != "active":
        return 0
    existing = set(db.session.scalars(
        select(Occurrence.original_starts_at).where(Occurrence.activity_id == activity.id)))
    new = [Occurrence(activity=activity, starts_at=s, ends_at=e, original_starts_at=s)
           for s, e in slots(activity.schedule, last_day) if s not in existing]
    place_new_dates(activity, new, strict=False)
    db.session.add_all(new)
    db.session.flush()
    return len(new)


def place_new_dates(activity, occurrences, strict=True):
    """Put new dates of an activity in its room (`Activity.room_id`), one rule for
    every way dates are made. A day the meeting place is closed gives a cancelled date
    saying so. A date the room cannot hold (in use, outside the opening hours): with
    `strict`, ActivityError naming the dates; otherwise the date is made without the
    room. Returns the dates left without their room."""
    with db.session.no_autoflush:  # the dates are checked before any is written
        room = db.session.get(Room, activity.room_id) if activity.room_id else None
    if room is None:
        return []
    trouble, unplaced = [], []
    with db.session.no_autoflush:
        calendar = RoomCalendar(room, [(o.starts_at, o.ends_at) for o in occurrences])
        for occ in occurrences:
            closed = calendar.closure_on(to_local(occ.starts_at).date())
            if closed is not None:
                occ.room_id = room.id
                occ.status = "cancelled"
                occ.cancel_reason = str(_l("The meeting place is closed that day "
                                           "(%(reason)s).", reason=closed.reason or "–"))
                continue
            reasons = calendar.problems(occ.starts_at, occ.ends_at, occurrence_id=occ.id)
            if reasons:
                trouble.append((occ.starts_at, occ.ends_at, reasons))
                unplaced.append(occ)
            else:
                occ.room_id = room.id
        if trouble and strict:
            raise room_trouble("room_id", room, trouble)
    return unplaced


def room_trouble(field, room, trouble):
    """ActivityError beside `field` naming the dates the room cannot hold and why:
    trouble is [(starts_at, ends_at, [reason])]."""
    shown = "; ".join(f"{when(s, e)}: {' '.join(str(r) for r in reasons)}"
                      for s, e, reasons in trouble[:5])
    if len(trouble) > 5:
        shown += " …"
    return ActivityError(field, _ln(
        "%(num)d date cannot be in %(room)s: %(dates)s",
        "%(num)d dates cannot be in %(room)s: %(dates)s", len(trouble),
        room=f"{room.venue.name}, {room.name}", dates=shown))


def extend_all_occurrences(last_day):
    """Materialise every active activity up to `last_day`; returns the count added."""
    total = 0
    for activity in db.session.scalars(select(Activity).where(Activity.status == "active")):
        total += materialise_occurrences(activity, last_day)
    return total


# Finding public occurrences
#
# At --scale 10000 there are some 300,000 occurrences, so the list pages must not
# join and sort them all. The filters become conditions on the activity (public,
# text, focus, language ...) and on the occurrence (dates; room). A page is fetched
# one of two ways, chosen from how many occurrences match (the page counts them
# anyway, for its total):
#   - "walk": occurrences in time order (ix_occurrence_starts), checking each one's
#     activity, until the page is full. Cheap when matches are plentiful.
#   - "collect": the matching activities' occurrences (ix_occurrence_activity_ends),
#     then sorted. Cheap when matches are few.
# SQLite keeps no statistics to choose for itself. PostgreSQL turns both forms into
# the plan its own statistics suggest. tests/test_activities_listing.py holds both
# ways to the same answer.

# Every date starts and ends on one day (activities/schedule.py, editing.py); a day
# is at most 25 hours (summer time ends), so two days bound any date with room to spare.
LONGEST_DATE = timedelta(days=2)
# Up to this many matches, collecting and sorting them costs less than a walk's
# start (passing the occurrences that have ended, in the index).
FEW_MATCHES = 20000
# Walking past one occurrence costs about this many times as much as sorting one.
WALK_COST = 8
# When a filter keeps more than FEW_MATCHES, we take it to keep at least one in
# this many occurrences: true at every scale we know, and cheaper than counting the
# whole window to be sure. A wrong guess costs milliseconds, never a wrong answer.
SPREAD = 12


@dataclass
class OccurrenceQuery:
    """Filters turned into SQL conditions, once (unknown slugs add one notice each)."""

    activity_conditions: list  # on Activity; none: every public activity
    time_conditions: list      # on Occurrence.ends_at and starts_at
    place_conditions: list     # on Occurrence.room_id
    nearby: object = None      # activities.nearby.Nearby when near a place
    # Every matching date started after this (it has not ended, and lasts less than
    # LONGEST_DATE): where a walk in time order starts, instead of passing every date
    # of the past, which grows with the years. Counting needs no such bound.
    walk_from: object = None

    @property
    def narrows(self):
        """Whether anything but the dates narrows the list."""
        return bool(self.activity_conditions or self.place_conditions or self.nearby)

    def activity_matches_each(self):
        """The activity conditions, checked per occurrence (correlated)."""
        return self._activity_matches(True)

    def _near(self):
        return [self.nearby.condition()] if self.nearby else []

    def matching_activities(self):
        """A select of the ids of public activities meeting the activity conditions."""
        return select(Activity.id).where(_activity_is_public(), *self.activity_conditions)

    def _activity_matches(self, per_occurrence, walking=False):
        if per_occurrence:
            # Correlated: SQLite checks the activity of each occurrence it comes to,
            # walking in time order or starting from a venue's rooms.
            check = select(Activity.id).where(Activity.id == Occurrence.activity_id,
                                              _activity_is_public(), *self.activity_conditions)
            if walking and is_postgres():
                # A walk in time order: OFFSET 0 keeps PostgreSQL from making a join of
                # it, which under the LIMIT it may run as a list of every matching
                # activity scanned for each date (a text search: 85 → 58 ms at
                # --scale 10000). Counting, or starting from rooms, needs no fence.
                check = check.offset(0)
            return check.exists()
        return Occurrence.activity_id.in_(self.matching_activities())

    def statement(self, walk):
        """A select of matching occurrences, soonest first, taking the given way."""
        activity_matches = self._activity_matches(walk or bool(self.place_conditions),
                                                  walking=walk and not self.place_conditions)
        started = ([Occurrence.starts_at > self.walk_from]
                   if walk and self.walk_from is not None else [])
        return (select(Occurrence)
                .where(activity_matches, *self.time_conditions, *started,
                       *self.place_conditions, *self._near())
                .order_by(Occurrence.starts_at, Occurrence.id))

    def count(self):
        """How many occurrences match."""
        if self.narrows:
            return db.session.scalar(
                select(func.count()).select_from(Occurrence).where(
                    self._activity_matches(bool(self.place_conditions)),
                    *self.time_conditions, *self.place_conditions, *self._near()))
        # Every public activity: count all in the time window (on ix_occurrence_ends
        # alone) and take away those of activities that are not public, rather than
        # checking each occurrence's organisation.
        hidden_activities = select(Activity.id).where(Activity.organisation_id.in_(
            select(Organisation.id).where(Organisation.status != "verified")))
        hidden = (select(func.count()).select_from(Occurrence)
                  .where(Occurrence.activity_id.in_(hidden_activities), *self.time_conditions)
                  .scalar_subquery())
        return db.session.scalar(select(self._in_window() - hidden))

    def _in_window(self):
        return (select(func.count()).select_from(Occurrence).where(*self.time_conditions)
                .scalar_subquery())

    def walk_is_cheaper(self, matches, rows_wanted):
        """Whether walking in time order beats collecting and sorting `matches` rows.

        To fill the page a walk passes about rows_wanted × (occurrences in the
        window) / matches occurrences, each costing WALK_COST sorted ones.
        """
        if matches <= FEW_MATCHES:
            return False
        spread = SPREAD if self.narrows else 1
        return rows_wanted * spread * WALK_COST <= matches


def _activity_is_public():
    """The activity's organisation is verified.

    Checked per activity (correlated) rather than as a list of verified
    organisations, so SQLite never walks that list to find activities.
    """
    return (select(Organisation.id)
            .where(Organisation.id == Activity.organisation_id,
                   Organisation.status == "verified")
            .exists())


def occurrence_query(filters, now=None):
    """Turn list filters into an OccurrenceQuery.

    Public: the organisation is verified. Without `from`, occurrences that have not
    yet ended; `to` includes that whole Stockholm day.
    """
    now = now or utcnow()
    resolved = resolve_common_filters(filters)
    on_activity, on_time, on_place = [], [], []
    since = local_day_bounds(filters.date_from)[0] if filters.date_from else now
    on_time.append(Occurrence.ends_at > since)
    if filters.date_to:
        on_time.append(Occurrence.starts_at < local_day_bounds(filters.date_to)[1])
    if filters.q:
        pattern = like_pattern(filters.q)
        on_activity.append(or_(
            Activity.search_text.like(pattern, escape="\\"),
            Activity.organisation_id.in_(select(Organisation.id).where(
                Organisation.search_text.like(pattern, escape="\\")))))
    if resolved.focus_ids:
        on_activity.append(Activity.id.in_(
            select(activity_focus_area.c.activity_id)
            .where(activity_focus_area.c.focus_area_id.in_(resolved.focus_ids))))
    if resolved.target_ids:
        on_activity.append(Activity.id.in_(
            select(activity_target_group.c.activity_id)
            .where(activity_target_group.c.target_group_id.in_(resolved.target_ids))))
    if filters.lang:
        on_activity.append(Activity.language_codes.like(Activity.language_pattern(filters.lang)))
    if resolved.municipality_id:
        on_activity.append(Activity.municipality_id == resolved.municipality_id)
    if resolved.organisation_id:
        on_activity.append(Activity.organisation_id == resolved.organisation_id)
    nearby = find_nearby(filters) if filters.near else None
    if filters.venue:
        venue_id = db.session.scalar(select(Venue.id).where(Venue.slug == filters.venue))
        if venue_id is None:
            filters.notices.append(_l("There is no meeting place “%(value)s”; "
                                      "that filter is ignored.", value=filters.venue))
        else:
            on_place.append(at_venues([venue_id]).condition())
    return OccurrenceQuery(on_activity, on_time, on_place, nearby, since - LONGEST_DATE)


@dataclass(frozen=True)
class AtVenues:
    """"At this meeting place": the date is in one of its rooms (Occurrence.room_id,
    the one record of where a date is). The one definition, as SQL for lists and as a
    test of a loaded date, for the venue's page and week, /activities?venue=, the API,
    the venue feed and partner feeds."""

    room_ids: frozenset

    def condition(self):
        """SQL: the occurrence is at one of the meeting places."""
        return Occurrence.room_id.in_(sorted(self.room_ids) or [-1])

    def holds(self, occurrence):
        return occurrence.room_id in self.room_ids


def at_venues(venue_ids):
    """AtVenues for these meeting places (ids)."""
    return AtVenues(frozenset(db.session.scalars(
        select(Room.id).where(Room.venue_id.in_(list(venue_ids))))))


def public_occurrences(filters, now=None):
    """A select of public occurrences matching `filters`, soonest first.

    Without a count to go by, it walks in time order only when no filter narrows
    the activities (the home page); otherwise it collects and sorts.
    """
    query = occurrence_query(filters, now)
    return query.statement(walk=not query.narrows).options(*occurrence_loading())


class OccurrencePage(Pagination):
    """One page of public occurrences with the exact total, for pages and the API.

    The total is counted first, and picks the cheaper way to fetch the page: the
    page's ids on their own, then those rows with what rendering needs.
    """

    def _query_items(self):
        filters = self._query_args["filters"]
        query = occurrence_query(filters, self._query_args.get("now"))
        offset = (self.page - 1) * self.per_page
        if query.nearby is not None:
            self._total, ids = nearby_page_ids(query, query.nearby, offset, self.per_page,
                                               self._query_args.get("one_per_place", False))
            items = occurrences_by_id(ids)
            for occ in items:
                filters.distances[occ.id] = occurrence_distance_km(occ, filters.near_place)
            return items
        self._total = query.count()
        if offset >= self._total:
            return []
        walk = query.walk_is_cheaper(self._total, offset + self.per_page)
        ids = db.session.scalars(query.statement(walk).with_only_columns(Occurrence.id)
                                 .limit(self.per_page).offset(offset)).all()
        return occurrences_by_id(ids)

    def _query_count(self):
        return self._total


def public_occurrence_page(filters, page, per_page, now=None, one_per_place=False):
    """Page `page` (from 1) of public occurrences matching `filters`, soonest first.

    Near a place (`filters.near`): nearest first, then soonest, with each shown
    occurrence's distance in `filters.distances` by occurrence id; `one_per_place`
    gives each activity's next occurrence at each place only (see activities.nearby).
    """
    return OccurrencePage(page=page, per_page=per_page, max_per_page=None, error_out=False,
                          filters=filters, now=now, one_per_place=one_per_place)


def occurrences_by_id(ids):
    """The occurrences with these ids, in the order given, loaded for rendering."""
    if not ids:
        return []
    found = {o.id: o for o in db.session.scalars(
        select(Occurrence).where(Occurrence.id.in_(ids)).options(*occurrence_loading()))}
    return [found[i] for i in ids if i in found]


def occurrence_loading():
    """Loader options so a list of occurrences renders without a query per row."""
    return (joinedload(Occurrence.activity).joinedload(Activity.organisation),
            joinedload(Occurrence.room).joinedload(Room.venue),
            selectinload(Occurrence.activity, Activity.focus_areas),
            selectinload(Occurrence.activity, Activity.target_groups))


def public_activity(activity_id):
    """The activity when public (its organisation verified), else None."""
    activity = db.session.get(Activity, activity_id)
    if activity is None or activity.organisation.status != "verified":
        return None
    return activity


def public_occurrence(occurrence_id):
    occurrence = db.session.get(Occurrence, occurrence_id)
    if occurrence is None or occurrence.activity.organisation.status != "verified":
        return None
    return occurrence


def upcoming_occurrences_of(activity, limit=10, now=None):
    return db.session.scalars(
        select(Occurrence).where(Occurrence.activity_id == activity.id,
                                 Occurrence.ends_at > (now or utcnow()))
        .order_by(Occurrence.starts_at).limit(limit)
        .options(joinedload(Occurrence.room).joinedload(Room.venue))).all()
