"""The coordinators' own pages: the review queue of organisations, accounts (password
links, deactivating, a coordinator's municipality), the audit log and the map of the
offer. Each domain's administration lives with its domain (venues, calendars,
taxonomy, bookings) under /staff/… too."""

from flask import (Blueprint, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..accounts.models import User
from ..accounts.services import (AccountError, all_accounts, deactivate,
                                 make_password_token, reactivate)
from ..activities.coverage import WALKING_DISTANCES_KM, coverage, walking_radius
from ..audit.services import find_events, record
from ..bookings.services import release_rooms_of
from ..common.access import county_required, load_or_404, staff_required
from ..common.filters import parse_filters
from ..common.time import parse_date
from ..extensions import db
from ..organisations.forms import DecisionForm
from ..organisations.models import STATUSES, Organisation
from ..organisations.services import (OrganisationError, decide, may_act_on_account,
                                      may_edit, organisations_with_status,
                                      set_coordinator_municipality)
from ..taxonomy.services import enabled_municipalities, filter_choices

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.get("/organisations")
@staff_required
def organisations():
    status = request.args.get("status", "pending")
    if status not in STATUSES:
        status = "pending"
    return render_template("staff/organisations.html", status=status,
                           organisations=organisations_with_status(
                               status, current_user.municipality_id),
                           form=DecisionForm())


@bp.post("/organisations/<int:organisation_id>/<any(verified, rejected, archived):status>")
@staff_required
def decide_organisation(organisation_id, status):
    organisation = load_or_404(Organisation, organisation_id,
                               lambda o: may_edit(current_user, o))
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            decide(organisation, status, form.reason.data, current_user)
            if status in ("archived", "rejected"):
                release_rooms_of(organisation, form.reason.data or str(
                    _l("The organisation is no longer in the register.")), current_user)
        except OrganisationError as error:
            flash(error.message)
        else:
            db.session.commit()
            flash(_("%(name)s: saved.", name=organisation.name))
    return redirect(url_for("staff.organisations", status="pending"), code=303)


@bp.get("/audit")
@staff_required
def audit():
    """The audit log; a municipal coordinator reads what the accounts of their
    municipality did (the accounts they may act on)."""
    accounts = _accounts_in_scope()
    users = {u.id: u.email for u in accounts}
    user_id = request.args.get("user", type=int)
    events = find_events(action=request.args.get("action") or None,
                         object_type=request.args.get("object_type") or None,
                         user_id=user_id, day_from=parse_date(request.args.get("from")),
                         day_to=parse_date(request.args.get("to")),
                         user_ids=None if current_user.municipality_id is None
                         else list(users))
    return render_template("staff/audit.html", events=events, users=users)


def _accounts_in_scope():
    """The accounts the coordinator may see and act on."""
    return [a for a in all_accounts() if may_act_on_account(current_user, a)]


def _account_or_404(user_id):
    """An account the coordinator may act on, else 404 (a wider account than one's own
    is not there to take over)."""
    return load_or_404(User, user_id, lambda a: may_act_on_account(current_user, a))


@bp.get("/users")
@staff_required
def users():
    return render_template("staff/users.html", accounts=_accounts_in_scope(), link=None)


@bp.post("/users/<int:user_id>/password-link")
@staff_required
def password_link(user_id):
    """A coordinator makes a one-time password link to pass on (when there is no mail)."""
    account = _account_or_404(user_id)
    record(current_user, "user.password_link", account, account.email)
    db.session.commit()
    link = url_for("accounts.password", token=make_password_token(account), _external=True)
    return render_template("staff/users.html", accounts=_accounts_in_scope(), link=link,
                           link_for=account)


@bp.post("/users/<int:user_id>/<any(deactivate, reactivate):action>")
@staff_required
def account_access(user_id, action):
    """A coordinator deactivates an account (its sessions end at once) or lets it in
    again; only accounts within their scope."""
    account = _account_or_404(user_id)
    try:
        (deactivate if action == "deactivate" else reactivate)(account, current_user)
    except AccountError as error:
        db.session.rollback()
        flash(str(error.message))
    else:
        db.session.commit()
        flash(_("%(email)s: saved.", email=account.email))
    return redirect(url_for("staff.users"), code=303)


# ------------------------------------------------------------ a coordinator's scope

@bp.context_processor
def _scope_choices():
    """The accounts page offers these municipalities as a coordinator's scope; read only
    when a county-wide coordinator's page shows the choice."""
    return {"enabled_municipalities": enabled_municipalities}


@bp.post("/users/<int:user_id>/municipality")
@county_required
def coordinator_municipality(user_id):
    """A county-wide coordinator limits another coordinator to a municipality, or gives
    them the whole county."""
    account = _account_or_404(user_id)
    chosen = (request.form.get("municipality") or "").strip()
    # "county" is the whole county; anything else but an id names no municipality
    # (0), which the service refuses: a form without the field never widens a scope.
    municipality_id = (None if chosen == "county" else
                       int(chosen) if chosen.isdigit() and len(chosen) < 10 else 0)
    try:
        set_coordinator_municipality(account, municipality_id, current_user)
    except AccountError as error:
        db.session.rollback()
        return render_template("staff/users.html", accounts=_accounts_in_scope(), link=None,
                               problem=(account.id, error.message)), 422
    db.session.commit()
    flash(_("%(email)s: saved.", email=account.email))
    return redirect(url_for("staff.users", _anchor=f"account-{account.id}"), code=303)


# ------------------------------------------------------------------ the map of the offer

@bp.get("/map")
@staff_required
def offer_map():
    """Where matching activities meet, and the towns and districts with the least
    within walking distance (activities/coverage.py)."""
    filters = parse_filters(request.args, current_app.config["PER_PAGE"],
                            current_app.config["MAX_PER_PAGE"])
    found = coverage(filters, walking_radius(request.args.get("radius_km")),
                     limited_to=current_user.municipality_id)
    return render_template("staff/map.html", coverage=found, filters=found.filters,
                           radii=WALKING_DISTANCES_KM, **filter_choices())
