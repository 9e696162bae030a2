"""A series of room bookings as one thing: the dates of one request (`series_key`; a
single date is a series of one), listed together and decided together."""

from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from ..common.time import to_local, utcnow
from ..extensions import db
from ..venues.occupancy import RoomCalendar, lock_rooms, room_problems, when
from .models import RoomBooking
from .services import BookingConflict, approve_booking, pending_requests, reject_booking

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


def queue_cards():
    """The coordinators' queue: one card (a Series of DateInQueue) per waiting request,
    soonest first."""
    pending = db.session.scalars(db.select(RoomBooking).where(
        RoomBooking.status == "pending").order_by(RoomBooking.starts_at)).all()
    cards = []
    for series in group_series(pending):
        dates = []
        for room, bookings in _by_room(series.bookings):
            periods = [(b.starts_at, b.ends_at) for b in bookings]
            calendar, waiting = RoomCalendar(room, periods), pending_requests(room, periods)
            buffer = timedelta(minutes=room.buffer_minutes or 0)
            for b in bookings:
                dates.append(DateInQueue(
                    b, calendar.problems(b.starts_at, b.ends_at,
                                         occurrence_id=b.occurrence_id, booking_id=b.id),
                    [o for o in waiting if o.id != b.id and o.starts_at < b.ends_at + buffer
                     and o.ends_at > b.starts_at - buffer]))
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
