"""The venue's week: a printable rooms × days table that needs no JavaScript."""

from datetime import timedelta

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from ..venues.services import public_venue
from .schedule import parse_week, venue_week, week_label

bp = Blueprint("bookings", __name__)


@bp.get("/venues/<slug>/schedule")
def schedule(slug):
    venue = public_venue(slug)
    if venue is None:
        abort(404)
    monday, understood = parse_week(request.args.get("week"))
    viewer = None
    if current_user.is_authenticated:
        if current_user.is_staff:
            viewer = "all"
        elif current_user.memberships:
            viewer = current_user.memberships[0].organisation_id
    grid = venue_week(venue, monday, viewer)
    days = [monday + timedelta(days=i) for i in range(7)]
    return render_template("venues/schedule.html", venue=venue, grid=grid, days=days,
                           week=week_label(monday), understood=understood,
                           previous=week_label(monday - timedelta(days=7)),
                           following=week_label(monday + timedelta(days=7)),
                           asked=request.args.get("week", "")[:20])
