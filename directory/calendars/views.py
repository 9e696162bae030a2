"""Calendar routes: text/calendar with a stable ETag, Last-Modified and 304s."""

import hashlib

from flask import Blueprint, abort, make_response, request
from flask_babel import gettext as _

from ..activities.models import Activity
from ..activities.services import public_activity, public_occurrence
from ..common.filters import parse_filters
from ..common.i18n import current_lang
from ..organisations.services import public_organisation
from ..venues.services import public_venue
from . import services

bp = Blueprint("calendars", __name__)


def ics_response(body, last_modified, filename):
    """The feed with caching headers; answers 304 when the client's copy is current."""
    response = make_response(body)
    response.mimetype = "text/calendar"
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    response.headers["Cache-Control"] = "public, max-age=900"
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    if last_modified is not None:
        response.last_modified = last_modified
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response.make_conditional(request)


@bp.get("/organisations/<slug>/calendar.ics")
def organisation_calendar(slug):
    org = public_organisation(slug)
    if org is None:
        abort(404)
    options = services.options_for(org.name, current_lang())
    activities = services.public_activities(Activity.organisation_id == org.id)
    return ics_response(*services.series_feed(activities, options), filename=org.slug)


@bp.get("/venues/<slug>/calendar.ics")
def venue_calendar(slug):
    venue = public_venue(slug)
    if venue is None:
        abort(404)
    return ics_response(*services.venue_feed(venue, current_lang()), filename=venue.slug)


@bp.get("/activities/<int:activity_id>/calendar.ics")
def activity_calendar(activity_id):
    activity = public_activity(activity_id)
    if activity is None:
        abort(404)
    options = services.options_for(str(activity.translated("title")), current_lang())
    return ics_response(*services.series_feed([activity], options),
                        filename=f"activity-{activity.id}")


@bp.get("/activities/calendar.ics")
def search_calendar():
    """Subscribe to a search: the same filters as /activities."""
    filters = parse_filters(request.args)
    return ics_response(*services.search_feed(filters, _("Activities"), current_lang()),
                        filename="activities")


@bp.get("/occurrences/<int:occurrence_id>.ics")
def occurrence_calendar(occurrence_id):
    occurrence = public_occurrence(occurrence_id)
    if occurrence is None:
        abort(404)
    options = services.options_for(str(occurrence.activity.translated("title")),
                                   current_lang())
    return ics_response(*services.occurrence_feed(occurrence, options),
                        filename=f"occurrence-{occurrence.id}")



@bp.get("/feeds/<token>.ics")
def partner_calendar(token):
    """A partner's private feed; an unknown or revoked token answers 404 at once."""
    from ..common.time import utcnow
    from ..extensions import db
    from .partners import subscription_for_token
    subscription = subscription_for_token(token)
    if subscription is None:
        abort(404)
    body, latest = services.partner_feed(subscription, current_lang())
    subscription.last_fetched_at = utcnow()
    db.session.commit()
    response = ics_response(body, latest, filename="feed")
    response.headers["Cache-Control"] = "private, max-age=900"
    return response
