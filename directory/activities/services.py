"""Finding public occurrences (an activity's dates are made in materialising.py)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache

from sqlalchemy import bindparam, false, func, literal, select

from ..common.db import among, among_value, id_array_of, in_ids, in_many_ids, is_postgres
from ..common.listing import ListResult, counted_to
from ..common.remembered import recalled, remembered
from ..common.time import this_minute
from ..common.transactions import INLINED, WORDS
from ..common.types import UTCDateTime
from ..extensions import db
from ..geo.services import place_missing
from ..organisations.services import ResolvedFilters, resolve_common_filters
from .at_venue import venue_conditions
from .cards import cards_of, listed_cards
from .changes import occurrence_changed_since
from .dates_asked import LONGEST_DATE, date_conditions, walk_start
from .hidden import hidden_by_id, shown_activity
from .listed import listed_dates, walked_dates, walked_rows
from .models import Activity, Occurrence
from .nearby import find_nearby, near_page
from .searching import TextForms, activity_conditions


# Finding public occurrences
#
# At --scale 10000 there are some 300,000 occurrences: a list must not sort them all.
# Filters become conditions on the activity and the occurrence. A page is fetched:
#   - "walk": occurrences in list order (ix_occurrence_starts: start, then id),
#     checking each one's activity (every public date's list: leaving out the hidden
#     ones, read from the index alone), until the page and the few counted past it are
#     found, over a bounded stretch of coming dates. Cheap when matches are plentiful.
#     Every public date's list reads its page's rows in the walk's own statement.
#   - "collect": the matching activities' occurrences (ix_occurrence_activity_ends),
#     then sorted: when the walk ran out (matches are few). On PostgreSQL a search
#     whose walk ran out but whose matching activities are many walks every coming
#     date again, looking each one's activity up in a hash of their ids (walk_among).
# SQLite keeps no statistics; PostgreSQL plans both forms by its own. tests/
# test_activities_listing.py holds both ways to the same answer.

# A walk in time order looks at no more than this many dates for each one it is to
# find (a filter keeping one date in 40 or more fills its pages within that); a filter
# keeping fewer is answered by collecting and sorting its dates, few by then.
WALK_REACH = 40
# Without a filter a walk keeps every public date: most of them, at any scale we know.
WALK_REACH_UNFILTERED = 4
# A walk with fewer coming dates than its reach walks them all: up to here.
WALK_END = datetime(9999, 1, 1, tzinfo=UTC)
# When a walk runs out, the matches of this stretch of time are collected first.
COLLECT_FIRST = timedelta(days=7)
# A search matching at most this many activities (PostgreSQL, after a walk ran out):
# their dates are collected by their ids, found first in the text indexes.
FEW_ACTIVITIES = 200
# More, up to this many: walk_among ("language cafe" at --scale 100000: 13,549 evening
# activities searched in the morning; collecting the week read every activity ~365 →
# ~130 ms). More still: collected as for a filter.
MANY_ACTIVITIES = 30000
# The parameter of walk_among's ids: a search's, run unprepared (common.db.in_many_ids).
FOUND = f"{WORDS}_found_activities"
# A walk runs with its values in its text on PostgreSQL (transactions.INLINED).
WANTED = f"{INLINED}_wanted"
# The plain walk's parameter of the activities that are not public (activities.hidden),
# left out by id when few (more: each date's organisation looked up).
HIDDEN = "hidden_activities"


@dataclass(frozen=True)
class OccurrenceQuery:
    """Filters turned into SQL conditions, once; `notices` says what of the filters
    named nothing (an unknown slug or meeting place, a place not found)."""

    activity_conditions: list  # on Activity; none: every public activity
    time_conditions: list      # on Occurrence: ends_at, starts_at, when it changed
    place_conditions: list     # on Occurrence.room_id
    nearby: object = None      # activities.nearby.Nearby when near a place
    # Every matching date started at this moment or after (walk_start): where a walk
    # in time order starts, passing no date that ended. Counting needs no such bound.
    walk_from: object = None
    notices: tuple = ()
    # A search's activity conditions by form (searching.TextForms); None: no search.
    text_forms: object = None
    # Every public date ending after this moment, nothing else asked: the walk's
    # statement is built once (_plain_walk), not for each request (~0.6 ms).
    plain_since: object = None
    # SQL on Occurrence: its activity is public (the plain walk's: not one of
    # activities.hidden), where no activity condition is asked; else checked per date.
    public_dates: object = None
    # The dates are those ending after this moment, nothing else asked of their time
    # or room: the statements near a place are built once (activities.near_statements).
    dates_since: object = None
    # The words of a search asked alone (with dates_since; no other filter): its walk
    # is built once per search (_search_walk).
    search_alone: str | None = None

    @property
    def narrows(self):
        """Whether anything but the dates narrows the list."""
        return bool(self.activity_conditions or self.place_conditions or self.nearby)

    def conditions(self, form):
        """The activity conditions with the text in `form` (activities.searching)."""
        return self.activity_conditions if self.text_forms is None else \
            self.text_forms[form]

    def found_activities(self, most):
        """PostgreSQL: a search's matching public activities, read from the text
        indexes, when at most `most` (their ids); None when more, or not a search.
        Remembered per data version (common.remembered), so that a search asked again
        neither reads them again nor walks first (recalled_found)."""
        if self.text_forms is None:
            return None
        return remembered(self._found_key(most), lambda: self._found(most), large=True)

    def _found(self, most):
        found = select(Activity.id).where(shown_activity(),
                                          *self.conditions("indexed")).limit(most + 1)
        ids = id_array_of(found) if is_postgres() else db.session.scalars(found).all()
        return ids if len(ids) <= most else None

    def _found_key(self, most):
        """What the matching activities depend on besides the data: the words, the
        spoken language and the other filters' ids (TextForms)."""
        forms, asked = self.text_forms, self.text_forms.resolved
        return ("a search's activities", most, forms.q, forms.lang, *(
            None if ids is None else tuple(sorted(ids)) for ids in (
                asked.focus_ids, asked.target_ids, asked.municipality_ids,
                asked.organisation_ids)))

    def recalled_found(self):
        """The matching activities of a search whose walk ran out before
        (found_activities: remembered), else None."""
        if self.text_forms is None or not is_postgres():
            return None
        return recalled(self._found_key(MANY_ACTIVITIES), large=True)

    def _near(self):
        return [self.nearby.condition()] if self.nearby else []

    def matching_activities(self):
        """A select of the ids of public activities meeting the activity conditions."""
        return select(Activity.id).where(shown_activity(), *self.activity_conditions)

    def _activity_matches(self, per_occurrence, walking=False):
        if self.public_dates is not None and not self.activity_conditions:
            return self.public_dates
        if per_occurrence:
            # Correlated: SQLite checks the activity of each occurrence it comes to,
            # walking in time order or starting from a venue's rooms.
            conditions = self.conditions("each" if walking else "set")
            check = select(Activity.id).where(Activity.id == Occurrence.activity_id,
                                              shown_activity(), *conditions)
            if walking and is_postgres():
                # A walk in time order: OFFSET 0 keeps PostgreSQL from making a join of
                # it, which under the LIMIT it may run as a list of every matching
                # activity scanned for each date (a text search: 85 → 58 ms at
                # --scale 10000). Counting, or starting from rooms, needs no fence.
                check = check.offset(0)
            return check.exists()
        return Occurrence.activity_id.in_(self.matching_activities())

    def statement(self, walk, activity_ids=None):
        """A select of matching occurrences, soonest first, taking the given way (or,
        given `activity_ids`, the matching activities' ids: the dates of those)."""
        activity_matches = (in_ids(Occurrence.activity_id, activity_ids)
                            if activity_ids is not None else
                            self._activity_matches(walk or bool(self.place_conditions),
                                                   walking=walk and not self.place_conditions))
        started = ([Occurrence.starts_at >= self.walk_from]
                   if walk and self.walk_from is not None else [])
        return (select(Occurrence)
                .where(activity_matches, *self.time_conditions, *started,
                       *self.place_conditions, *self._near())
                .order_by(Occurrence.starts_at, Occurrence.id))

    @property
    def walks(self):
        """Whether the dates are found by a walk in time order first (first_ids)."""
        return (not self.place_conditions and not self.nearby
                and self.walk_from is not None)

    @property
    def walks_with_rows(self):
        """Whether a page is read with the walk in one statement (walk_page): for the
        walk over every public date (the JSON page, /activities) alone: planning a
        filter's or a search's walk together with the page's rows cost PostgreSQL more
        than the round trip saved (at --scale 10000: q=läxhjälp ~4 ms more,
        focus=arbete&lang=ar ~1.5 ms more; the JSON page of 100 dates ~0.6 ms less)."""
        return self.walks and self.plain_since is not None

    def walk(self, wanted):
        """The ids of the first `wanted` matching dates walking in time order, looking
        at no more than WALK_REACH × wanted coming dates (WALK_REACH_UNFILTERED × without
        a filter); fewer when the walk ran out."""
        stmt, values = self._walk(wanted)
        return db.session.connection().execute(stmt, values).scalars().all()

    def walk_page(self, wanted, offset, per_page):
        """A page of the walk's first `wanted` dates read with the walk in one statement
        (activities.listed.walked_rows): (wanted, [(row, Tags)] of the dates offset+1 …
        offset+per_page). None when not walked so (walks_with_rows), or the walk ran
        out: its dates are then collected (first_ids)."""
        if not self.walks_with_rows:
            return None
        values = self._walk(wanted)[1]
        found, listed = walked_dates(_plain_walked_rows(is_postgres(), HIDDEN in values), {
            **values, "page_offset": offset, "page_size": per_page})
        return (found, listed) if found == wanted else None

    def _walk(self, wanted):
        """(statement, values) of the walk (walk)."""
        stop = (WALK_REACH if self.narrows else WALK_REACH_UNFILTERED) * wanted
        if self.search_alone is not None:
            return _search_walk(is_postgres(), self.search_alone, self.text_forms.few,
                                hidden_by_id()), {"since": self.dates_since,
                                                   "walk_from": self.walk_from,
                                                   "stop": stop, WANTED: wanted}
        if self.plain_since is None:
            return self.walk_statement(stop, bindparam(WANTED, wanted)), None
        # Every public date: the statement built once, the moments as values.
        hidden = hidden_by_id()
        by_id = {HIDDEN: among_value(sorted(hidden))} if hidden is not None else {}
        return _plain_walk(is_postgres(), bool(by_id)), {
            "since": self.plain_since, "walk_from": self.walk_from, "stop": stop,
            WANTED: wanted, **by_id}

    def walk_statement(self, stop, wanted):
        """The walk's select: the ids (and starts) of the first `wanted` matching dates
        starting no later than the `stop`th coming date (values, or bound
        parameters; `wanted` bound as WANTED: run with its values in its text)."""
        started = [*self.time_conditions, Occurrence.starts_at >= self.walk_from]
        # Where the walk stops: the start of the last coming date it may look at, one
        # step along the index, in the same statement (none: fewer coming dates than
        # that, walk them all).
        last = func.coalesce(select(Occurrence.starts_at).where(*started)
                             .order_by(Occurrence.starts_at).offset(stop).limit(1)
                             .scalar_subquery(), literal(WALK_END, UTCDateTime()))
        return (self.statement(walk=True)
                .with_only_columns(Occurrence.id, Occurrence.starts_at)
                .where(Occurrence.starts_at <= last, *self._any_found()).limit(wanted))

    def _any_found(self):
        """[SQL] for a search's walk on PostgreSQL naming its few matching organisations
        (searching.few_organisations): that any activity matches at all, asked once of
        the text indexes before each date is looked at (a search finding nothing walked
        thousands: ~12 ms at --scale 10000). None when the organisations are many."""
        if self.text_forms is None or not is_postgres() or self.text_forms.few is None:
            return []
        return [select(Activity.id).where(shown_activity(),
                                          *self.conditions("indexed")).exists()]

    def collect(self, wanted, within=None, activity_ids=None):
        """The ids of the first `wanted` matching dates (starting before `within`, when
        given; of `activity_ids`, when given: the matching activities): every match
        collected, then sorted. The matches are a subquery of their own (OFFSET 0:
        planned apart), or PostgreSQL walks every coming date in time order looking for
        rare matches (a search finding nothing: 500 ms)."""
        stmt = self.statement(walk=False, activity_ids=activity_ids)
        if within is not None:
            # Bounded on both ends, so each activity's dates come from one short range
            # of ix_occurrence_activity_ends.
            stmt = stmt.where(Occurrence.starts_at < within,
                              Occurrence.ends_at < within + LONGEST_DATE)
        matches = (stmt.with_only_columns(Occurrence.id, Occurrence.starts_at)
                   .order_by(None).offset(0).subquery())
        return db.session.scalars(select(matches.c.id)
                                  .order_by(matches.c.starts_at, matches.c.id)
                                  .limit(wanted)).all()

    def first_ids(self, wanted, walked=False):
        """The ids of the first `wanted` matching dates (all of them when fewer),
        soonest first, taking the cheaper way: a walk in time order while the matches
        are many among the coming dates, else collecting them (on PostgreSQL, a search
        matching few activities: the dates of those, by their ids). `walked`: the walk
        ran out already (walk_page)."""
        few = None
        if self.walks:
            # Known from an asking before: no walk ("language cafe" in the morning at
            # --scale 100000 ran out after ~4,000 dates, ~18 ms).
            found = self.recalled_found()
            if found is None:
                ids = [] if walked else self.walk(wanted)
                if len(ids) == wanted:
                    return ids
                found = self.found_activities(MANY_ACTIVITIES) if is_postgres() else None
            if found is not None and not found:
                return []
            if found is not None and len(found) > FEW_ACTIVITIES:
                return self.walk_among(wanted, found)
            few = found
            # Matches clustered in time (evening activities, a walk over this morning's
            # dates): the coming week's first; enough of them are the first of all.
            ids = self.collect(wanted, self.walk_from + COLLECT_FIRST, few)
            if len(ids) == wanted:
                return ids
        return self.collect(wanted, activity_ids=few)

    def walk_among(self, wanted, activity_ids):
        """The ids of the first `wanted` dates of these activities (the matching
        ones), walking every coming date in time order and looking each one's
        activity up in a hash of their ids (common.db.in_many_ids)."""
        among_found = in_many_ids(Occurrence.activity_id, activity_ids, FOUND)
        return db.session.scalars(
            select(Occurrence.id).where(among_found, *self.time_conditions,
                                        *self.place_conditions, *self._near(),
                                        Occurrence.starts_at >= self.walk_from)
            .order_by(Occurrence.starts_at, Occurrence.id).limit(wanted)).all()


