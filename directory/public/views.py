"""The home page, the legal pages (accessibility statement, privacy notice, contact),
the language switch and the health check. Every other public page lives with its
domain (activities, organisations, venues)."""

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

from ..activities.public import coming_occurrences
from ..common.db import database_reachable
from ..common.filters import parse_filters
from ..common.i18n import LANG_COOKIE
from ..common.time import by_local_day
from ..common.urls import safe_next
from ..taxonomy.services import filter_choices
from .legal import operator_from

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    filters = parse_filters({}, per_page_default=8)
    upcoming = coming_occurrences(filters, limit=8)
    return render_template("public/index.html", days=by_local_day(upcoming),
                           **filter_choices())


@bp.get("/accessibility")
def accessibility():
    """The accessibility statement (tillgänglighetsredogörelse, DIGG's model)."""
    return render_template("public/accessibility.html",
                           operator=operator_from(current_app.config))


@bp.get("/privacy")
def privacy():
    """How the personal data of a sign-up is handled, and the participant's rights."""
    return render_template("public/privacy.html", operator=operator_from(current_app.config))


@bp.get("/contact")
def contact():
    return render_template("public/contact.html", operator=operator_from(current_app.config))


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
    if not database_reachable():
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
