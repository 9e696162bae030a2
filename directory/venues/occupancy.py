"""Who is in a room when: one table of every dated use of a room, written by the database.

A room is used by an occurrence placed in it (`occurrence.room_id`, while scheduled) and
by an approved booking that is not tied to a date (a meeting, say). A booking tied to a
date is that date's claim on the room: it follows the date's time, is released when the
date is cancelled and taken back when the date is restored in that room (the same
triggers). The database itself keeps `room_use` from those two tables with triggers
(room_use_rules.py), and refuses any use that overlaps
another in the same room, the room's buffer included: on PostgreSQL an exclusion
constraint, on SQLite a trigger inside the writer's BEGIN IMMEDIATE transaction. No code
path can put a date in a room without passing that rule, and the week, the API, the
feeds and `flask check-rooms` all read this one table.

Uses that overlapped before the rule existed were kept by the migration and marked
`legacy`: they are tolerated until one of them changes, and listed for coordinators.

The SQL names tables, not classes, so this module needs nothing above venues.
"""

from datetime import timedelta

from flask_babel import format_date, format_time
from flask_babel import lazy_gettext as _l
from sqlalchemy import DDL, and_, event, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from ..common.db import begin_write, is_postgres
from ..common.errors import FieldError
from ..common.time import to_local
from ..common.types import UTCDateTime
from ..extensions import db
from .models import Closure, OpeningHours, Room, Venue
from .room_use_rules import PG_RULES, SQLITE_RULES


class RoomTaken(FieldError):
    """The room is used by something else then (named in the message)."""

    status = 409


class RoomUse(db.Model):
    """One dated use of a room. Read-only for the app: the database writes it."""

    __tablename__ = "room_use"

    id = db.Column(db.Integer, primary_key=True)
    room_id = db.Column(db.Integer, db.ForeignKey("room.id", ondelete="CASCADE"),
                        nullable=False)
    starts_at = db.Column(UTCDateTime, nullable=False)
    ends_at = db.Column(UTCDateTime, nullable=False)
    # The end plus the room's buffer: two uses of a room must not meet within it.
    blocked_until = db.Column(UTCDateTime, nullable=False)
    occurrence_id = db.Column(db.Integer, db.ForeignKey("occurrence.id", ondelete="CASCADE"),
                              unique=True)
    booking_id = db.Column(db.Integer, db.ForeignKey("room_booking.id", ondelete="CASCADE"),
                           unique=True)
    legacy = db.Column(db.Boolean, nullable=False, default=False)

    room = db.relationship("Room")
    occurrence = db.relationship("Occurrence")
    booking = db.relationship("RoomBooking")

    __table_args__ = (
        db.Index("ix_room_use_room_time", "room_id", "blocked_until", "starts_at"),
        db.CheckConstraint("(occurrence_id IS NULL) <> (booking_id IS NULL)",
                           name="one_source"),
        db.CheckConstraint("blocked_until >= ends_at AND ends_at > starts_at",
                           name="times"),
    )

    @property
    def organisation(self):
        if self.occurrence is not None:
            return self.occurrence.activity.organisation
        return self.booking.organisation

    @property
    def title(self):
        """What the use is called: the activity's title, else the booking's purpose."""
        if self.occurrence is not None:
            return self.occurrence.activity.translated("title")
        booking = self.booking
        if booking.activity is not None:
            return booking.activity.translated("title")
        return booking.purpose or None


def overlapping(room_id, starts_at, ends_at, buffer_minutes=0):
    """SQL condition: a use of the room that a use from starts_at to ends_at (plus the
    buffer after it) would collide with. The same rule the database enforces."""
    blocked_until = ends_at + timedelta(minutes=buffer_minutes or 0)
    return and_(RoomUse.room_id == room_id, RoomUse.starts_at < blocked_until,
                RoomUse.blocked_until > starts_at)