def occurrence_query(filters, now=None):
    """Turn list filters into an OccurrenceQuery (never writing into `filters`).

    Public: Activity.is_public. Without `from`, occurrences that have not yet ended;
    `to` includes that whole Stockholm day.
    """
    resolved = resolve_common_filters(filters)
    since, on_time = date_conditions(filters, now or this_minute())
    on_time += occurrence_changed_since(filters.modified_after)
    nearby, near_notices = find_nearby(filters.near, filters.radius_km)
    if any(place_missing(n) for n in near_notices):
        on_time.append(false())  # near a place not found: no dates, not every date
    on_place, venue_notices = venue_conditions(filters.venue)
    forms = TextForms(resolved, filters.q, filters.lang) if filters.q else None
    conditions = forms["set"] if forms else activity_conditions(resolved, "", filters.lang)
    # Nothing asked but the dates from `since` (on_time holds that condition alone).
    plain_dates = len(on_time) == 1 and not on_place
    plain = plain_dates and not (conditions or nearby)
    alone = plain_dates and forms is not None and not (
        nearby or filters.lang or resolved.asks_anything)
    return OccurrenceQuery(conditions, on_time, on_place, nearby, walk_start(since),
                           resolved.notices + near_notices + venue_notices, forms,
                           since if plain else None,
                           dates_since=since if plain_dates else None,
                           search_alone=filters.q if alone else None)


