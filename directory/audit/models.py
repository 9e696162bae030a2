"""AuditEvent: who did what, when, with the before and after."""

from ..common.time import utcnow
from ..common.types import UTCDateTime
from ..extensions import db


class AuditEvent(db.Model):
    """One recorded action. Never holds newcomers' personal data."""

    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id", ondelete="SET NULL"),
                        index=True)
    action = db.Column(db.String(64), nullable=False)
    object_type = db.Column(db.String(64), nullable=False)
    object_id = db.Column(db.Integer)
    summary = db.Column(db.String(300), nullable=False, default="")
    before = db.Column(db.JSON)
    after = db.Column(db.JSON)

    user = db.relationship("User")
