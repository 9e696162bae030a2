"""The outbox: every message to be sent, and then only what became of it."""

from ..common.time import utcnow
from ..common.types import UTCDateTime
from ..extensions import db

STATUSES = ("pending", "sending", "sent", "failed")
CHANNELS = ("email", "sms")


class Message(db.Model):
    """One message to one recipient.

    Written in the transaction of the change that causes it; delivered after commit by
    the task worker. The text and the recipient are kept only until the message is sent
    (or given up and purged); the row then says what was sent to whom by kind and
    status, never the words or the address.
    """

    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(40), nullable=False)
    channel = db.Column(db.String(8), nullable=False)
    recipient = db.Column(db.String(254))
    language = db.Column(db.String(8), nullable=False)
    subject = db.Column(db.String(300))
    body = db.Column(db.Text)
    status = db.Column(db.String(12), nullable=False, default="pending")
    attempts = db.Column(db.Integer, nullable=False, default=0)
    next_attempt_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    locked_until = db.Column(UTCDateTime)
    last_error = db.Column(db.String(80))
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    sent_at = db.Column(UTCDateTime)
    # What the message is about; named by table (the outbox sits below the domains).
    signup_id = db.Column(db.Integer, db.ForeignKey("signup.id", ondelete="SET NULL"),
                          index=True)
    occurrence_id = db.Column(db.Integer,
                              db.ForeignKey("occurrence.id", ondelete="SET NULL"))
    organisation_id = db.Column(db.Integer,
                                db.ForeignKey("organisation.id", ondelete="SET NULL"))
    user_id = db.Column(db.Integer, db.ForeignKey("user.id", ondelete="SET NULL"))

    __table_args__ = (
        db.Index("ix_message_due", "status", "next_attempt_at"),
        db.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')",
                           name="status"),
        db.CheckConstraint("channel IN ('email', 'sms')", name="channel"),
    )