def uses_between(room_ids, start, end):
    """Every use of these rooms that overlaps [start, end), soonest first."""
    if not room_ids:
        return []
    return db.session.scalars(select(RoomUse).where(
        RoomUse.room_id.in_(list(room_ids)), RoomUse.starts_at < end, RoomUse.ends_at > start)
        .order_by(RoomUse.starts_at, RoomUse.id)).all()


def describe(use):
    """'IT-hjälp (Språkvänner Täby), Thursday 3 December 2026 14:00–16:00'."""
    values = {"when": when(use.starts_at, use.ends_at), "organisation":
              use.organisation.name}
    if use.title:
        return str(_l("%(what)s (%(organisation)s), %(when)s", what=use.title, **values))
    return str(_l("a booking by %(organisation)s, %(when)s", **values))


def when(starts_at, ends_at):
    """A period as people read it: the day written out and the times."""
    return str(_l("%(date)s %(start)s–%(end)s",
                  date=format_date(to_local(starts_at).date(), "full"),
                  start=format_time(starts_at, "HH:mm"), end=format_time(ends_at, "HH:mm")))


class RoomCalendar:
    """What stands in a room's way for a set of periods, read in three queries however
    many periods there are: the meeting place's closures and opening hours, and the uses
    of the room overlapping any of the periods. `problems` then answers per period."""

    def __init__(self, room, periods):
        self.room = room
        periods = list(periods)
        days = [to_local(s).date() for s, _ in periods] or [None]
        self.closures = [] if days == [None] else closures_between(
            room.venue_id, min(days), max(days))
        self.hours = opening_hours_of(room.venue_id)
        self.uses = []
        for start in range(0, len(periods), 50):
            self.uses += db.session.scalars(select(RoomUse).where(or_(*[
                overlapping(room.id, s, e, room.buffer_minutes)
                for s, e in periods[start:start + 50]])).order_by(RoomUse.starts_at)).all()

    def closure_on(self, day):
        """The closure that keeps the room shut on `day` (a local date), or None."""
        return closure_for(self.closures, day, self.room.id)

    def in_the_way(self, starts_at, ends_at, occurrence_id=None, booking_id=None):
        """The uses a use from starts_at to ends_at would collide with (the rule of
        `overlapping`), less the use itself."""
        blocked_until = ends_at + timedelta(minutes=self.room.buffer_minutes or 0)
        return [u for u in self.uses
                if u.starts_at < blocked_until and u.blocked_until > starts_at
                and (occurrence_id is None or u.occurrence_id != occurrence_id)
                and (booking_id is None or u.booking_id != booking_id)]

    def problems(self, starts_at, ends_at, occurrence_id=None, booking_id=None):
        """Why the room cannot be used from starts_at to ends_at, in Stockholm time:
        closed that day, outside the opening hours, or used by something else (named).
        Empty: it can. `occurrence_id`/`booking_id`: the use being changed."""
        reasons = []
        local_start, local_end = to_local(starts_at), to_local(ends_at)
        closed = self.closure_on(local_start.date())
        if closed is not None:
            reasons.append(_l("The meeting place is closed that day (%(reason)s).",
                              reason=closed.reason or "–"))
        elif not open_for(self.hours, local_start, local_end):
            reasons.append(_l("Outside the opening hours."))
        for use in self.in_the_way(starts_at, ends_at, occurrence_id, booking_id):
            reasons.append(_l("The room is in use then: %(use)s.", use=describe(use)))
        return reasons


def room_problems(room, starts_at, ends_at, occurrence_id=None, booking_id=None):
    """RoomCalendar.problems for one period."""
    return RoomCalendar(room, [(starts_at, ends_at)]).problems(
        starts_at, ends_at, occurrence_id, booking_id)


def closure_for(closures, day, room_id=None):
    """Of closures already read, the one that shuts the room (or the whole venue) on
    `day` (a local date), or None."""
    return next((c for c in closures if c.starts_on <= day <= c.ends_on
                 and c.room_id in (None, room_id)), None)


def open_for(hours, local_start, local_end):
    """Whether one opening period holds the whole (local) period."""
    return local_end.date() == local_start.date() and any(
        h.weekday == local_start.weekday() and h.opens <= local_start.time()
        and h.closes >= local_end.time() for h in hours)


