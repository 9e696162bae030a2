"""The coordinators' follow-up: figures for a period and a scope, by focus area, target
group, organisation, municipality and month; room hours and occupancy per meeting place;
new and verified organisations.

Plain functions: they take the period and the municipality (None: every one the
coordinator reaches, the view decides that with `in_scope`) and return plain rows, every
table of dates from the same two grouped queries (date_tables). A date counts in the
period when it starts within it (Stockholm days); a room use counts with the part of it
inside the period.
"""

import calendar
from dataclasses import dataclass
from datetime import date, time, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, distinct, extract, func, literal, select, text

from ..activities.models import (Activity, Occurrence, activity_focus_area,
                                 activity_target_group)
from ..common.db import in_ids, is_postgres
from ..common.time import combine_local, local_day_bounds
from ..common.types import UTCDateTime
from ..extensions import db
from ..geo.geocoder import nearest_place_name
from ..organisations.models import Organisation
from ..taxonomy.models import FocusArea, Municipality, TargetGroup
from ..venues.models import Closure, OpeningHours, Room, Venue
from ..venues.occupancy import RoomUse

PERIODS = ("month", "quarter", "year", "dates")
# The longest span of "dates" (its months are one SQL expression, so it is bounded).
MAX_DAYS = 3 * 366
GROUPS = {"focus": _l("Focus area"), "target": _l("Target group"),
          "organisation": _l("Organisation"), "municipality": _l("Municipality"),
          "district": _l("Town or district"), "month": _l("Month")}
DATE_COLUMNS = (_l("Activities"), _l("Dates held"), _l("Dates cancelled"),
                _l("Places offered"), _l("Sign-ups"), _l("Waiting list"), _l("Attendance"),
                _l("Attendance, share of places"))
ROOM_COLUMNS = (_l("Meeting place"), _l("Rooms"), _l("Room hours used"),
                _l("Room hours open"), _l("Occupancy"))
ORGANISATION_COLUMNS = (_l("Municipality"), _l("New organisations"),
                        _l("Verified organisations"))


@dataclass(frozen=True)
class Period:
    """Stockholm days `first` to `last`, both included."""

    kind: str
    first: date
    last: date

    @property
    def start(self):
        return local_day_bounds(self.first)[0]

    @property
    def end(self):
        return local_day_bounds(self.last)[1]

    def months(self):
        """The first day of every month the period touches."""
        month, found = self.first.replace(day=1), []
        while month <= self.last:
            found.append(month)
            month = _next_month(month)
        return found


def _next_month(day):
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def period_for(kind, start, end=None):
    """The month, quarter or year around `start`, or the days from `start` to `end`
    (swapped when reversed, at most MAX_DAYS)."""
    kind = kind if kind in PERIODS else "month"
    if kind == "month":
        last = start.replace(day=calendar.monthrange(start.year, start.month)[1])
        return Period(kind, start.replace(day=1), last)
    if kind == "quarter":
        first = date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
        return Period(kind, first, _next_month(_next_month(_next_month(first)))
                      - timedelta(days=1))
    if kind == "year":
        return Period(kind, date(start.year, 1, 1), date(start.year, 12, 31))
    first, last = sorted((start, end or start))
    return Period(kind, first, min(last, first + timedelta(days=MAX_DAYS)))


@dataclass(frozen=True)
class DateFigures:
    """One row of a follow-up table of dates."""

    key: object
    label: str
    activities: int
    held: int
    cancelled: int
    places: int
    signups: int
    waiting: int
    attended: int
    # Attendance as a share of the places of the dates where attendance was written.
    attended_share: float | None

    def cells(self):
        return (self.label, self.activities, self.held, self.cancelled, self.places,
                self.signups, self.waiting, self.attended, self.attended_share)


def _month_key(period):
    """SQL: the Stockholm month ("2026-11") a date starts in, as bounds in UTC."""
    whens = [(Occurrence.starts_at < combine_local(_next_month(m), time(0)),
              m.strftime("%Y-%m")) for m in period.months()]
    return case(*whens, else_=None)


