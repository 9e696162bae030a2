"""The coordinators' map of the offer: where matching activities meet, and the towns
and districts with the least within walking distance (activities/coverage.py)."""

from flask import current_app, render_template, request
from flask_login import current_user

from ..activities.coverage import DEFAULT_RADIUS_KM, RADIUS_CHOICES, coverage
from ..common.filters import parse_filters
from ..public.views import filter_choices
from .views import bp, staff_required


@bp.get("/map")
@staff_required
def offer_map():
    filters = parse_filters(request.args, current_app.config["PER_PAGE"],
                            current_app.config["MAX_PER_PAGE"])
    filters.near = ""  # this page measures from every district, not from one place
    try:
        radius_km = int(request.args.get("radius_km", DEFAULT_RADIUS_KM))
    except ValueError:
        radius_km = DEFAULT_RADIUS_KM
    if radius_km not in RADIUS_CHOICES:
        radius_km = DEFAULT_RADIUS_KM
    found = coverage(filters, radius_km, limited_to=current_user.municipality_id)
    return render_template("staff/map.html", coverage=found, filters=filters,
                           radii=RADIUS_CHOICES, **filter_choices())
