"""Calendar feeds, for every audience: the public feeds (text/calendar with a stable
ETag, Last-Modified and 304s), a partner's private feed, the partner's own page (/partner:
its live feeds with subscribe links, a new secret link when one has leaked; only the
partner's own accounts, anyone else 404), and the county-wide coordinators' partner and
feed administration (/staff/partners, /staff/feeds)."""

from flask import (Blueprint, abort, flash, make_response, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.http import is_resource_modified

from ..activities.public import public_activity, public_occurrence
from ..common.access import county_required, load_or_404
from ..common.errors import form_work
from ..common.filters import parse_filters
from ..common.i18n import current_lang
from ..common.time import utcnow
from ..common.urls import subscribe_links
from ..extensions import db
from ..taxonomy.services import all_focus_areas, all_target_groups, enabled_municipalities
from ..venues.services import public_venue, public_venues
from . import services
from .forms import PartnerForm, SubscriptionForm
from .models import FeedSubscription, Partner
from .own_feeds import filter_names, is_own_live_feed, live_feeds, partner_of
from .partners import (create_partner, create_subscription, feed_token,
                       revoke, rotate, subscription_for_token)

bp = Blueprint("calendars", __name__)


def ics_response(feed, private=False):
    """The feed with its validators (calendars.freshness): a request whose copy is
    current is answered 304 before the calendar is built; otherwise the body."""
    response = make_response(b"")
    response.set_etag(feed.version.etag)
    response.last_modified = feed.version.last_modified
    response.headers["Cache-Control"] = f"{'private' if private else 'public'}, max-age=900"
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    if not is_resource_modified(request.environ, etag=feed.version.etag,
                                last_modified=feed.version.last_modified):
        response.status_code = 304
        return response
    response.set_data(feed.build())
    response.mimetype = "text/calendar"
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{feed.filename}.ics"'
    return response.make_conditional(request)


@bp.get("/organisations/<slug>/calendar.ics")
def organisation_calendar(slug):
    feed = services.organisation_feed(slug, current_lang())
    if feed is None:
        abort(404)
    return ics_response(feed)


@bp.get("/venues/<slug>/calendar.ics")
def venue_calendar(slug):
    venue = public_venue(slug)
    if venue is None:
        abort(404)
    return ics_response(services.venue_feed(venue, current_lang()))


@bp.get("/activities/<int:activity_id>/calendar.ics")
def activity_calendar(activity_id):
    activity = public_activity(activity_id)
    if activity is None:
        abort(404)
    return ics_response(services.activity_feed(activity, current_lang()))


@bp.get("/activities/calendar.ics")
def search_calendar():
    """Subscribe to a search: the same filters as /activities. A link that names the
    spoken language as `spoken` (even empty) uses `lang` only for the interface."""
    args = request.args.copy()
    if "spoken" in args:
        args.pop("lang", None)
    return ics_response(services.search_feed(parse_filters(args), current_lang()))


@bp.get("/occurrences/<int:occurrence_id>.ics")
def occurrence_calendar(occurrence_id):
    occurrence = public_occurrence(occurrence_id)
    if occurrence is None:
        abort(404)
    return ics_response(services.occurrence_feed(occurrence, current_lang()))


@bp.get("/feeds/<token>.ics")
def partner_calendar(token):
    """A partner's private feed; an unknown or revoked token answers 404 at once."""
    subscription = subscription_for_token(token)
    if subscription is None:
        abort(404)
    feed = services.partner_feed(subscription, current_lang())
    subscription.last_fetched_at = utcnow()
    db.session.commit()
    return ics_response(feed, private=True)


# ------------------------------------------------------------ a partner's own page

def _own_partner():
    """The logged-in account's partner agency; 404 for every other account."""
    partner = partner_of(current_user._get_current_object())
    if partner is None:
        abort(404)
    return partner


@bp.get("/partner")
@login_required
def partner_home():
    partner = _own_partner()
    feeds = []
    for subscription in live_feeds(partner):
        url = url_for("calendars.partner_calendar", token=feed_token(subscription),
                      _external=True)
        feeds.append({"subscription": subscription,
                      "filters": filter_names(subscription.filters),
                      "links": subscribe_links(url, subscription.name, current_lang())})
    return render_template("calendars/partner.html", partner=partner, feeds=feeds)


@bp.post("/partner/feeds/<int:subscription_id>/rotate")
@login_required
def rotate_own_feed(subscription_id):
    """A new secret link for one of the partner's own feeds; the old one stops at once."""
    partner = _own_partner()
    subscription = load_or_404(FeedSubscription, subscription_id,
                               lambda s: is_own_live_feed(partner, s))
    rotate(subscription, current_user._get_current_object())
    db.session.commit()
    flash(_("%(name)s has a new link. The old link no longer works: subscribe again "
            "with the new one.", name=subscription.name))
    return redirect(url_for("calendars.partner_home", _anchor=f"feed-{subscription.id}"),
                    code=303)


# ------------------------------------------ the coordinators' LÖK partners and feeds

def _subscription_form(empty=False):
    """The form for a partner's new feed, offering the terms and meeting places: what
    was posted, or `empty` for a fresh one."""
    form = SubscriptionForm(formdata=None) if empty else SubscriptionForm()
    form.focus.choices = [(f.slug, f.label()) for f in all_focus_areas()]
    form.target.choices = [(t.slug, t.label()) for t in all_target_groups()]
    form.venue.choices = [(v.slug, v.name) for v in public_venues()]
    form.kommun.choices = [(m.slug, m.label()) for m in enabled_municipalities()]
    return form


def _partner_page(partner, form, link=None):
    """A partner's page for coordinators: its feeds with what each filters (as names),
    the form for a new one, and a new secret link when one was just issued."""
    feeds = [(s, filter_names(s.filters)) for s in partner.subscriptions]
    return render_template("calendars/admin_partner.html", partner=partner, feeds=feeds,
                           form=form, link=link)


@bp.route("/staff/partners", methods=["GET", "POST"])
@county_required
def partners():
    form = PartnerForm()
    if form.validate_on_submit():
        with form_work(form, "name") as work:
            partner = create_partner(form.name.data, current_user, form.website.data)
        if work.ok:
            return redirect(url_for("calendars.partner", partner_id=partner.id), code=303)
    return render_template("calendars/admin_partners.html", form=form,
                           partners=services.all_partners()), (422 if form.errors else 200)


@bp.route("/staff/partners/<int:partner_id>", methods=["GET", "POST"])
@county_required
def partner(partner_id):
    """A partner's feeds; a new feed's secret link is shown once, here."""
    found = load_or_404(Partner, partner_id)
    form = _subscription_form()
    link = None
    if form.validate_on_submit():
        _, token = create_subscription(found, form.name.data,
                                       {"focus": form.focus.data, "target": form.target.data,
                                        "venue": form.venue.data, "kommun": form.kommun.data},
                                       form.include_tentative.data, current_user)
        db.session.commit()
        link = url_for("calendars.partner_calendar", token=token, _external=True)
        form = _subscription_form(empty=True)
    return _partner_page(found, form, link), (422 if form.errors else 200)


@bp.post("/staff/feeds/<int:subscription_id>/<any(rotate, revoke):action>")
@county_required
def partner_feed_action(subscription_id, action):
    """A new secret link for a partner's feed (shown once), or the feed revoked."""
    subscription = load_or_404(FeedSubscription, subscription_id)
    link = None
    if action == "rotate":
        token = rotate(subscription, current_user)
        link = url_for("calendars.partner_calendar", token=token, _external=True)
    else:
        revoke(subscription, current_user)
        flash(_("The link no longer works."))
    db.session.commit()
    return _partner_page(subscription.partner, _subscription_form(empty=True), link)
