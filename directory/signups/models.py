"""Sign-ups (anmälan) and the waiting list (reservlista)."""

from ..common.time import utcnow
from ..common.types import UTCDateTime
from ..extensions import db


class Signup(db.Model):
    """One person's place, or place in the queue, for one occurrence.

    Personal data is only `name` and `contact`; both are erased by the purge
    some days after the occurrence, while the row (and so the counts) stays.
    """

    id = db.Column(db.Integer, primary_key=True)
    occurrence_id = db.Column(db.Integer, db.ForeignKey("occurrence.id", ondelete="CASCADE"),
                              nullable=False, index=True)
    name = db.Column(db.String(80))
    contact = db.Column(db.String(254))
    # Keyed hash of the normalised contact, to say "already signed up"; purged too.
    contact_key = db.Column(db.String(64))
    language = db.Column(db.String(8))
    # The interface language at sign-up: messages are written in `language` when the
    # interface has it, else in this one.
    interface_language = db.Column(db.String(8))
    # The personal link is derived from this (with the secret key), so a message can
    # carry it again; only its hash is kept in token_hash. Erased by the purge.
    link_nonce = db.Column(db.String(32))
    reminders = db.Column(db.Boolean, nullable=False, default=True)
    reminded_at = db.Column(UTCDateTime)
    status = db.Column(db.String(16), nullable=False)  # confirmed, waitlisted, cancelled
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    attended = db.Column(db.Boolean)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    promoted_at = db.Column(UTCDateTime)
    cancelled_at = db.Column(UTCDateTime)
    purged_at = db.Column(UTCDateTime)

    occurrence = db.relationship("Occurrence")

    __table_args__ = (
        db.Index("ix_signup_occurrence_contact", "occurrence_id", "contact_key"),
        db.CheckConstraint("status IN ('confirmed', 'waitlisted', 'cancelled')",
                           name="status"),
    )
