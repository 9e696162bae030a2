"""Room bookings: requested, approved, rejected or cancelled."""

from sqlalchemy import DDL, event

from ..common.time import utcnow
from ..common.types import UTCDateTime
from ..extensions import db

BOOKING_STATUSES = ("pending", "approved", "rejected", "cancelled")


class RoomBooking(db.Model):
    """A room held for an organisation for one period.

    Two approved bookings of one room never overlap; the booking service and
    the database (an exclusion constraint on PostgreSQL) guard it together.
    """

    id = db.Column(db.Integer, primary_key=True)
    room_id = db.Column(db.Integer, db.ForeignKey("room.id", ondelete="CASCADE"),
                        nullable=False)
    organisation_id = db.Column(db.Integer,
                                db.ForeignKey("organisation.id", ondelete="CASCADE"),
                                nullable=False, index=True)
    activity_id = db.Column(db.Integer, db.ForeignKey("activity.id", ondelete="SET NULL"))
    occurrence_id = db.Column(db.Integer,
                              db.ForeignKey("occurrence.id", ondelete="SET NULL"))
    series_key = db.Column(db.String(36), index=True)  # shared by the dates of one request
    starts_at = db.Column(UTCDateTime, nullable=False)
    ends_at = db.Column(UTCDateTime, nullable=False)
    purpose = db.Column(db.String(300), nullable=False, default="")
    status = db.Column(db.String(16), nullable=False, default="pending")
    decision_reason = db.Column(db.String(500))
    requested_by_id = db.Column(db.Integer, db.ForeignKey("user.id", ondelete="SET NULL"))
    decided_by_id = db.Column(db.Integer, db.ForeignKey("user.id", ondelete="SET NULL"))
    decided_at = db.Column(UTCDateTime)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    room = db.relationship("Room")
    organisation = db.relationship("Organisation")
    activity = db.relationship("Activity")
    occurrence = db.relationship("Occurrence")

    __table_args__ = (
        db.Index("ix_room_booking_room_time", "room_id", "starts_at", "ends_at"),
        db.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        db.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'cancelled')", name="status"),
    )


# The database itself refuses two approved bookings of one room that overlap.
# PostgreSQL: an exclusion constraint over tstzrange (btree_gist). SQLite: triggers,
# which run inside the writer's BEGIN IMMEDIATE transaction.
PG_NO_OVERLAP = (
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE room_booking ADD CONSTRAINT room_booking_no_overlap EXCLUDE USING gist "
    "(room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
    "WHERE (status = 'approved')",
)
_SQLITE_OVERLAP = (
    "WHEN NEW.status = 'approved' AND EXISTS (SELECT 1 FROM room_booking b "
    "WHERE b.room_id = NEW.room_id AND b.status = 'approved' AND b.id IS NOT NEW.id "
    "AND b.starts_at < NEW.ends_at AND NEW.starts_at < b.ends_at) "
    "BEGIN SELECT RAISE(ABORT, 'room_booking_no_overlap'); END")
SQLITE_NO_OVERLAP = (
    "CREATE TRIGGER room_booking_no_overlap_insert BEFORE INSERT ON room_booking "
    + _SQLITE_OVERLAP,
    "CREATE TRIGGER room_booking_no_overlap_update BEFORE UPDATE OF status, room_id, "
    "starts_at, ends_at ON room_booking " + _SQLITE_OVERLAP,
)
for _statement in PG_NO_OVERLAP:
    event.listen(RoomBooking.__table__, "after_create",
                 DDL(_statement).execute_if(dialect="postgresql"))
for _statement in SQLITE_NO_OVERLAP:
    event.listen(RoomBooking.__table__, "after_create",
                 DDL(_statement).execute_if(dialect="sqlite"))
