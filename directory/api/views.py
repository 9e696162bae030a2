"""API v1 routes: thin wrappers over the domain services. Ours (organisations,
occurrences, sign-up, the venue week) and HSDS 3.0's beside them (the root, services,
locations, services at locations, taxonomies, with HSDS's parameters `search`, `page`,
`per_page`, `taxonomy_term_id`, `organization_id`, `modified_after` and ours `near`,
`radius_km`, `kommun`, `lang`; only public things), the OpenAPI document and the data
catalogue."""

import uuid
from datetime import timedelta

from flask import Blueprint, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from ..activities.listed import listed_dates
from ..activities.published import (location_page, own_place_by_uuid,
                                     public_activity_by_uuid, public_activity_page,
                                     public_venue_by_uuid, service_location_page)
from ..activities.public import public_occurrence
from ..activities.services import public_occurrence_page
from ..bookings.schedule import parse_week, venue_week, week_closures, week_label
from ..common.errors import FieldError
from ..common.filters import parse_filters
from ..common.i18n import current_lang
from ..common.time import parse_moment
from ..extensions import db
from ..organisations.services import (organisation_page, public_organisation,
                                      public_organisation_by_uuid)
from ..signups.limits import signup_limits
from ..signups.services import SignupError, sign_up, waitlist_position
from ..taxonomy.services import all_focus_areas, all_target_groups
from ..venues.services import public_venue
from . import hsds, openapi, serializers
from .catalog import catalog
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
    page = public_occurrence_page(filters, filters.page, filters.per_page, rows=True)
    lang, url_of = current_lang(), serializers.occurrence_url()
    return _page_response(page, lambda listed: serializers.occurrence(
        listed, page.distance(listed[0].id), lang, url_of))


@bp.get("/occurrences/<int:occurrence_id>")
def occurrence(occurrence_id):
    occ = public_occurrence(occurrence_id)
    if occ is None:
        return api_error_response(404)
    return jsonify(serializers.occurrence(listed_dates([occ.id])[0]))


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
                                fields["language"], interface_language=current_lang())
    except SignupError as error:
        db.session.rollback()
        return error_response(error)
    db.session.commit()
    body = {"status": signup.status, "position": waitlist_position(signup),
            "occurrence_id": occurrence_id, "link_sent": True}
    if token is not None:
        # Only the request that made the sign-up gets its link; a repeat (anyone who
        # knows the contact) gets it sent to the contact instead.
        body["url"] = url_for("signups.mine", token=token, _external=True)
        body["cancel_url"] = url_for("signups.cancel", token=token, _external=True)
    response = jsonify(body)
    response.status_code = 201 if token is not None else 200
    response.headers["Cache-Control"] = "no-store"
    return response


# ------------------------------------------------------------------ HSDS 3.0

def hsds_filters(args):
    """The list filters of an HSDS request: `search` is our `q`."""
    args = MultiDict(args)
    if args.get("search") and not args.get("q"):
        args["q"] = args["search"]
    return list_filters(args)


def uuid_parameter(name):
    """A UUID query parameter, None when left out; not a UUID: BadParameter."""
    raw = request.args.get(name)
    if not raw:
        return None
    value = as_uuid(raw)
    if value is None:
        raise BadParameter(name, _("%(name)s must be a UUID.", name=name))
    return value


def _envelope(page, contents):
    return jsonify(serializers.page_envelope(page, contents))


@bp.get("/")
def root():
    """The HSDS API root: version, profile and where the API is described."""
    return jsonify(hsds.root(url_for("api.openapi_document", _external=True)))


@bp.get("/services")
def services():
    filters = hsds_filters(request.args)
    page = public_activity_page(filters, filters.page, filters.per_page,
                                uuid_parameter("organization_id"),
                                uuid_parameter("taxonomy_term_id"))
    return _envelope(page, hsds.services_with_places(page.items))


@bp.get("/services/<service_id>")
def service(service_id):
    activity = public_activity_by_uuid(as_uuid(service_id) or "")
    if activity is None:
        return api_error_response(404)
    return jsonify(hsds.services_with_places([activity])[0])


@bp.get("/service_at_locations")
def service_at_locations():
    filters = hsds_filters(request.args)
    page = service_location_page(filters, filters.page, filters.per_page,
                                 uuid_parameter("organization_id"),
                                 uuid_parameter("taxonomy_term_id"))
    contents = [hsds.service_at_location(
        activity, hsds.venue_location(venue) if venue else hsds.own_location(activity))
        for activity, venue in page.items]
    return _envelope(page, contents)


@bp.get("/locations")
def locations():
    filters = hsds_filters(request.args)
    page = location_page(filters, filters.page, filters.per_page)
    return _envelope(page, [hsds.location(item) for item in page.items])


@bp.get("/locations/<location_id>")
def location(location_id):
    value = as_uuid(location_id) or ""
    venue = public_venue_by_uuid(value)
    if venue is not None:
        return jsonify(hsds.venue_location(venue))
    activity = own_place_by_uuid(value)
    if activity is None:
        return api_error_response(404)
    return jsonify(hsds.own_location(activity))


@bp.get("/taxonomies")
def taxonomies():
    """Both taxonomies in one page (there are two)."""
    contents = hsds.taxonomies()
    return jsonify({"total_items": len(contents), "total_pages": 1, "page_number": 1,
                    "size": len(contents), "first_page": True, "last_page": True,
                    "empty": False, "contents": contents})


@bp.get("/taxonomy_terms")
def taxonomy_terms():
    """Every focus area and target group (a short list: one page)."""
    contents = ([hsds.taxonomy_term(term, "focus_area") for term in all_focus_areas()]
                + [hsds.taxonomy_term(term, "target_group") for term in all_target_groups()])
    taxonomy = request.args.get("taxonomy_id")
    if taxonomy:
        contents = [c for c in contents if c["taxonomy_id"] == taxonomy]
    return jsonify({"total_items": len(contents), "total_pages": 1 if contents else 0,
                    "page_number": 1, "size": len(contents), "first_page": True,
                    "last_page": True, "empty": not contents, "contents": contents})


@bp.get("/catalog.jsonld")
def data_catalog():
    """The DCAT-AP-SE catalogue of the register's open data (JSON-LD)."""
    response = jsonify(catalog())
    response.mimetype = "application/ld+json"
    return response


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 description of the API."""
    return jsonify(openapi.document())


@bp.get("/docs")
def docs():
    """A page listing every endpoint, from the OpenAPI document (for people)."""
    document = openapi.document()
    operations = [(path, method, operation)
                  for path, item in document["paths"].items()
                  for method, operation in item.items()]
    return render_template("api/docs.html", operations=operations)
