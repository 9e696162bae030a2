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
from ..audit.services import event_page, record
from ..bookings.services import release_rooms_of
from ..common.access import county_required, load_or_404, staff_required
from ..common.errors import FieldError
from ..common.filters import parse_filters
from ..common.spreadsheet import table_response
from ..common.time import local_today, parse_date, utcnow
from ..extensions import db
from ..organisations.forms import DecisionForm
from ..organisations.freshness import extend_listing
from ..organisations.models import STATUSES, Organisation
from ..organisations.services import (OrganisationError, decide, in_scope,
                                      may_act_on_account, may_edit,
                                      organisations_with_status,
                                      set_coordinator_municipality)
from ..taxonomy.services import enabled_municipalities, filter_choices
from .attention import attention_for
from .audit_log import (KINDS, about_organisation, entries, kind_prefixes,
                        organisation_choices)
from .follow_up import PERIODS, TABLES, follow_up_tables, period_for
from .outbox import outbox_summary
from .register import REGISTERS, register_table

bp = Blueprint("staff", __name__, url_prefix="/staff")
# A follow-up table longer than this shows its largest rows on the page (a county has
# thousands of organisations); its download holds them all.
PAGE_ROWS = 50

AUDIT_PER_PAGE = 50


@bp.app_context_processor
def _needs_attention():
    """The account page (accounts reads neither requests nor dates) shows what needs
    attention (staff/attention.py); read only when that page asks."""
    return {"needs_attention": attention_for}


@bp.get("/organisations")
@staff_required
def organisations():
    """Organisations by status; `stale=1`: verified ones not confirmed for a year
    (organisations.freshness), which a coordinator can extend."""
    status = request.args.get("status", "pending")
    if status not in STATUSES:
        status = "pending"
    stale_at = utcnow() if status == "verified" and request.args.get("stale") else None
    return render_template("staff/organisations.html", status=status, stale=stale_at,
                           organisations=organisations_with_status(
                               status, current_user.municipality_id, stale_at),
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


@bp.post("/organisations/<int:organisation_id>/extend")
@staff_required
def extend_organisation(organisation_id):
    """"Extend a year": a verified listing is confirmed now (a lapsed one is public
    again)."""
    organisation = load_or_404(Organisation, organisation_id,
                               lambda o: may_edit(current_user, o))
    try:
        extend_listing(organisation, current_user)
    except FieldError as error:
        flash(error.message)
    else:
        db.session.commit()
        flash(_("%(name)s is listed for another year.", name=organisation.name))
    return redirect(url_for("staff.organisations", status="verified", stale=1), code=303)


@bp.get("/audit")
@staff_required
def audit():
    """The audit log in sentences (staff/audit_log.py), filtered by who, what kind of
    action, organisation and dates, a page at a time; a municipal coordinator reads what
    the accounts of their municipality did (the accounts they may act on)."""
    accounts = _accounts_in_scope()
    scope = current_user.municipality_id
    organisation, user_id = (_an_id(request.args.get(name, type=int))
                             for name in ("organisation", "user"))
    page = request.args.get("page", 1, type=int)
    found = event_page(
        page=page if 0 < page < 10**6 else 1, per_page=AUDIT_PER_PAGE,
        user_id=user_id,
        user_ids=None if scope is None else [a.id for a in accounts],
        prefixes=kind_prefixes(request.args.get("what")) or (
            [request.args["action"][:64]] if request.args.get("action") else None),
        objects=None if organisation is None else about_organisation(organisation),
        day_from=parse_date(request.args.get("from")),
        day_to=parse_date(request.args.get("to")))
    return render_template("staff/audit.html", found=found, entries=entries(found.items),
                           accounts=accounts, kinds=KINDS,
                           organisations=organisation_choices(scope))


def _an_id(value):
    """An id asked for in the URL, None when beyond the id columns."""
    return value if value is not None and 0 < value < 2**31 else None


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


# ------------------------------------------------------------ follow-up and exports

def _follow_up_filters():
    """The period and the municipality asked for in the URL, within the coordinator's
    scope: a municipality beyond it is their own (a municipal coordinator's always is)."""
    start = parse_date(request.args.get("from")) or local_today()
    period = period_for(request.args.get("period"), start, parse_date(request.args.get("to")))
    chosen = request.args.get("municipality", type=int)
    if chosen is not None and 0 < chosen < 2**31 and in_scope(current_user, chosen):
        return period, chosen
    return period, current_user.municipality_id


@bp.get("/follow-up")
@staff_required
def follow_up():
    """Figures for a period by focus area, target group, organisation, municipality
    and month, rooms and organisations (staff/follow_up.py): charts and tables."""
    period, municipality_id = _follow_up_filters()
    now = utcnow()
    tables = follow_up_tables(TABLES, period, municipality_id, now)
    return render_template("staff/follow_up.html", period=period, periods=PERIODS,
                           municipality_id=municipality_id, tables=tables,
                           registers=REGISTERS, largest_rows=_largest_rows)


def _largest_rows(rows, index):
    """A table's rows for the page: all, or the PAGE_ROWS largest by the charted column."""
    if len(rows) <= PAGE_ROWS:
        return rows
    return sorted(rows, key=lambda row: row[index] or 0, reverse=True)[:PAGE_ROWS]


@bp.get("/follow-up/<any(focus, target, organisation, municipality, district, month, rooms, "
        "organisations):table>.<any(csv, xlsx):file_format>")
@staff_required
def follow_up_export(table, file_format):
    period, municipality_id = _follow_up_filters()
    header, rows = follow_up_tables((table,), period, municipality_id, utcnow())[table]
    return table_response(file_format, f"follow-up-{table}-{period.first}-{period.last}",
                          [str(h) for h in header], rows, title=table)


@bp.get("/register/<any(organisations, activities, dates, bookings):table>"
        ".<any(csv, xlsx):file_format>")
@staff_required
def register_export(table, file_format):
    """The register within the coordinator's scope (dates and bookings: in the period);
    every download is written to the audit log."""
    period, municipality_id = _follow_up_filters()
    header, rows = register_table(table, municipality_id, period)
    record(current_user, "register.export", current_user, f"{table}.{file_format}")
    db.session.commit()
    return table_response(file_format, f"{table}-{local_today()}", [str(h) for h in header],
                          rows, title=table)


@bp.get("/messages")
@staff_required
def messages():
    """What became of the messages: counts, and those retried or given up (why)."""
    counts, troubles = outbox_summary(current_user.municipality_id)
    return render_template("staff/messages.html", counts=counts, troubles=troubles)