def _date_sums(now):
    """The figures of a group of dates, as SQL sums (held, cancelled, places, sign-ups,
    waiting, attended, places where attendance was written)."""
    scheduled = Occurrence.status == "scheduled"
    places = func.coalesce(Occurrence.capacity, Activity.default_capacity)
    written = and_(scheduled, Occurrence.attended_count.is_not(None))
    return (func.sum(case((and_(scheduled, Occurrence.starts_at < now), 1), else_=0)),
            func.sum(case((Occurrence.status == "cancelled", 1), else_=0)),
            func.sum(case((scheduled, func.coalesce(places, 0)), else_=0)),
            func.sum(case((scheduled, Occurrence.confirmed_count), else_=0)),
            func.sum(case((scheduled, Occurrence.waitlist_count), else_=0)),
            func.sum(case((written, Occurrence.attended_count), else_=0)),
            func.sum(case((written, func.coalesce(places, 0)), else_=0)))


def _in_period(query, period, municipality_id):
    query = query.where(Occurrence.starts_at >= period.start,
                        Occurrence.starts_at < period.end)
    if municipality_id is not None:
        query = query.where(Activity.municipality_id == municipality_id)
    return query


def date_figures(by, period, municipality_id, now):
    """The dates starting in the period, of activities in the municipality (None: all),
    grouped `by` one of GROUPS. An activity in two focus areas counts in both; "held"
    is a date not cancelled that started before `now`."""
    return date_tables((by,), period, municipality_id, now)[by]


def date_tables(names, period, municipality_id, now):
    """{name: [DateFigures]} for each of `names` (GROUPS), from two scans of the dates
    however many tables: their sums by month (one grouped query), and by activity and
    place (one grouped query), added up here by focus area, target group, organisation,
    municipality and town or district (a year of a county's dates: 6.6 → 1 s)."""
    tables = {}
    if "month" in names:
        tables["month"] = _month_figures(period, municipality_id, now)
    by_activity = [n for n in names if n != "month"]
    if by_activity:
        rows = _activity_sums(period, municipality_id, now)
        for name in by_activity:
            groups = _added_up(rows, _keys_of(name, municipality_id))
            labels = (_labels(name, list(groups)) if name != "district"
                      else {k: k for k in groups})
            found = [DateFigures(key, labels.get(key) or str(_l("None")), len(ids),
                                 *totals[:6],
                                 round(totals[5] / totals[6], 4) if totals[6] else None)
                     for key, (ids, totals) in groups.items()]
            tables[name] = sorted(found, key=lambda f: (f.key is None, f.label.casefold()))
    return tables


def _month_figures(period, municipality_id, now):
    key = _month_key(period)
    query = _in_period(select(key.label("group_key"),
                              func.count(distinct(Occurrence.activity_id)),
                              *_date_sums(now)).select_from(Occurrence)
                       .join(Activity, Activity.id == Occurrence.activity_id),
                       period, municipality_id)
    # By the output column's name: PostgreSQL would not see the month's CASE, written
    # again with new parameters, as the same expression.
    rows = db.session.execute(query.group_by(text("group_key"))).all()
    labels = _labels("month", [r[0] for r in rows])
    found = [DateFigures(r[0], labels.get(r[0], str(_l("None"))), *map(int, r[1:8]),
                         round(r[7] / r[8], 4) if r[8] else None) for r in rows]
    return sorted(found, key=lambda f: f.key or "")


def _activity_sums(period, municipality_id, now):
    """[(activity id, organisation, municipality, latitude, longitude, sums)] of the
    dates in the period, one row for each activity and place. A date's place is its
    room's meeting place, else its activity's own address."""
    query = _in_period(select(Activity.id, Activity.organisation_id,
                              Activity.municipality_id, Activity.latitude,
                              Activity.longitude, Occurrence.room_id, *_date_sums(now))
                       .select_from(Occurrence)
                       .join(Activity, Activity.id == Occurrence.activity_id),
                       period, municipality_id)
    rooms = {room_id: (lat, lon) for room_id, lat, lon in db.session.execute(
        select(Room.id, Venue.latitude, Venue.longitude)
        .join(Venue, Venue.id == Room.venue_id))}
    found = []
    for activity_id, organisation_id, kommun, lat, lon, room_id, *sums in db.session.execute(
            query.group_by(Activity.id, Occurrence.room_id)):
        venue_lat, venue_lon = rooms.get(room_id, (None, None))
        found.append((activity_id, organisation_id, kommun,
                      lat if venue_lat is None else venue_lat,
                      lon if venue_lon is None else venue_lon,
                      tuple(int(value or 0) for value in sums)))
    return found