@cache
def _plain_walked_rows(postgres, hidden_by_id):
    """A page of _plain_walk with its rows (walk_page), built once too."""
    return walked_rows(_plain_walk(postgres, hidden_by_id))


@cache
def _plain_walk(postgres, hidden_by_id):
    """The walk over every public date (OccurrenceQuery.walk_statement, the same
    rules), its moments, counts (and with `hidden_by_id` the activities that are not
    public) bound when run; one per kind of database."""
    return _walk_built_once([], public_dates=~among(Occurrence.activity_id, HIDDEN, postgres)
                            if hidden_by_id else None)


@lru_cache(maxsize=64)
def _search_walk(postgres, q, few, hidden):
    """The walk of a search asked alone (OccurrenceQuery.search_alone), built once per
    search and what it is built with besides (the few organisations its words find, the
    activities not public when few: read again within, the same per data version); its
    moments and counts bound when run (at --scale 10000 ~1.3 ms a page less)."""
    forms = TextForms(ResolvedFilters(), q, "")
    return _walk_built_once(forms["set"], text_forms=forms)


def _walk_built_once(activity_conditions, **fields):
    """The walk of the dates not ended at parameter `since`, from `walk_from`, with
    these conditions (OccurrenceQuery's fields), its counts `stop` and WANTED bound."""
    moment = UTCDateTime()
    query = OccurrenceQuery(activity_conditions,
                            [Occurrence.ends_at > bindparam("since", type_=moment)], [],
                            walk_from=bindparam("walk_from", type_=moment), **fields)
    return query.walk_statement(bindparam("stop"), bindparam(WANTED))


def public_occurrence_page(filters, page, per_page, now=None, one_per_place=False,
                           rows=False):
    """ListResult: page `page` (from 1) of public occurrences matching `filters`,
    soonest first; near a place (`filters.near`) nearest first (nearby.near_page;
    `one_per_place`: each activity's next date at each place). The dates are counted
    only so far past the page (common.listing.counted_to): the total is exact below
    that, else a lower bound (counted_all). The items are dates as lists show them
    (activities.cards), or with `rows` plain rows with their tags (listed: the API's).
    """
    query = occurrence_query(filters, now)
    notices = filters.notices + query.notices
    offset = (page - 1) * per_page
    wanted = counted_to(page, per_page) + 1
    if query.nearby is not None:
        return near_page(query, page, per_page, wanted, notices, one_per_place, rows)
    walked = query.walk_page(wanted, offset, per_page)
    if walked is not None:
        found, listed = walked
        return ListResult.found(listed if rows else cards_of(listed), page, per_page,
                                found, notices=notices)
    ids = query.first_ids(wanted, walked=query.walks_with_rows)
    return ListResult.counted(ids, page, per_page, listed_dates if rows else listed_cards,
                              notices=notices)
