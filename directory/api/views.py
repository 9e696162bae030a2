"""API v1 routes: thin wrappers over the domain services."""

from flask import Blueprint, jsonify, request

from ..activities.services import public_occurrence, public_occurrences
from ..common.filters import parse_filters
from ..extensions import db
from ..organisations.services import public_organisation, public_organisations
from . import serializers
from .errors import api_error_response

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _paged(stmt, filters, serialize):
    page = db.paginate(stmt, page=filters.page, per_page=filters.per_page, error_out=False,
                       count=True)
    body = serializers.page_envelope(page, [serialize(item) for item in page.items])
    if filters.notices:
        body["notices"] = [str(n) for n in filters.notices]
    return jsonify(body)


@bp.get("/organizations")
def organizations():
    filters = parse_filters(request.args)
    return _paged(public_organisations(filters), filters, serializers.organization)


@bp.get("/organizations/<slug>")
def organization(slug):
    org = public_organisation(slug)
    if org is None:
        return api_error_response(404)
    return jsonify(serializers.organization(org))


@bp.get("/occurrences")
def occurrences():
    filters = parse_filters(request.args)
    return _paged(public_occurrences(filters), filters, serializers.occurrence)


@bp.get("/occurrences/<int:occurrence_id>")
def occurrence(occurrence_id):
    occ = public_occurrence(occurrence_id)
    if occ is None:
        return api_error_response(404)
    return jsonify(serializers.occurrence(occ))
