"""Room bookings: requested, approved, rejected or cancelled."""

from flask_babel import lazy_gettext as _l

from ..common.errors import FieldError
from ..common.time import utcnow
from ..common.types import UTCDateTime
from ..extensions import db

BOOKING_STATUSES = ("pending", "approved", "rejected", "cancelled")


class NotAllowed(FieldError):
    """A booking cannot go from its state to the one asked for (decided already)."""

    status = 409


class RoomBooking(db.Model):
    """A request for a room for one period, and its decision.

    An approved booking tied to an activity's date (`occurrence`) puts that date in the
    room; its times follow the date's (a database trigger). An approved booking of its
    own is a use of the room. Either way the use is a row of `room_use`
    (venues/occupancy.py), where the database refuses overlaps.
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

    @property
    def is_decided(self):
        return self.status != "pending"

    def _decide(self, status, by_user, reason=None, now=None):
        self.status = status
        self.decision_reason = (reason or "").strip()[:500] or None
        self.decided_by_id = getattr(by_user, "id", None)
        self.decided_at = now or utcnow()

    def approve(self, by_user, now=None):
        """pending → approved."""
        if self.status != "pending":
            raise NotAllowed("reason", _l("This request has already been decided."))
        self._decide("approved", by_user, now=now)

    def reject(self, reason, by_user, now=None):
        """pending → rejected, with the reason the organisation sees."""
        if self.status != "pending":
            raise NotAllowed("reason", _l("This request has already been decided."))
        self._decide("rejected", by_user, reason, now)

    def cancel(self, reason=None):
        """pending or approved → cancelled: the room is free again. `decided_at` stays,
        so a booking that had been approved can be told from one that never was."""
        if self.status not in ("pending", "approved"):
            raise NotAllowed("reason", _l("This booking is no longer active."))
        self.status = "cancelled"
        self.decision_reason = (reason or "").strip()[:500] or None
