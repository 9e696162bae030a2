"""LÖK partners and their private feed subscriptions: secret links, filters, revocation.

A feed token is HMAC-SHA256(SECRET_KEY, subscription id + the time it was issued),
192 bits, URL-safe. Only its SHA-256 is stored, so the database alone never reveals a
link; the app can show the link again to the partner's own users. Rotating issues a
new token (the old link stops at once); revoking makes the link answer 404.
"""

import base64
import hashlib
import hmac

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, literal, select, union_all

from ..activities.models import Activity
from ..activities.searching import activity_conditions
from ..activities.at_venue import at_venues
from ..audit.services import record
from ..bookings.models import RoomBooking
from ..common.errors import FieldError
from ..common.text import slugify
from ..common.time import utcnow
from ..common.tokens import hash_token
from ..extensions import db
from ..organisations.models import Organisation
from ..organisations.services import ResolvedFilters
from ..taxonomy.models import FocusArea, Municipality, TargetGroup
from ..venues.models import Venue
from .models import FeedSubscription, Partner

# A saved filter's kinds, as the list filters name them: focus areas, target groups,
# meeting places, organisations, municipalities (a LÖK partner serves its own).
FILTER_KEYS = ("focus", "target", "venue", "org", "kommun")


class PartnerError(FieldError):
    """A partner or feed rule was broken."""


def _token_for(subscription):
    issued = (subscription.rotated_at or subscription.created_at).isoformat()
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(),
                      f"feed:{subscription.id}:{issued}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def feed_token(subscription):
    """The subscription's current secret token (for its partner's users and once at issue)."""
    return _token_for(subscription)


def create_partner(name, by_user, website=None):
    name = (name or "").strip()
    if not name:
        raise PartnerError("name", _l("Write a name."))
    slug = slugify(name)
    if db.session.scalar(select(Partner.id).where(Partner.slug == slug)):
        raise PartnerError("name", _l("There is already a partner with that name."))
    partner = Partner(name=name, slug=slug, website=website or None)
    db.session.add(partner)
    db.session.flush()
    record(by_user, "partner.create", partner, partner.name)
    return partner


def create_subscription(partner, name, filters, include_tentative, by_user):
    """A new feed; returns (subscription, token). The token is not stored."""
    clean = {k: sorted({str(v) for v in filters.get(k) or []}) for k in FILTER_KEYS}
    subscription = FeedSubscription(partner=partner, name=(name or "").strip()[:200] or
                                    partner.name, filters=clean,
                                    include_tentative=bool(include_tentative),
                                    created_at=utcnow(), token_hash="pending")
    db.session.add(subscription)
    db.session.flush()
    token = _token_for(subscription)
    subscription.token_hash = hash_token(token)
    record(by_user, "feed.create", subscription, subscription.name, None, clean)
    return subscription, token


def rotate(subscription, by_user):
    """A new secret link; the old one stops working at once."""
    subscription.rotated_at = utcnow()
    subscription.revoked_at = None
    token = _token_for(subscription)
    subscription.token_hash = hash_token(token)
    record(by_user, "feed.rotate", subscription, subscription.name)
    return token


def revoke(subscription, by_user):
    subscription.revoked_at = utcnow()
    record(by_user, "feed.revoke", subscription, subscription.name)


def subscription_for_token(token):
    """The live subscription a token opens, or None (unknown or revoked)."""
    if not token or len(token) > 100:
        return None
    subscription = db.session.scalar(select(FeedSubscription).where(
        FeedSubscription.token_hash == hash_token(token)))
    if subscription is None or subscription.revoked_at is not None:
        return None
    return subscription


# The kinds a saved filter names by slug that become activity conditions (meeting places:
# place_of).
KINDS = {"focus": FocusArea, "target": TargetGroup, "kommun": Municipality,
         "org": Organisation}


def saved_filter(filters):
    """A saved filter's slugs as ResolvedFilters of ids, every kind read in one statement:
    any of the values within a kind, every kind that is given; a slug that names nothing
    (any more) matches nothing, never everything. Ids rather than selects of them: the
    planner then knows how many activities each kind keeps (a focus area in one
    municipality at --scale 100000: ~107 → ~10 ms)."""
    asked = [(kind, model) for kind, model in KINDS.items() if filters.get(kind)]
    ids = {kind: [] for kind, _ in asked}
    if asked:
        for kind, row_id in db.session.execute(union_all(*(
                select(literal(kind), model.id).where(model.slug.in_(filters[kind]))
                for kind, model in asked))):
            ids[kind].append(row_id)
    return ResolvedFilters(focus_ids=ids.get("focus"), target_ids=ids.get("target"),
                           municipality_ids=ids.get("kommun"),
                           organisation_ids=ids.get("org"))


def activity_condition(filters):
    """A SQL condition on Activity for a saved filter (activities.services'
    activity_conditions, as every list writes them), or None for all."""
    conditions = activity_conditions(saved_filter(filters))
    return and_(*conditions) if conditions else None


def place_of(filters):
    """The meeting places a saved filter keeps dates at (AtVenues), or None for all."""
    if not filters.get("venue"):
        return None
    return at_venues(db.session.scalars(select(Venue.id).where(
        Venue.slug.in_(filters["venue"]))).all())


def pending_bookings(filters, options):
    """Pending room bookings of matching activities, shown as TENTATIVE."""
    stmt = (select(RoomBooking).join(RoomBooking.activity).join(Activity.organisation)
            .where(RoomBooking.status == "pending", Organisation.is_public,
                   RoomBooking.ends_at > options.window_start,
                   RoomBooking.starts_at < options.window_end))
    condition = activity_condition(filters)
    if condition is not None:
        stmt = stmt.where(condition)
    place = place_of(filters)
    if place is not None:
        stmt = stmt.where(place.condition(RoomBooking.room_id))
    return db.session.scalars(stmt.order_by(RoomBooking.starts_at)).all()


