"""User accounts and their roles."""

import secrets

from flask_login import UserMixin

from ..common.time import utcnow
from ..common.types import UTCDateTime
from ..extensions import db

ROLES = ("staff", "member", "partner")


def new_session_stamp():
    return secrets.token_hex(16)


class User(UserMixin, db.Model):
    """Someone who logs in. Newcomers never need one."""

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(254), nullable=False, unique=True)
    name = db.Column(db.String(120), nullable=False, default="")
    password_hash = db.Column(db.String(255))
    role = db.Column(db.String(16), nullable=False, default="member")
    # A coordinator limited to one municipality; None means the whole installation.
    municipality_id = db.Column(db.Integer, db.ForeignKey("municipality.id"))
    partner_id = db.Column(db.Integer, db.ForeignKey("partner.id"))
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    last_login_at = db.Column(UTCDateTime)
    # The interface language the person last used: their messages are written in it.
    language = db.Column(db.String(8))
    # Part of the id every session and remember cookie holds (get_id): a new stamp ends
    # every session that holds the old one.
    session_stamp = db.Column(db.String(32), nullable=False, default=new_session_stamp)

    municipality = db.relationship("Municipality")

    __table_args__ = (
        db.CheckConstraint("role IN ('staff', 'member', 'partner')", name="role"),
    )

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        """What Flask-Login keeps in the session: the id and the session stamp."""
        return f"{self.id}:{self.session_stamp}"

    def end_sessions(self):
        """Every session and remember cookie of this account stops working."""
        self.session_stamp = new_session_stamp()

    @property
    def is_staff(self):
        return self.role == "staff"
