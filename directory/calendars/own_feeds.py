"""What a partner's own users see of its feeds: the partner an account acts for, its live
feeds, what each one filters (as names) and the addresses to subscribe with."""


from sqlalchemy import select

from ..extensions import db
from ..organisations.models import Organisation
from ..taxonomy.models import FocusArea, Municipality, TargetGroup
from ..venues.models import Venue
from .models import FeedSubscription


def partner_of(user):
    """The partner agency `user` acts for, or None: only a partner account linked to a
    partner has one."""
    if user is None or getattr(user, "role", None) != "partner" or not user.partner_id:
        return None
    return user.partner


def live_feeds(partner):
    """The partner's feeds that are not revoked, by name."""
    return db.session.scalars(select(FeedSubscription).where(
        FeedSubscription.partner_id == partner.id, FeedSubscription.revoked_at.is_(None))
        .order_by(FeedSubscription.name, FeedSubscription.id)).all()


def is_own_live_feed(partner, subscription):
    """Whether `subscription` is the partner's live feed: another partner's feed and a
    revoked one (only a coordinator brings that back) are as unknown as a missing one."""
    return subscription.partner_id == partner.id and subscription.revoked_at is None


def filter_names(filters):
    """The feed's saved filter as names, kind by kind: {"focus": [...], "target": [...],
    "venue": [...], "org": [...], "kommun": [...]}, each empty when the kind is not
    filtered. A slug that names nothing any more is shown as it is."""
    def names(model, slugs, label):
        if not slugs:
            return []
        found = {row.slug: label(row) for row in db.session.scalars(
            select(model).where(model.slug.in_(slugs)))}
        return [found.get(slug, slug) for slug in slugs]

    filters = filters or {}
    return {"focus": names(FocusArea, filters.get("focus"), lambda t: t.label()),
            "target": names(TargetGroup, filters.get("target"), lambda t: t.label()),
            "venue": names(Venue, filters.get("venue"),
                           lambda v: str(v.translated("name"))),
            "org": names(Organisation, filters.get("org"),
                         lambda o: str(o.translated("name"))),
            "kommun": names(Municipality, filters.get("kommun"), lambda m: m.label())}