def _keys_of(name, municipality_id):
    """A function giving the groups a row of _activity_sums counts in: its focus areas
    or target groups (None when it has none), its organisation, its municipality, or
    the town or district nearest its place (geo.geocoder.nearest_place_name)."""
    if name == "organisation":
        return lambda row: (row[1],)
    if name == "municipality":
        return lambda row: (row[2],)
    if name == "district":
        return lambda row: (nearest_place_name(row[3], row[4]),)
    link, term = {"focus": (activity_focus_area, "focus_area_id"),
                  "target": (activity_target_group, "target_group_id")}[name]
    query = select(link.c.activity_id, link.c[term])
    if municipality_id is not None:
        query = query.join(Activity, Activity.id == link.c.activity_id).where(
            Activity.municipality_id == municipality_id)
    terms = {}
    for activity_id, term_id in db.session.execute(query):
        terms.setdefault(activity_id, []).append(term_id)
    return lambda row: terms.get(row[0]) or (None,)


def _added_up(rows, keys_of):
    """{group: (its activities' ids, its seven sums)} of rows of _activity_sums."""
    groups = {}
    for row in rows:
        sums = row[5]
        for key in keys_of(row):
            found = groups.get(key)
            if found is None:
                groups[key] = ({row[0]}, list(sums))
                continue
            found[0].add(row[0])
            totals = found[1]
            for i in range(7):
                totals[i] += sums[i]
    return groups


def _labels(by, keys):
    """The names of the groups, in the reader's language where terms have one."""
    ids = [k for k in keys if k is not None]
    if by == "month":
        return {k: format_date(date.fromisoformat(k + "-01"), "LLLL yyyy") for k in ids}
    if not ids:
        return {}
    if by == "organisation":  # thousands in a county: their names only
        return dict(db.session.execute(select(Organisation.id, Organisation.name)
                                       .where(in_ids(Organisation.id, ids))).all())
    model = {"focus": FocusArea, "target": TargetGroup, "municipality": Municipality}[by]
    objects = db.session.scalars(select(model).where(in_ids(model.id, ids))).all()
    return {o.id: o.label() if hasattr(o, "label") else o.name for o in objects}


def _hours(later, earlier):
    """SQL: the hours from `earlier` to `later`, on either database."""
    if is_postgres():
        return extract("epoch", later - earlier) / 3600.0
    return (func.julianday(later) - func.julianday(earlier)) * 24.0


def _clipped(column, bound, upper):
    """SQL: `column` no later (upper) or no earlier than `bound`."""
    bound = literal(bound, UTCDateTime())
    if is_postgres():
        return (func.least if upper else func.greatest)(column, bound)
    return (func.min if upper else func.max)(column, bound)


@dataclass(frozen=True)
class RoomFigures:
    """One meeting place: its rooms, the hours they were used and open in the period."""

    venue_id: int
    label: str
    rooms: int
    hours_used: float
    hours_open: float
    occupancy: float | None

    def cells(self):
        return (self.label, self.rooms, self.hours_used, self.hours_open, self.occupancy)


def room_figures(period, municipality_id):
    """Room hours used (every use of a room, dates and bookings, the part inside the
    period) against the hours its active rooms are open (closed days left out)."""
    scope = [] if municipality_id is None else [Venue.municipality_id == municipality_id]
    venues = db.session.execute(
        select(Venue.id, Venue.name, func.count(Room.id))
        .outerjoin(Room, and_(Room.venue_id == Venue.id, Room.active))
        .where(*scope).group_by(Venue.id, Venue.name)).all()
    used = dict(db.session.execute(
        select(Room.venue_id, func.sum(_hours(_clipped(RoomUse.ends_at, period.end, True),
                                              _clipped(RoomUse.starts_at, period.start,
                                                       False))))
        .join(RoomUse, RoomUse.room_id == Room.id).join(Venue, Venue.id == Room.venue_id)
        .where(RoomUse.starts_at < period.end, RoomUse.ends_at > period.start, *scope)
        .group_by(Room.venue_id)).all())
    open_hours = _room_hours_open(period, scope, {v: rooms for v, _, rooms in venues})
    rows = []
    for venue_id, name, rooms in venues:
        hours_used = round(float(used.get(venue_id) or 0), 2)
        hours_open = round(open_hours.get(venue_id, 0.0), 2)
        rows.append(RoomFigures(venue_id, name, rooms, hours_used, hours_open,
                                round(hours_used / hours_open, 4) if hours_open else None))
    return sorted(rows, key=lambda r: r.label.casefold())


