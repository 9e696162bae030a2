"""A venue's week: rooms × days, with what is on in each room."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..activities.models import Activity, Occurrence
from ..common.time import iso_week_start, local_day_bounds, local_today, to_local
from ..extensions import db
from ..organisations.models import Organisation
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
    status: str  # scheduled, cancelled, pending, approved
    url: str | None = None


def venue_week(venue, monday, show_pending_for=None):
    """{room_id: [[Entry] per day]} for the week starting `monday`.

    Public: scheduled occurrences in the rooms and approved bookings. Pending requests
    only for `show_pending_for`: "all" (coordinators) or an organisation id.
    """
    start, _ = local_day_bounds(monday)
    _, end = local_day_bounds(monday + timedelta(days=6))
    room_ids = [r.id for r in venue.rooms]
    grid = {room_id: [[] for _ in range(7)] for room_id in room_ids}
    if not room_ids:
        return grid

    def place(room_id, entry):
        day = (to_local(entry.starts_at).date() - monday).days
        if 0 <= day < 7:
            grid[room_id][day].append(entry)

    occurrences = db.session.scalars(
        select(Occurrence).join(Occurrence.activity).join(Activity.organisation)
        .where(Organisation.status == "verified", Occurrence.starts_at < end,
               Occurrence.ends_at > start,
               ((Occurrence.room_id.in_(room_ids)) |
                (Occurrence.room_id.is_(None) & Activity.room_id.in_(room_ids))))
        .options(joinedload(Occurrence.activity))).all()
    linked = set()
    for occ in occurrences:
        linked.add(occ.id)
        place(occ.room_id or occ.activity.room_id,
              Entry(occ.starts_at, occ.ends_at, occ.activity.translated("title"),
                    occ.status, f"/occurrences/{occ.id}"))
    statuses = ["approved"]
    if show_pending_for is not None:
        statuses.append("pending")
    bookings = db.session.scalars(
        select(RoomBooking).where(RoomBooking.room_id.in_(room_ids),
                                  RoomBooking.status.in_(statuses),
                                  RoomBooking.starts_at < end, RoomBooking.ends_at > start)
        .options(joinedload(RoomBooking.activity))).all()
    for booking in bookings:
        if booking.occurrence_id in linked:
            continue
        if booking.status == "pending" and show_pending_for not in ("all",
                                                                    booking.organisation_id):
            continue
        title = booking.activity.translated("title") if booking.activity else None
        place(booking.room_id, Entry(booking.starts_at, booking.ends_at, title,
                                     booking.status))
    for days in grid.values():
        for entries in days:
            entries.sort(key=lambda e: e.starts_at)
    return grid
