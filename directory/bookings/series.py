"""A series of room bookings as one thing: the dates of one request (`series_key`; a
single date is a series of one), listed together and decided together."""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln

from ..audit.services import record
from ..common.time import combine_local, to_local, utcnow
from ..extensions import db
from ..venues.models import Room, Venue
from ..venues.occupancy import RoomCalendar, lock_rooms, room_problems, when
from .models import RoomBooking
from .notices import tell_organisations
from .services import (BookingConflict, approve_booking, audit_about, cancel_booking,
                       pending_requests, reject_booking, request_booking,
                       requests_meeting)

DECISIONS = ("approve", "approve-free", "reject")


@dataclass
class Series:
    """The dates of one request, soonest first. `key` names the series on a page (its
    series_key, or the single booking's id)."""

    key: str
    bookings: list

    @property
    def first(self):
        return self.bookings[0]

    @property
    def weekday_moments(self):
        """One date per weekday the series uses, Monday first (to write the weekdays)."""
        days = {}
        for booking in self.bookings:
            days.setdefault(to_local(booking.starts_at).weekday(), booking.starts_at)
        return [days[d] for d in sorted(days)]

    @property
    def same_times(self):
        """Whether every date has the first date's clock times (then they are said once)."""
        def clock(b):
            return to_local(b.starts_at).time(), to_local(b.ends_at).time()
        return all(clock(b) == clock(self.first) for b in self.bookings)

    def cancellable(self, now=None):
        """The dates that can still be cancelled: waiting or approved, not started."""
        now = now or utcnow()
        return [b for b in self.bookings
                if b.status in ("pending", "approved") and b.starts_at > now]

    def held_for_activity(self, now=None):
        """The activity whose dates the coming dates hold a room for (the activity's
        times move them), or None."""
        return tied_activity(self.cancellable(now))

    @property
    def is_coming(self):
        now = utcnow()
        return any(b.ends_at > now for b in self.bookings)


def series_key_of(booking):
    return booking.series_key or f"booking-{booking.id}"


def group_series(bookings):
    """[Series] of the bookings, in the order each series first appears."""
    groups = {}
    for booking in bookings:
        groups.setdefault(series_key_of(booking), []).append(booking)
    return [Series(key, sorted(items, key=lambda b: b.starts_at))
            for key, items in groups.items()]


def organisation_series(organisation, limit=300):
    """An organisation's series: coming ones first (soonest first), then past ones
    (latest first). The latest `limit` dates are read."""
    bookings = db.session.scalars(db.select(RoomBooking).where(
        RoomBooking.organisation_id == organisation.id)
        .order_by(RoomBooking.starts_at.desc()).limit(limit)).all()
    series = group_series(bookings)
    now = utcnow()
    coming = sorted((s for s in series if s.is_coming),
                    key=lambda s: min(b.starts_at for b in s.bookings if b.ends_at > now))
    past = sorted((s for s in series if not s.is_coming),
                  key=lambda s: s.bookings[-1].starts_at, reverse=True)
    return coming + past


def series_dates(booking, ids=None):
    """The dates a decision on `booking`'s card is about: the dates `ids` the card
    showed (each must belong to the series, else None), or every date of the series
    still waiting."""
    if booking.series_key is None:
        scope = [booking]
    else:
        scope = db.session.scalars(db.select(RoomBooking).where(
            RoomBooking.series_key == booking.series_key)
            .order_by(RoomBooking.starts_at)).all()
    if ids is None:
        return [b for b in scope if b.status == "pending" or b.id == booking.id]
    wanted = set(ids)
    chosen = [b for b in scope if b.id in wanted]
    return chosen if len(chosen) == len(wanted) else None


@dataclass
class DateInQueue:
    """One waiting date on a coordinator's card: what is in the way of approving it,
    and the other requests approving it would reject."""

    booking: RoomBooking
    problems: list
    collisions: list

    @property
    def free(self):
        return not self.problems


def _by_room(bookings):
    """[(room, [booking])] in the order the rooms first appear."""
    rooms = {}
    for booking in bookings:
        rooms.setdefault(booking.room_id, (booking.room, []))[1].append(booking)
    return list(rooms.values())