def _room_hours_open(period, scope, rooms):
    """{venue id: room-hours open in the period}: the weekly opening hours on each day of
    the period times the place's active rooms, less the days it (or a room) is closed."""
    weekly = {}
    for venue_id, weekday, opens, closes in db.session.execute(
            select(OpeningHours.venue_id, OpeningHours.weekday, OpeningHours.opens,
                   OpeningHours.closes).join(Venue, Venue.id == OpeningHours.venue_id)
            .where(*scope)):
        length = ((closes.hour * 60 + closes.minute) - (opens.hour * 60 + opens.minute)) / 60
        weekly.setdefault(venue_id, [0.0] * 7)[weekday % 7] += max(length, 0)
    closed = {}  # (venue id, room id or None) → closed days in the period
    for venue_id, room_id, starts_on, ends_on in db.session.execute(
            select(Closure.venue_id, Closure.room_id, Closure.starts_on, Closure.ends_on)
            .join(Venue, Venue.id == Closure.venue_id)
            .outerjoin(Room, Room.id == Closure.room_id)
            .where(Closure.starts_on <= period.last, Closure.ends_on >= period.first,
                   (Closure.room_id.is_(None)) | Room.active, *scope)):
        day, last = max(starts_on, period.first), min(ends_on, period.last)
        while day <= last:
            closed.setdefault((venue_id, room_id), set()).add(day)
            day += timedelta(days=1)
    hours = {}
    for venue_id, per_day in weekly.items():
        every_room = closed.get((venue_id, None), set())
        total = sum(per_day[day.weekday()] for day in _days(period) if day not in
                    every_room) * rooms.get(venue_id, 0)
        for (venue, room_id), days in closed.items():
            if venue == venue_id and room_id is not None:
                total -= sum(per_day[day.weekday()] for day in days - every_room)
        hours[venue_id] = max(total, 0.0)
    return hours


def _days(period):
    return (period.first + timedelta(days=n) for n in range((period.last - period.first).days
                                                           + 1))


def organisation_figures(period, municipality_id):
    """Per municipality: organisations registered, and verified, in the period."""
    def within(column):
        return case((and_(column >= period.start, column < period.end), 1), else_=0)
    query = (select(Municipality.name, func.sum(within(Organisation.created_at)),
                    func.sum(within(Organisation.verified_at)))
             .join(Municipality, Municipality.id == Organisation.municipality_id)
             .where((Organisation.created_at >= period.start)
                    | (Organisation.verified_at >= period.start))
             .group_by(Municipality.id, Municipality.name).order_by(Municipality.name))
    if municipality_id is not None:
        query = query.where(Organisation.municipality_id == municipality_id)
    return [(name, int(new), int(verified))
            for name, new, verified in db.session.execute(query)
            if new or verified]


def follow_up_tables(names, period, municipality_id, now):
    """{name: (header, rows)} of these tables, as the page shows them and the exports
    write them: each name one of GROUPS, "rooms" or "organisations"."""
    dated = date_tables([n for n in names if n in GROUPS], period, municipality_id, now)
    tables = {name: ((GROUPS[name], *DATE_COLUMNS), [f.cells() for f in figures])
              for name, figures in dated.items()}
    if "rooms" in names:
        tables["rooms"] = (ROOM_COLUMNS,
                           [r.cells() for r in room_figures(period, municipality_id)])
    if "organisations" in names:
        tables["organisations"] = (ORGANISATION_COLUMNS,
                                   organisation_figures(period, municipality_id))
    return {name: tables[name] for name in names}


TABLES = (*GROUPS, "rooms", "organisations")
