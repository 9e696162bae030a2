"""API v1 routes: thin wrappers over the domain services (the HSDS routes of the same
blueprint: hsds_views.py)."""

import uuid
from datetime import timedelta

from flask import Blueprint, jsonify, request, url_for
from flask_babel import gettext as _

from ..activities.services import public_occurrence, public_occurrence_page
from ..bookings.schedule import parse_week, venue_week, week_closures, week_label
from ..common.errors import FieldError
from ..common.filters import parse_filters
from ..common.time import parse_moment
from ..extensions import db
from ..organisations.services import (organisation_page, public_organisation,
                                      public_organisation_by_uuid)
from ..signups.limits import signup_limits
from ..signups.services import SignupError, sign_up, waitlist_position
from ..venues.services import public_venue
from . import hsds, serializers
from .errors import api_error_response, error_response

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class BadParameter(FieldError):
    """A query parameter the API cannot read: 400, naming the parameter."""

    status = 400
    code = "bad_request"


@bp.errorhandler(BadParameter)
def bad_parameter(error):
    return error_response(error)


def list_filters(args):
    """The list filters of a request, with `modified_after` (an ISO 8601 date or date
    and time); a value not understood raises BadParameter rather than being ignored,
    since a sync that silently got everything, or nothing, would go unnoticed."""
    filters = parse_filters(args)
    raw = args.get("modified_after")
    if not raw:
        return filters
    moment = parse_moment(raw)
    if moment is None:
        raise BadParameter("modified_after", _(
            "Write modified_after as an ISO 8601 date or date and time, e.g. 2026-11-28 "
            "or 2026-11-28T08:00:00+01:00."))
    return filters.but(modified_after=moment)


def as_uuid(value):
    """The value when it is a UUID in its usual written form, else None."""
    try:
        parsed = uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return None
    return str(parsed) if str(parsed) == value.lower() else None


def _page_response(page, serialize):
    return jsonify(serializers.page_envelope(page, [serialize(item) for item in page.items]))


@bp.get("/organizations")
def organizations():
    filters = list_filters(request.args)
    page = organisation_page(filters, filters.page, filters.per_page)
    return _page_response(page, lambda org: serializers.organization(org, page.distance(org.id)))


@bp.get("/organizations/<slug>")
def organization(slug):
    """An organisation by slug (ours), or by UUID (an HSDS organization)."""
    by_uuid = as_uuid(slug)
    org = public_organisation_by_uuid(by_uuid) if by_uuid else None
    if org is not None:
        return jsonify(hsds.organization(org))
    org = public_organisation(slug)
    if org is None:
        return api_error_response(404)
    return jsonify(serializers.organization(org))


@bp.get("/occurrences")
def occurrences():
    filters = list_filters(request.args)
    page = public_occurrence_page(filters, filters.page, filters.per_page)
    return _page_response(page, lambda occ: serializers.occurrence(occ, page.distance(occ.id)))


@bp.get("/occurrences/<int:occurrence_id>")
def occurrence(occurrence_id):
    occ = public_occurrence(occurrence_id)
    if occ is None:
        return api_error_response(404)
    return jsonify(serializers.occurrence(occ))


@bp.get("/venues/<slug>/schedule")
def venue_schedule(slug):
    """Every use of the venue's rooms in one ISO week (`week=YYYY-Www`, this week when
    left out), from the same week the venue's schedule page shows. Requests not yet
    decided are never in it."""
    venue = public_venue(slug)
    if venue is None:
        return api_error_response(404)
    monday, understood = parse_week(request.args.get("week"))
    if not understood:
        message = _("Write the week as YYYY-Www, e.g. 2026-W48.")
        return api_error_response(400, message=message, fields={"week": message})
    days = [monday + timedelta(days=i) for i in range(7)]
    return jsonify(serializers.venue_week(
        venue, week_label(monday), days, venue_week(venue, monday),
        week_closures(venue, monday), week_label(monday - timedelta(days=7)),
        week_label(monday + timedelta(days=7))))


@bp.post("/occurrences/<int:occurrence_id>/signups")
@signup_limits
def create_signup(occurrence_id):
    """Sign up by JSON: {name, contact, language?} → 201 {status, position, cancel_url}."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return api_error_response(400)
    fields = {k: body.get(k) for k in ("name", "contact", "language")}
    if any(v is not None and not isinstance(v, str) for v in fields.values()):
        return api_error_response(422, fields={k: "must be text" for k, v in fields.items()
                                               if v is not None and not isinstance(v, str)})
    try:
        signup, token = sign_up(occurrence_id, fields["name"], fields["contact"],
                                fields["language"])
    except SignupError as error:
        db.session.rollback()
        return error_response(error)
    db.session.commit()
    response = jsonify({"status": signup.status, "position": waitlist_position(signup),
                        "occurrence_id": occurrence_id,
                        "url": url_for("signups.mine", token=token, _external=True),
                        "cancel_url": url_for("signups.cancel", token=token, _external=True)})
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    return response