def queue_cards(municipality_id=None):
    """The coordinators' queue: one card (a Series of DateInQueue) per waiting request,
    soonest first; only the meeting places of `municipality_id` when given."""
    stmt = db.select(RoomBooking).where(RoomBooking.status == "pending")
    if municipality_id is not None:
        stmt = stmt.where(RoomBooking.room.has(Room.venue.has(
            Venue.municipality_id == municipality_id)))
    pending = db.session.scalars(stmt.order_by(RoomBooking.starts_at)).all()
    cards = []
    for series in group_series(pending):
        dates = []
        for room, bookings in _by_room(series.bookings):
            periods = [(b.starts_at, b.ends_at) for b in bookings]
            calendar, waiting = RoomCalendar(room, periods), pending_requests(room, periods)
            for b in bookings:
                dates.append(DateInQueue(
                    b, calendar.problems(b.starts_at, b.ends_at,
                                         occurrence_id=b.occurrence_id, booking_id=b.id),
                    requests_meeting(waiting, room, b.starts_at, b.ends_at, b.id)))
        dates.sort(key=lambda d: d.booking.starts_at)
        cards.append(Series(series.key, dates))
    return cards


@dataclass
class SeriesDecision:
    """What one decision on a card did. `refused`: (booking, why) approving failed and
    the date still waits; `rejected`: dates of the card not approved by this decision;
    `collided`: others' requests rejected because a date was approved; `already`:
    dates decided before (by someone else, or a stale form), left as they are."""

    approved: list = field(default_factory=list)
    rejected: list = field(default_factory=list)
    refused: list = field(default_factory=list)
    collided: list = field(default_factory=list)
    already: list = field(default_factory=list)

    @property
    def decided(self):
        """Every booking whose organisation is told: approved and rejected ones."""
        return [*self.approved, *self.rejected, *self.collided]


def decide_series(bookings, decision, reason, by_user, now=None):
    """Decide the dates of one card in one transaction, each date in a savepoint of
    its own (a date the room refuses leaves the others decided).

    - approve: approve every date the room allows; a date in use stays waiting.
    - approve-free: approve the dates with nothing in the way (room_problems: uses,
      closures, opening hours); the others are not approved, with the coordinator's
      reason and what is in the way, named.
    - reject: reject every waiting date with the reason.

    Approving rejects the pending requests it collides with. Dates already decided are
    left as they are and counted."""
    if decision not in DECISIONS:
        raise ValueError(decision)
    result = SeriesDecision()
    lock_rooms([b.room_id for b in bookings])
    reason = (reason or "").strip()
    for booking in bookings:
        db.session.refresh(booking)
        if booking.status != "pending":
            result.already.append(booking)
            continue
        if decision == "reject":
            reject_booking(booking, reason, by_user)
            result.rejected.append(booking)
            continue
        if decision == "approve-free":
            problems = room_problems(booking.room, booking.starts_at, booking.ends_at,
                                     occurrence_id=booking.occurrence_id,
                                     booking_id=booking.id)
            if problems:
                _not_approved(result, booking, reason, [str(p) for p in problems],
                              by_user)
                continue
        try:
            with db.session.begin_nested():
                rejected = approve_booking(booking, by_user, now)
        except BookingConflict as error:
            if decision == "approve-free":
                _not_approved(result, booking, reason, [str(error.message)], by_user)
            else:
                db.session.refresh(booking)
                result.refused.append((booking, str(error.message)))
            continue
        result.approved.append(booking)
        result.collided.extend(rejected)
    db.session.flush()
    tell_organisations(result.decided)
    return result


def _not_approved(result, booking, reason, problems, by_user):
    reject_booking(booking, " ".join(filter(None, [reason, *problems])), by_user)
    result.rejected.append(booking)
    result.refused.append((booking, " ".join(problems)))


