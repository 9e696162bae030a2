"""Public page routes: load, check it is public, render."""

from itertools import groupby

from flask import (Blueprint, abort, current_app, jsonify, redirect, render_template,
                   request, url_for)
from sqlalchemy import select, text

from ..activities.services import (public_activity, public_occurrence, public_occurrence_page,
                                   public_occurrences, upcoming_occurrences_of)
from ..common.filters import parse_filters
from ..common.i18n import LANG_COOKIE
from ..common.urls import safe_next
from ..common.time import local_day_bounds, local_today, to_local
from ..extensions import db
from ..organisations.services import organisation_page, public_organisation
from ..taxonomy.services import all_focus_areas, all_target_groups, enabled_municipalities
from ..venues.services import public_venue, public_venues

bp = Blueprint("public", __name__)

# Languages offered in the "spoken language" filter, in this order.
FILTER_LANGUAGES = ("sv", "en", "ar", "fa", "prs", "so", "ti", "uk", "ku", "tr", "ru",
                    "bs", "pl", "fr", "es", "de", "am", "sq", "ps")


def _by_day(occurrences):
    """Occurrences grouped by their Stockholm date, in order."""
    return [(day, list(items)) for day, items in
            groupby(occurrences, key=lambda o: to_local(o.starts_at).date())]


def filter_choices():
    return {"focus_areas": all_focus_areas(), "target_groups": all_target_groups(),
            "municipalities": enabled_municipalities(), "filter_languages": FILTER_LANGUAGES}


@bp.get("/")
def index():
    filters = parse_filters({}, per_page_default=8)
    upcoming = db.session.scalars(public_occurrences(filters).limit(8)).all()
    return render_template("public/index.html", days=_by_day(upcoming),
                           **filter_choices())


@bp.get("/organisations")
def organisations():
    filters = parse_filters(request.args, current_app.config["PER_PAGE"],
                            current_app.config["MAX_PER_PAGE"])
    page = organisation_page(filters, filters.page, filters.per_page)
    return render_template("organisations/list.html", page=page, filters=filters,
                           **filter_choices())


@bp.get("/organisations/<slug>")
def organisation(slug):
    org = public_organisation(slug)
    if org is None:
        abort(404)
    filters = parse_filters({"org": slug})
    upcoming = db.session.scalars(public_occurrences(filters).limit(20)).all()
    return render_template("organisations/detail.html", org=org, days=_by_day(upcoming),
                           upcoming=upcoming)


@bp.get("/activities")
def activities():
    filters = parse_filters(request.args, current_app.config["PER_PAGE"],
                            current_app.config["MAX_PER_PAGE"])
    # Near a place: each activity's next date at each place, nearest first.
    page = public_occurrence_page(filters, filters.page, filters.per_page,
                                  one_per_place=bool(filters.near))
    return render_template("activities/list.html", page=page, filters=filters,
                           days=_by_day(page.items), **filter_choices())


@bp.get("/activities/<int:activity_id>")
def activity(activity_id):
    act = public_activity(activity_id)
    if act is None:
        abort(404)
    upcoming = upcoming_occurrences_of(act, limit=12)
    next_date = next((o for o in upcoming if not o.is_cancelled), None)
    return render_template("activities/detail.html", activity=act, upcoming=upcoming,
                           room=next_date.room if next_date else None)


@bp.get("/occurrences/<int:occurrence_id>")
def occurrence(occurrence_id):
    occ = public_occurrence(occurrence_id)
    if occ is None:
        abort(404)
    return render_template("activities/occurrence.html", occurrence=occ,
                           activity=occ.activity, room=occ.room)


@bp.get("/venues")
def venues():
    return render_template("venues/list.html", venues=public_venues())


@bp.get("/venues/<slug>")
def venue(slug):
    place = public_venue(slug)
    if place is None:
        abort(404)
    today = local_today()
    monday = today.fromordinal(today.toordinal() - today.weekday())
    filters = parse_filters({"venue": slug, "from": monday.isoformat(),
                             "to": monday.fromordinal(monday.toordinal() + 6).isoformat()})
    week = db.session.scalars(public_occurrences(filters)).all()
    return render_template("venues/detail.html", venue=place, days=_by_day(week),
                           week_start=monday)


@bp.get("/language/<code>")
def set_language(code):
    """Switch the interface language and go back to the page the visitor was on."""
    target = safe_next(request.args.get("next")) or url_for("public.index")
    response = redirect(target, code=303)
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True, secure=request.is_secure)
    return response


@bp.get("/healthz")
def healthz():
    """Liveness and database reachability, for load balancers and monitoring."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
