"""HSDS 3.0 routes of the API blueprint (api.views.bp): the root, services, locations,
services at locations and the taxonomies, with HSDS's parameters (`search`, `page`,
`per_page`, `taxonomy_term_id`, `organization_id`, `modified_after`) beside ours
(`near`, `radius_km`, `kommun`, `lang`). Only public things: Organisation.is_public,
Activity.is_public, active meeting places."""

from flask import jsonify, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from ..activities.published import (location_page, own_place_by_uuid,
                                     public_activity_by_uuid, public_activity_page,
                                     public_venue_by_uuid, service_location_page)
from ..taxonomy.services import all_focus_areas, all_target_groups
from . import hsds, openapi, serializers
from .catalog import catalog
from .errors import api_error_response
from .views import BadParameter, as_uuid, bp, list_filters


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
