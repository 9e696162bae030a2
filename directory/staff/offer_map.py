"""The coordinators' map of the offer: where matching activities meet, and the towns
and districts with the least within walking distance (activities/coverage.py)."""

from flask import current_app, render_template, request
from flask_login import current_user

from ..activities.coverage import WALKING_DISTANCES_KM, coverage, walking_radius
from ..common.filters import parse_filters
from ..public.views import filter_choices
from .views import bp, staff_required


@bp.get("/map")
@staff_required
def offer_map():
    filters = parse_filters(request.args, current_app.config["PER_PAGE"],
                            current_app.config["MAX_PER_PAGE"])
    found = coverage(filters, walking_radius(request.args.get("radius_km")),
                     limited_to=current_user.municipality_id)
    return render_template("staff/map.html", coverage=found, filters=found.filters,
                           radii=WALKING_DISTANCES_KM, **filter_choices())
