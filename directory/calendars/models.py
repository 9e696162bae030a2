"""Partner agencies of the local agreement and their private feed subscriptions."""

from ..common.time import utcnow
from ..common.types import UTCDateTime
from ..extensions import db


class Partner(db.Model):
    """A LÖK partner agency, e.g. Arbetsförmedlingen."""

    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(120), nullable=False, unique=True)
    name = db.Column(db.String(200), nullable=False)
    website = db.Column(db.String(300))
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    users = db.relationship("User", backref="partner")
    subscriptions = db.relationship("FeedSubscription", back_populates="partner",
                                    cascade="all, delete-orphan")


class FeedSubscription(db.Model):
    """A partner's saved filter, read through a secret token link.

    Only the token's SHA-256 is stored; the token is shown once.
    """

    id = db.Column(db.Integer, primary_key=True)
    partner_id = db.Column(db.Integer, db.ForeignKey("partner.id", ondelete="CASCADE"),
                           nullable=False, index=True)
    name = db.Column(db.String(200), nullable=False)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    # {"focus": [slugs], "target": [slugs], "venue": [slugs], "org": [slugs]}
    filters = db.Column(db.JSON, nullable=False, default=dict)
    include_tentative = db.Column(db.Boolean, nullable=False, default=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    rotated_at = db.Column(UTCDateTime)
    revoked_at = db.Column(UTCDateTime)
    last_fetched_at = db.Column(UTCDateTime)

    partner = db.relationship("Partner", back_populates="subscriptions")
