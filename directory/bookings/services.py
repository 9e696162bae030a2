"""Room-booking rules: each date is checked against the room's rules and the approved
bookings; approving happens in a writer transaction and the database refuses overlaps,
so two parallel approvals of one time can never both win.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app, url_for
from flask_babel import force_locale, format_date, format_time, ngettext
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record
from ..common.db import begin_write, is_postgres
from ..common.mail import send_mail
from ..common.time import to_local, utcnow
from ..extensions import db
from ..venues.models import Closure, OpeningHours, Room
from .models import RoomBooking

MAX_SERIES_DATES = 60


class BookingConflict(Exception):
    """Someone else's approved booking took the time first."""

    message = _l("That time was just taken. Choose another time.")


@dataclass
class DateCheck:
    """One requested date and every reason it cannot be booked (none: it can)."""

    starts_at: datetime
    ends_at: datetime
    reasons: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.reasons


def _lock_room(room_id):
    """One writer per room at a time: SQLite's BEGIN IMMEDIATE already serialises
    writers; PostgreSQL locks the room's row, so parallel approvals queue instead of
    deadlocking over the requests they reject."""
    begin_write()
    if is_postgres():
        db.session.execute(select(Room.id).where(Room.id == room_id).with_for_update())


def _overlapping_approved(room, starts_at, ends_at, exclude_id=None):
    buffer = timedelta(minutes=room.buffer_minutes or 0)
    stmt = select(RoomBooking).where(
        RoomBooking.room_id == room.id, RoomBooking.status == "approved",
        RoomBooking.starts_at < ends_at + buffer, RoomBooking.ends_at > starts_at - buffer)
    if exclude_id is not None:
        stmt = stmt.where(RoomBooking.id != exclude_id)
    return db.session.scalars(stmt).all()


def check_date(room, starts_at, ends_at, now=None, exclude_id=None):
    """Every rule of the room for one period, in Stockholm time."""
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
    local_start, local_end = to_local(starts_at), to_local(ends_at)
    day = local_start.date()
    closed = db.session.scalar(select(Closure).where(
        Closure.venue_id == room.venue_id, Closure.starts_on <= day, Closure.ends_on >= day,
        (Closure.room_id.is_(None)) | (Closure.room_id == room.id)).limit(1))
    if closed is not None:
        reasons.append(_l("The meeting place is closed that day (%(reason)s).",
                          reason=closed.reason or "–"))
    elif local_end.date() != day or not db.session.scalar(select(OpeningHours.id).where(
            OpeningHours.venue_id == room.venue_id, OpeningHours.weekday == day.weekday(),
            OpeningHours.opens <= local_start.time(),
            OpeningHours.closes >= local_end.time()).limit(1)):
        reasons.append(_l("Outside the opening hours."))
    if _overlapping_approved(room, starts_at, ends_at, exclude_id):
        reasons.append(_l("The room is already booked then."))
    return check


def check_dates(room, periods, now=None):
    """Check every (starts_at, ends_at) of a request; a series is capped in length."""
    if len(periods) > MAX_SERIES_DATES:
        raise ValueError("too many dates")
    return [check_date(room, s, e, now) for s, e in periods]


def request_booking(room, organisation, periods, by_user, purpose="", activity=None,
                    now=None):
    """Ask for the dates that pass every rule; returns (bookings, failed checks).

    A room that needs no approval is booked at once for a verified organisation.
    """
    _lock_room(room.id)
    checks = check_dates(room, periods, now)
    series_key = str(uuid.uuid4()) if len(periods) > 1 else None
    created = []
    for check in checks:
        if not check.ok:
            continue
        booking = RoomBooking(room=room, organisation=organisation, activity=activity,
                              starts_at=check.starts_at, ends_at=check.ends_at,
                              purpose=(purpose or "")[:300], series_key=series_key,
                              requested_by_id=getattr(by_user, "id", None))
        db.session.add(booking)
        created.append(booking)
    db.session.flush()
    if not room.requires_approval and organisation.status == "verified":
        for booking in created:
            _approve(booking, by_user)
            _place_occurrence(booking)
    return created, [c for c in checks if not c.ok]


def _approve(booking, by_user, now=None):
    booking.status = "approved"
    booking.decided_by_id = getattr(by_user, "id", None)
    booking.decided_at = now or utcnow()
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise BookingConflict() from None


def weekly_periods(day, start_time, end_time, until=None, count=None, interval=1,
                   weekdays=()):
    """(starts_at, ends_at) in UTC: one date, or a series with the same recurrence as
    activities (every `interval` weeks on `weekdays`, until a date or `count` times),
    in Stockholm wall-clock time."""
    from ..activities.schedule import Schedule, slots
    if until is None and count is None:
        return slots(Schedule(starts_on=day, start_time=start_time, end_time=end_time))
    schedule = Schedule(starts_on=day, start_time=start_time, end_time=end_time,
                        recurrence="weekly", interval=interval or 1,
                        weekdays=tuple(weekdays) or (day.weekday(),), until=until,
                        count=None if until else count)
    return slots(schedule)


