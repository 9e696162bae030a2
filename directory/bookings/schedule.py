"""A venue's week: rooms × days, with what is on in each room."""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..activities.models import Activity, Occurrence
from ..activities.at_venue import AtVenues
from ..common.time import iso_week_start, local_day_bounds, local_today, to_local
from ..extensions import db
from ..taxonomy.models import Municipality
from ..venues.occupancy import (closure_for, closures_between, open_for, opening_hours_of,
                                uses_between)
from ..venues.services import public_venues
from .models import RoomBooking

WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_week(value, today=None):
    """(monday, understood) for a `YYYY-Www` value; this week when missing or wrong."""
    today = today or local_today()
    this_monday = today - timedelta(days=today.weekday())
    if not value:
        return this_monday, True
    match = WEEK.match(value.strip())
    monday = iso_week_start(int(match.group(1)), int(match.group(2))) if match else None
    if monday is None or not (date(2000, 1, 3) <= monday <= date(2100, 1, 1)):
        return this_monday, False
    return monday, True


def week_label(monday):
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class Entry:
    """One thing in one room on one day."""

    starts_at: object
    ends_at: object
    title: object
    status: str  # scheduled, approved (a booking of its own), cancelled, pending
    url: str | None = None
    organisation: str | None = None
    occurrence_id: int | None = None
    activity_id: int | None = None
    booking_id: int | None = None
    overlaps: bool = False  # another use of the room at the same time (legacy)
    outside_hours: bool = False  # not within one of the venue's opening periods


def room_week(room_ids, start, end, show_pending_for=None):
    """{room_id: [Entry]} between two moments, soonest first: every use of the rooms
    (room_use: dates placed in them and bookings of their own), cancelled dates in them,
    and pending requests for `show_pending_for` ("all": coordinators; or an organisation
    id). Names and links only where the organisation is public. Entries that overlap
    another use of the room are marked."""
    rooms = {room_id: [] for room_id in room_ids}
    if not room_ids:
        return rooms
    here = AtVenues(frozenset(room_ids))  # "at this meeting place", for dates and requests
    uses = uses_between(room_ids, start, end)
    sources = _load_sources(uses)  # held, so the session keeps them while they are read
    for use in uses:
        rooms[use.room_id].append(_use_entry(use))
    del sources
    cancelled = db.session.scalars(
        select(Occurrence).where(here.condition(),
                                 Occurrence.status == "cancelled", Occurrence.starts_at < end,
                                 Occurrence.ends_at > start)
        .options(joinedload(Occurrence.activity).joinedload(Activity.organisation))).all()
    for occ in cancelled:
        if occ.activity.is_public:
            rooms[occ.room_id].append(Entry(
                occ.starts_at, occ.ends_at, occ.activity.translated("title"), "cancelled",
                f"/occurrences/{occ.id}", occ.activity.organisation.name, occ.id,
                occ.activity_id))
    if show_pending_for is not None:
        stmt = select(RoomBooking).where(
            here.condition(RoomBooking.room_id), RoomBooking.status == "pending",
            RoomBooking.starts_at < end, RoomBooking.ends_at > start)
        if show_pending_for != "all":
            stmt = stmt.where(RoomBooking.organisation_id == show_pending_for)
        for booking in db.session.scalars(stmt.options(joinedload(RoomBooking.activity))):
            title = booking.activity.translated("title") if booking.activity else \
                (booking.purpose or None)
            rooms[booking.room_id].append(Entry(
                booking.starts_at, booking.ends_at, title, "pending", None,
                booking.organisation.name, booking.occurrence_id, booking.activity_id,
                booking.id))
    for entries in rooms.values():
        entries.sort(key=lambda e: (e.starts_at, e.ends_at))
        in_use = [e for e in entries if e.status in ("scheduled", "approved")]
        for i, entry in enumerate(in_use):
            for other in in_use[i + 1:]:
                if other.starts_at >= entry.ends_at:
                    break
                entry.overlaps = other.overlaps = True
    return rooms


def _load_sources(uses):
    """The dates and bookings behind these uses, with their activities and organisations,
    in two queries; while the caller holds them, a use finds them in the session."""
    occurrence_ids = [u.occurrence_id for u in uses if u.occurrence_id is not None]
    booking_ids = [u.booking_id for u in uses if u.booking_id is not None]
    loaded = []
    if occurrence_ids:
        loaded += db.session.scalars(
            select(Occurrence).where(Occurrence.id.in_(occurrence_ids))
            .options(joinedload(Occurrence.activity).joinedload(Activity.organisation))).all()
    if booking_ids:
        loaded += db.session.scalars(
            select(RoomBooking).where(RoomBooking.id.in_(booking_ids))
            .options(joinedload(RoomBooking.organisation),
                     joinedload(RoomBooking.activity))).all()
    return loaded


