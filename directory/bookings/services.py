"""Room-booking rules: each date is checked against the room's rules and every use of
the room (venues/occupancy.py); approving happens in a writer transaction and the
database refuses overlaps, so two parallel changes of one time can never both win.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy import and_, or_, select

from ..activities.models import Occurrence
from ..activities.schedule import MAX_SERIES_DAYS, Schedule, clock_change_trouble, slots
from ..audit.services import record
from ..common.errors import FieldError
from ..common.i18n import N_, said_with
from ..common.time import clock_change_message, local_day_bounds, to_local, utcnow
from ..extensions import db
from ..venues.occupancy import (RoomCalendar, RoomTaken, describe, flush_uses, lock_rooms,
                                when)
from .models import NotAllowed, RoomBooking
from .notices import tell_cancelled

MAX_SERIES_DATES = 60


class BookingConflict(FieldError):
    """The room is used then, or the request was decided meanwhile; the message names
    what is in the way (beside `reason` unless another field is named)."""

    status = 409


@dataclass
class DateCheck:
    """One requested date and every reason it cannot be booked (none: it can), and what
    else asks for the time (others' requests, which a coordinator decides between)."""

    starts_at: datetime
    ends_at: datetime
    reasons: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.reasons


def check_date(room, starts_at, ends_at, now=None, booking=None, organisation=None,
               calendar=None, pending=None):
    """Every rule of the room for one period, in Stockholm time: the booking rules
    (notice, advance, length) and the room's own (closures, opening hours, every use
    of the room, named). `organisation`'s own requests for the time are in the way;
    other organisations' pending requests are notes."""
    now = now or utcnow()
    check = DateCheck(starts_at, ends_at)
    reasons = check.reasons
    if ends_at <= starts_at:
        reasons.append(_l("The end must be after the start."))
        return check
    if starts_at <= now:
        reasons.append(_l("The time has passed."))
    elif starts_at - now < timedelta(hours=room.min_notice_hours):
        reasons.append(_ln("Book at least %(num)d hour ahead.",
                           "Book at least %(num)d hours ahead.", room.min_notice_hours))
    if starts_at - now > timedelta(days=room.max_advance_days):
        reasons.append(_ln("Bookings open at most %(num)d day ahead.",
                           "Bookings open at most %(num)d days ahead.", room.max_advance_days))
    if ends_at - starts_at > timedelta(minutes=room.max_duration_minutes):
        reasons.append(_ln("A booking can last at most %(num)d minute.",
                           "A booking can last at most %(num)d minutes.",
                           room.max_duration_minutes))
    calendar = calendar or RoomCalendar(room, [(starts_at, ends_at)])
    reasons.extend(calendar.problems(starts_at, ends_at,
                                     occurrence_id=getattr(booking, "occurrence_id", None),
                                     booking_id=getattr(booking, "id", None)))
    if pending is None:
        pending = pending_requests(room, [(starts_at, ends_at)])
    for other in requests_meeting(pending, room, starts_at, ends_at,
                                  getattr(booking, "id", None)):
        if organisation is not None and other.organisation_id == organisation.id:
            reasons.append(_l("You have already asked for this time: %(when)s.",
                              when=when(other.starts_at, other.ends_at)))
        else:
            check.notes.append(_l("Also asked for by %(organisation)s: %(when)s.",
                                  organisation=other.organisation.name,
                                  when=when(other.starts_at, other.ends_at)))
    return check


def pending_requests(room, periods):
    """Requests waiting for a decision that overlap any of the periods (buffer
    included), in one query."""
    buffer = timedelta(minutes=room.buffer_minutes or 0)
    if not periods:
        return []
    return db.session.scalars(select(RoomBooking).where(
        RoomBooking.room_id == room.id, RoomBooking.status == "pending", or_(*[
            and_(RoomBooking.starts_at < e + buffer, RoomBooking.ends_at > s - buffer)
            for s, e in periods])).order_by(RoomBooking.starts_at)).all()


def requests_meeting(requests, room, starts_at, ends_at, exclude_id=None):
    """Of requests already read (pending_requests), those that meet the period within
    the room's buffer: the rule of pending_requests, for one period of many."""
    buffer = timedelta(minutes=room.buffer_minutes or 0)
    return [r for r in requests if r.id != exclude_id and r.starts_at < ends_at + buffer
            and r.ends_at > starts_at - buffer]


def check_dates(room, periods, now=None, organisation=None, activity=None):
    """Check every (starts_at, ends_at) of a request; a series is capped in length. For
    an activity, a day it has a date must ask for the date's own time."""
    if len(periods) > MAX_SERIES_DATES:
        raise ValueError("too many dates")
    checks = []
    calendar = RoomCalendar(room, periods)
    pending = pending_requests(room, periods)
    for starts_at, ends_at in periods:
        check = check_date(room, starts_at, ends_at, now, organisation=organisation,
                           calendar=calendar, pending=pending)
        date = _date_on_day(activity, starts_at)
        if date is not None and (date.starts_at, date.ends_at) != (starts_at, ends_at):
            check.reasons.append(_l("%(title)s is %(when)s that day: ask for the room for "
                                    "that time, or move the date first.",
                                    title=activity.title,
                                    when=when(date.starts_at, date.ends_at)))
        elif date is not None and date.status != "scheduled":
            check.reasons.append(_l("That date of %(title)s is cancelled.",
                                    title=activity.title))
        checks.append(check)
    return checks


def _date_on_day(activity, starts_at):
    """The activity's date on the same Stockholm day as `starts_at`, if it has one."""
    if activity is None:
        return None
    start, end = local_day_bounds(to_local(starts_at).date())
    return db.session.scalar(select(Occurrence).where(
        Occurrence.activity_id == activity.id, Occurrence.starts_at >= start,
        Occurrence.starts_at < end).order_by(Occurrence.starts_at).limit(1))


def request_booking(room, organisation, periods, by_user, purpose="", activity=None,
                    now=None):
    """Ask for the dates that pass every rule; returns (bookings, failed checks).

    A request for an activity is tied to the activity's date that day. A room that
    needs no approval is booked at once for a verified organisation.
    """
    lock_rooms([room.id])
    checks = check_dates(room, periods, now, organisation, activity)
    series_key = str(uuid.uuid4()) if len(periods) > 1 else None
    created = []
    for check in checks:
        if not check.ok:
            continue
        booking = RoomBooking(room=room, organisation=organisation, activity=activity,
                              occurrence=_date_on_day(activity, check.starts_at),
                              starts_at=check.starts_at, ends_at=check.ends_at,
                              purpose=(purpose or "")[:300], series_key=series_key,
                              requested_by_id=getattr(by_user, "id", None))
        db.session.add(booking)
        created.append(booking)
    db.session.flush()
    if not room.requires_approval and organisation.is_public:
        for booking in created:
            _approve(booking, by_user, now)
    return created, [c for c in checks if not c.ok]


def _approve(booking, by_user, now=None):
    """Approve and put a tied date in the room, in one guarded step."""
    occurrence = booking.occurrence
    if occurrence is not None and occurrence.status != "scheduled":
        raise BookingConflict("reason", _l("The date is cancelled; it cannot be given a "
                                           "room."))
    booking.approve(by_user, now)
    if occurrence is not None:
        # The date is in one room at a time: a booking that held it elsewhere lets go.
        for other in db.session.scalars(select(RoomBooking).where(
                RoomBooking.occurrence_id == occurrence.id, RoomBooking.id != booking.id,
                RoomBooking.status == "approved")):
            other.cancel(said_with(N_("The date moved to %(room)s."), room=booking.room.name))
        occurrence.place_in(booking.room_id)
    try:
        flush_uses("reason")
    except RoomTaken:
        raise BookingConflict("reason", _l("That time was just taken. Choose another "
                                           "time.")) from None


def weekly_periods(day, start_time, end_time, until=None, count=None, interval=1,
                   weekdays=()):
    """(starts_at, ends_at) in UTC: one date, or a series with the same recurrence as
    activities (every `interval` weeks on `weekdays`, until a date or `count` times),
    in Stockholm wall-clock time. A time the clocks skip or repeat on one of the dates is
    refused (FieldError beside the start or the end)."""
    if until is None and count is None:
        schedule = Schedule(starts_on=day, start_time=start_time, end_time=end_time)
    else:
        schedule = Schedule(starts_on=day, start_time=start_time, end_time=end_time,
                            recurrence="weekly", interval=interval or 1,
                            weekdays=tuple(weekdays) or (day.weekday(),), until=until,
                            count=None if until else count)
    trouble = clock_change_trouble(schedule, until or day + timedelta(days=MAX_SERIES_DAYS))
    if trouble:
        raise FieldError(trouble[0], clock_change_message(*trouble[1:]))
    return slots(schedule)


def audit_about(booking):
    """What the audit log's sentence names: whose request, for which room, when."""
    return {"organisation": booking.organisation.name, "room": booking.room.name,
            "starts_at": booking.starts_at, "ends_at": booking.ends_at}


def approve_booking(booking, by_user, now=None):
    """Approve one request. Pending requests it collides with are rejected with a reason.
    Raises BookingConflict when the request was decided meanwhile or the room is used
    then (named; checked here, and enforced by the database for changes in parallel)."""
    lock_rooms([booking.room_id])
    db.session.refresh(booking)
    if booking.status != "pending":
        raise BookingConflict("reason", _l("This request has already been decided."))
    taken = RoomCalendar(booking.room, [(booking.starts_at, booking.ends_at)]).in_the_way(
        booking.starts_at, booking.ends_at, booking.occurrence_id, booking.id)
    if taken:
        raise BookingConflict("reason", _l("The room is in use then: %(use)s.",
                                           use=describe(taken[0])))
    _approve(booking, by_user, now)
    rejected = []
    for other in requests_meeting(
            pending_requests(booking.room, [(booking.starts_at, booking.ends_at)]),
            booking.room, booking.starts_at, booking.ends_at, booking.id):
        other.reject(str(_l("Another booking was approved for that time.")), by_user)
        rejected.append(other)
    db.session.flush()
    record(by_user, "booking.approve", booking, booking.room.name, about=audit_about(booking))
    return rejected


def reject_booking(booking, reason, by_user):
    """Reject a request that waits for a decision (never an approved booking). Under
    the room's lock and on the row as it is now, so a decision made meanwhile stands."""
    lock_rooms([booking.room_id])
    db.session.refresh(booking)
    try:
        booking.reject(reason, by_user)
    except NotAllowed as error:
        raise BookingConflict("reason", error.message) from None
    db.session.flush()
    record(by_user, "booking.reject", booking, booking.room.name, about=audit_about(booking))


def cancel_booking(booking, by_user, reason=None):
    """Free the room. A date the booking had put in the room is cancelled with it (it
    has nowhere else to be)."""
    lock_rooms([booking.room_id])
    db.session.refresh(booking)
    try:
        booking.cancel(reason)
    except NotAllowed as error:
        raise BookingConflict("reason", error.message) from None
    occurrence = booking.occurrence
    if occurrence is not None and occurrence.room_id == booking.room_id:
        occurrence.place_in(None)
        if occurrence.status == "scheduled":
            occurrence.cancel(reason or N_("The room booking was cancelled."))
    db.session.flush()
    record(by_user, "booking.cancel", booking, booking.room.name, about=audit_about(booking))
    if getattr(by_user, "is_staff", False):
        tell_cancelled(booking, reason)


def cancel_series(bookings, by_user, reason=None, now=None):
    """Cancel a series at once: every date of it that waits or is approved and has not
    started, each through `cancel_booking` (a tied date is released with it). Returns
    the dates cancelled; dates decided otherwise or begun are left as they are."""
    now = now or utcnow()
    lock_rooms([b.room_id for b in bookings])
    cancelled = []
    for booking in bookings:
        db.session.refresh(booking)
        if booking.status in ("pending", "approved") and booking.starts_at > now:
            cancel_booking(booking, by_user, reason)
            cancelled.append(booking)
    return cancelled


def release_rooms_of(organisation, reason, by_user, now=None):
    """Free every coming room use of an organisation that is archived or rejected: its
    bookings that have not ended are cancelled, and its coming dates in rooms are
    cancelled (they keep their room as history; restoring one asks for it again).
    Returns how many bookings and dates were released."""
    now = now or utcnow()
    bookings = db.session.scalars(select(RoomBooking).where(
        RoomBooking.organisation_id == organisation.id, RoomBooking.ends_at > now,
        RoomBooking.status.in_(("pending", "approved")))).all()
    lock_rooms([b.room_id for b in bookings])
    for booking in bookings:
        booking.cancel(reason)
    dates = db.session.scalars(select(Occurrence).join(Occurrence.activity).where(
        Occurrence.activity.has(organisation_id=organisation.id),
        Occurrence.room_id.isnot(None), Occurrence.status == "scheduled",
        Occurrence.ends_at > now)).all()
    for date in dates:
        date.cancel(reason)
    db.session.flush()
    if bookings or dates:
        record(by_user, "organisation.release_rooms", organisation, organisation.name,
               None, {"bookings": len(bookings), "dates": len(dates)})
    return len(bookings), len(dates)
