"""A partner agency's own page: its live feeds with subscribe links, and a new secret link
when one has leaked. Only the partner's own accounts reach it; anyone else gets 404."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..common.urls import subscribe_links
from .own_feeds import filter_names, live_feeds, own_live_feed, partner_of
from .partners import feed_token, rotate

bp = Blueprint("partners", __name__)


def _own_partner():
    """The logged-in account's partner agency; 404 for every other account."""
    partner = partner_of(current_user._get_current_object())
    if partner is None:
        abort(404)
    return partner


@bp.get("/partner")
@login_required
def home():
    partner = _own_partner()
    feeds = []
    for subscription in live_feeds(partner):
        url = url_for("calendars.partner_calendar", token=feed_token(subscription),
                      _external=True)
        feeds.append({"subscription": subscription,
                      "filters": filter_names(subscription.filters),
                      "links": subscribe_links(url, subscription.name)})
    return render_template("calendars/partner.html", partner=partner, feeds=feeds)


@bp.post("/partner/feeds/<int:subscription_id>/rotate")
@login_required
def rotate_feed(subscription_id):
    """A new secret link for one of the partner's own feeds; the old one stops at once."""
    partner = _own_partner()
    subscription = own_live_feed(partner, subscription_id)
    if subscription is None:
        abort(404)
    rotate(subscription, current_user._get_current_object())
    db.session.commit()
    flash(_("%(name)s has a new link. The old link no longer works: subscribe again "
            "with the new one.", name=subscription.name))
    return redirect(url_for("partners.home", _anchor=f"feed-{subscription.id}"), code=303)