def _use_entry(use):
    if use.occurrence is not None:
        occ = use.occurrence
        organisation = occ.activity.organisation
        if not organisation.is_public:
            return Entry(use.starts_at, use.ends_at, None, "scheduled")
        return Entry(use.starts_at, use.ends_at, occ.activity.translated("title"),
                     "scheduled", f"/occurrences/{occ.id}", organisation.name, occ.id,
                     occ.activity_id)
    booking = use.booking
    public = booking.organisation.is_public
    activity = booking.activity if public else None
    return Entry(use.starts_at, use.ends_at,
                 activity.translated("title") if activity else None, "approved", None,
                 booking.organisation.name if public else None, None,
                 activity.id if activity else None, booking.id)


def venue_week(venue, monday, show_pending_for=None):
    """{room_id: [[Entry] per day]} for the week starting `monday` (see room_week).
    Entries that are not cancelled and fall outside the opening hours are marked, by
    the rule the request check uses."""
    start, _ = local_day_bounds(monday)
    _, end = local_day_bounds(monday + timedelta(days=6))
    room_ids = [r.id for r in venue.rooms]
    grid = {room_id: [[] for _ in range(7)] for room_id in room_ids}
    hours = opening_hours_of(venue.id)  # read once for the week
    for room_id, entries in room_week(room_ids, start, end, show_pending_for).items():
        for entry in entries:
            day = (to_local(entry.starts_at).date() - monday).days
            if 0 <= day < 7:
                entry.outside_hours = entry.status != "cancelled" and not open_for(
                    hours, to_local(entry.starts_at), to_local(entry.ends_at))
                grid[room_id][day].append(entry)
    return grid


def week_closures(venue, monday):
    """{room_id: [Closure or None per day]}: what keeps each room shut on each day of the
    week starting `monday` (the venue's closures and the room's own)."""
    closures = closures_between(venue.id, monday, monday + timedelta(days=6))
    return {room.id: [closure_for(closures, monday + timedelta(days=i), room.id)
                      for i in range(7)] for room in venue.rooms}


@dataclass
class StaffWeekVenues:
    """The meeting places a coordinator's week shows, with the filters' choices."""

    venues: list
    municipalities: list  # the ones the coordinator may choose among
    choices: list  # the venues of the chosen municipality (or all the coordinator's)
    kommun: str = ""  # the chosen municipality's slug, when it was understood
    venue: str = ""  # the chosen venue's slug, when it was understood
    notices: list = field(default_factory=list)


def staff_week_venues(scope_municipality_id, kommun="", venue_slug=""):
    """Active venues for a coordinator's week: limited to `scope_municipality_id` when
    set (the coordinator's own municipality), then to the municipality `kommun` and the
    venue `venue_slug` (slugs) when given. A value that names nothing the coordinator may
    see is left out and explained in a notice (plain text, escaped where it is shown:
    a lazy string would be taken as markup)."""
    everything = public_venues(scope_municipality_id)
    by_id = {v.municipality_id: v.municipality for v in everything}
    municipalities = sorted(by_id.values(), key=lambda m: m.name)
    if scope_municipality_id and scope_municipality_id not in by_id:
        own = db.session.get(Municipality, scope_municipality_id)
        municipalities = [own] if own is not None else []
    result = StaffWeekVenues(everything, municipalities, everything)
    kommun, venue_slug = (kommun or "").strip()[:80], (venue_slug or "").strip()[:120]
    if kommun:
        chosen = next((m for m in municipalities if m.slug == kommun), None)
        if chosen is None:
            result.notices.append(_("There is no municipality “%(value)s” among the ones you "
                                    "see. The filter was left out.", value=kommun))
        else:
            result.kommun = chosen.slug
            result.venues = result.choices = [v for v in everything
                                              if v.municipality_id == chosen.id]
    if venue_slug:
        chosen = next((v for v in result.choices if v.slug == venue_slug), None)
        if chosen is None:
            result.notices.append(_("There is no meeting place “%(value)s” among the ones "
                                    "you see. The filter was left out.", value=venue_slug))
        else:
            result.venue = chosen.slug
            result.venues = [chosen]
    return result