def closures_between(venue_id, first_day, last_day):
    """The venue's closures (its own and its rooms') touching these local days."""
    return db.session.scalars(select(Closure).where(
        Closure.venue_id == venue_id, Closure.starts_on <= last_day,
        Closure.ends_on >= first_day).order_by(Closure.starts_on)).all()


def opening_hours_of(venue_id):
    return db.session.scalars(select(OpeningHours).where(
        OpeningHours.venue_id == venue_id)).all()


def closure_on(room, day):
    """The closure that keeps the room shut on `day` (a local date), or None."""
    return closure_for(closures_between(room.venue_id, day, day), day, room.id)


def within_opening_hours(venue_id, local_start, local_end):
    """Whether one opening period of the venue holds the whole (local) period."""
    return open_for(opening_hours_of(venue_id), local_start, local_end)


def lock_rooms(room_ids):
    """One writer per room at a time: SQLite's BEGIN IMMEDIATE already serialises
    writers; PostgreSQL locks the rooms' rows (in id order), so parallel changes queue
    instead of deadlocking. The database's rule holds either way; the lock makes the
    check before it give the right message."""
    begin_write()
    ids = sorted({i for i in room_ids if i is not None})
    if ids and is_postgres():
        db.session.execute(select(Room.id).where(Room.id.in_(ids)).order_by(Room.id)
                           .with_for_update())


def is_room_taken(error):
    """Whether a database error is the room-use rule refusing an overlap."""
    return "room_use_no_overlap" in str(getattr(error, "orig", error))


def flush_uses(field, message=None, error_class=None):
    """Flush the session's changes; the database refusing a use of a room that overlaps
    another becomes `error_class` (RoomTaken) beside `field`, with nothing of the flush
    kept."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        if not is_room_taken(error):
            raise
        raise (error_class or RoomTaken)(field, message or _l(
            "The room was just taken for that time. Choose another time.")) from None


def _pairs(columns, since=None):
    """SELECT `columns` FROM pairs of uses of one room that overlap (buffer included),
    each pair once, `other` being the pair's second use; only those not over at `since`."""
    other = aliased(RoomUse)
    stmt = select(*columns(other)).join(other, and_(
        other.room_id == RoomUse.room_id, other.id > RoomUse.id,
        other.starts_at < RoomUse.blocked_until, RoomUse.starts_at < other.blocked_until))
    if since is not None:
        stmt = stmt.where(RoomUse.blocked_until > since)
    return stmt, other


def collisions(room_ids=None, since=None):
    """[(use, other use)]: pairs of uses of one room that overlap (buffer included),
    each pair once. Only legacy uses can be such pairs; the database refuses the rest."""
    stmt, other = _pairs(lambda other: (RoomUse, other), since=since)
    stmt = stmt.order_by(RoomUse.room_id, RoomUse.starts_at, other.starts_at)
    if room_ids is not None:
        stmt = stmt.where(RoomUse.room_id.in_(list(room_ids)))
    return db.session.execute(stmt).all()


def count_collisions(municipality_id=None, since=None):
    """(how many pairs `collisions` lists, the start of the soonest), in one query;
    only the rooms of the meeting places of `municipality_id` when given."""
    stmt, _other = _pairs(lambda other: (func.count(), func.min(RoomUse.starts_at)),
                          since=since)
    if municipality_id is not None:
        stmt = stmt.where(RoomUse.room_id.in_(select(Room.id).join(Room.venue).where(
            Venue.municipality_id == municipality_id)))
    count, first = db.session.execute(stmt).one()
    return count, first


for _statement in PG_RULES:
    event.listen(RoomUse.__table__, "after_create",
                 DDL(_statement.replace("%", "%%")).execute_if(dialect="postgresql"))
for _statement in SQLITE_RULES:
    event.listen(RoomUse.__table__, "after_create",
                 DDL(_statement.replace("%", "%%")).execute_if(dialect="sqlite"))