def outcome_messages(decision, result):
    """The sentences a coordinator reads after a decision: counts, then each date that
    could not be approved, named with what is in the way."""
    messages = []
    if result.already and not (result.approved or result.rejected or result.refused):
        approved = [b for b in result.already if b.status == "approved"]
        if decision == "reject" and approved:
            return [str(_l("This request is already approved. To free the room, cancel "
                           "the booking instead."))]
        return [str(_l("This request has already been decided."))]
    if decision == "reject":
        messages.append(str(_l("Not approved: %(num)d.", num=len(result.rejected))))
    else:
        messages.append(str(_l(
            "Approved: %(approved)d. Could not be approved: %(refused)d. Colliding "
            "requests rejected: %(collided)d.", approved=len(result.approved),
            refused=len(result.refused), collided=len(result.collided))))
        for booking, why in result.refused:
            messages.append(str(_l("%(when)s: %(why)s",
                                   when=when(booking.starts_at, booking.ends_at), why=why)))
        if result.refused and decision == "approve":
            messages.append(str(_l("The dates that could not be approved are still "
                                   "waiting for a decision.")))
    if result.already:
        messages.append(str(_l("Dates already decided before, left as they were: "
                               "%(num)d.", num=len(result.already))))
    return messages


def series_bookings(key):
    """The dates of the series a page names `key` (its series_key, or `booking-<id>` for
    a single date), soonest first; empty when there is no such series."""
    if key.startswith("booking-") and key[8:].isdigit():
        booking = db.session.get(RoomBooking, int(key[8:]))
        if booking is None or booking.series_key is not None:
            return []
        return [booking]
    return db.session.scalars(db.select(RoomBooking).where(
        RoomBooking.series_key == key[:36]).order_by(RoomBooking.starts_at)).all()


class SeriesNotChanged(BookingConflict):
    """Some new dates of a changed series are not possible; `lines` names each of them
    and why. Nothing of the series is changed."""

    def __init__(self, lines):
        heading = _ln("The series is not changed: %(num)d new date is not possible.",
                      "The series is not changed: %(num)d new dates are not possible.",
                      len(lines))
        super().__init__("start_time", " ".join([str(heading), *lines]))
        self.heading = str(heading)
        self.lines = lines


def tied_activity(bookings):
    """The activity whose dates some of these bookings hold a room for, or None."""
    tied = next((b for b in bookings if b.occurrence_id is not None), None)
    if tied is None:
        return None
    return tied.activity or tied.occurrence.activity


def change_series(bookings, start_time, end_time, by_user, room=None, now=None):
    """Move every coming date of a series that waits or is approved to new clock times
    (the same Stockholm day) and, when `room` is given, to that room, all or nothing.

    The old dates are cancelled first (so they are not in the new ones' way) and the
    new periods are asked for as one new series with the same purpose and activity:
    waiting for a decision where the room needs approval, booked at once otherwise
    (`request_booking`). When any new date is not possible, SeriesNotChanged names each
    one and why, and nothing is changed. Dates that hold a room for an activity's date
    follow that date and are refused here. Returns the new bookings."""
    now = now or utcnow()
    coming = Series("", list(bookings)).cancellable(now)
    if not coming:
        raise BookingConflict("start_time", _l("Nothing to change: every date of the series "
                                               "has been decided, cancelled or has begun."))
    activity = tied_activity(coming)
    if activity is not None:
        raise BookingConflict("start_time", _l("This series belongs to the activity "
                                               "%(title)s: change the activity's time "
                                               "instead.", title=activity.title))
    if end_time <= start_time:
        raise BookingConflict("end_time", _l("The end must be after the start."))
    first = coming[0]
    room = room or first.room
    periods = sorted({(combine_local(day, start_time), combine_local(day, end_time))
                      for day in {to_local(b.starts_at).date() for b in coming}})
    lock_rooms([room.id, *(b.room_id for b in coming)])
    with db.session.begin_nested():
        for booking in coming:
            db.session.refresh(booking)
            if booking.status not in ("pending", "approved") or booking.starts_at <= now:
                raise BookingConflict("start_time", _l("The series was changed meanwhile. "
                                                       "Look at its dates and try again."))
            cancel_booking(booking, by_user, str(_l("Moved to a new time.")))
        created, failed = request_booking(room, first.organisation, periods, by_user,
                                          first.purpose, first.activity, now)
        if failed:
            raise SeriesNotChanged([
                str(_l("%(when)s: %(why)s", when=when(c.starts_at, c.ends_at),
                       why=" ".join(str(r) for r in c.reasons))) for c in failed])
        record(by_user, "booking.change_series", created[0], room.name,
               about=audit_about(created[0]))
    return created