def _place_occurrence(booking):
    """An approved booking for an activity puts that date's occurrence in the room."""
    from ..activities.models import Occurrence
    if booking.activity_id is None:
        return
    occurrence = db.session.scalar(select(Occurrence).where(
        Occurrence.activity_id == booking.activity_id,
        Occurrence.starts_at == booking.starts_at))
    if occurrence is not None:
        occurrence.room_id = booking.room_id
        occurrence.sequence += 1
        booking.occurrence = occurrence


# What the organisation is told of a decision: whole sentences, one per outcome.
DECISION_SUBJECTS = {
    "approved": _l("Room booking approved: %(room)s, %(date)s"),
    "rejected": _l("Room booking not approved: %(room)s, %(date)s"),
}
DECISION_TEXTS = {
    "approved": _l("%(venue)s has approved your booking of %(room)s on %(date)s, "
                   "%(start)s–%(end)s."),
    "rejected": _l("%(venue)s could not approve your booking of %(room)s on %(date)s, "
                   "%(start)s–%(end)s."),
}


# Several dates of one room decided at once (a series): one message lists them.
def _series_subject(status, room, num):
    if status == "approved":
        return ngettext("Room booking approved: %(room)s, %(num)d date",
                        "Room bookings approved: %(room)s, %(num)d dates", num, room=room)
    return ngettext("Room booking not approved: %(room)s, %(num)d date",
                    "Room bookings not approved: %(room)s, %(num)d dates", num, room=room)


SERIES_TEXTS = {
    "approved": _l("%(venue)s has approved your booking of %(room)s on these dates:"),
    "rejected": _l("%(venue)s could not approve your booking of %(room)s on these dates:"),
}


def tell_organisations(bookings):
    """E-mail each organisation about the decisions on its bookings, when mail is set
    up: one message per organisation, room and outcome, listing the dates. Called after
    the decisions are committed, so a slow mail server holds no lock. Written in the
    municipality's language (Swedish), whatever language the coordinator uses."""
    groups = {}
    for booking in bookings:
        if booking.organisation.email and booking.status in DECISION_TEXTS:
            key = (booking.organisation_id, booking.room_id, booking.status)
            groups.setdefault(key, []).append(booking)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        for group in groups.values():
            _send_decision(sorted(group, key=lambda b: b.starts_at))


def _send_decision(bookings):
    first = bookings[0]
    values = {"room": first.room.name, "venue": first.room.venue.name, **_when(first)}
    if len(bookings) == 1:
        subject = str(DECISION_SUBJECTS[first.status]) % values
        lines = [str(DECISION_TEXTS[first.status]) % values]
    else:
        subject = _series_subject(first.status, first.room.name, len(bookings))
        lines = [str(SERIES_TEXTS[first.status]) % values,
                 "\n".join("- %(date)s, %(start)s–%(end)s" % _when(b) for b in bookings)]
    for reason in dict.fromkeys(b.decision_reason for b in bookings if b.decision_reason):
        lines.append(str(_l("Reason: %(reason)s", reason=reason)))
    lines.append(str(_l("Your organisation's bookings: %(link)s", link=url_for(
        "bookings.request_room", slug=first.organisation.slug, _external=True))))
    send_mail(first.organisation.email, subject, "\n\n".join(lines))


def _when(booking):
    return {"date": format_date(to_local(booking.starts_at).date(), "full"),
            "start": format_time(booking.starts_at, "short"),
            "end": format_time(booking.ends_at, "short")}


def approve_booking(booking, by_user, now=None):
    """Approve one request. Pending requests it collides with are rejected with a reason.
    Raises BookingConflict when an approved booking holds the time (checked here, and
    enforced by the database for requests approved in parallel)."""
    _lock_room(booking.room_id)
    db.session.refresh(booking)
    if booking.status != "pending":
        raise BookingConflict()
    if _overlapping_approved(booking.room, booking.starts_at, booking.ends_at, booking.id):
        raise BookingConflict()
    _approve(booking, by_user, now)
    _place_occurrence(booking)
    rejected = []
    for other in db.session.scalars(select(RoomBooking).where(
            RoomBooking.room_id == booking.room_id, RoomBooking.status == "pending",
            RoomBooking.id != booking.id, RoomBooking.starts_at < booking.ends_at,
            RoomBooking.ends_at > booking.starts_at)):
        other.status = "rejected"
        other.decision_reason = str(_l("Another booking was approved for that time."))
        other.decided_by_id = getattr(by_user, "id", None)
        other.decided_at = utcnow()
        rejected.append(other)
    db.session.flush()
    record(by_user, "booking.approve", booking, booking.room.name)
    return rejected


def reject_booking(booking, reason, by_user):
    booking.status = "rejected"
    booking.decision_reason = (reason or "").strip()[:500] or None
    booking.decided_by_id = getattr(by_user, "id", None)
    booking.decided_at = utcnow()
    db.session.flush()
    record(by_user, "booking.reject", booking, booking.room.name)


def cancel_booking(booking, by_user, reason=None):
    """Free the room; a linked date shows as cancelled."""
    booking.status = "cancelled"
    booking.decision_reason = reason
    if booking.occurrence is not None and booking.occurrence.status == "scheduled":
        booking.occurrence.status = "cancelled"
        booking.occurrence.cancel_reason = reason or str(_l("The room booking was cancelled."))
        booking.occurrence.sequence += 1
    db.session.flush()
    record(by_user, "booking.cancel", booking, booking.room.name)
