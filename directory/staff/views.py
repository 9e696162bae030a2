"""Coordinator routes: every one needs the staff role."""

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..accounts.models import User
from ..audit.services import find_events
from ..bookings.services import release_rooms_of
from ..common.errors import put_error
from ..common.time import parse_date
from ..extensions import db
from ..geo.placing import with_place
from ..organisations.forms import DecisionForm
from ..organisations.models import STATUSES, Organisation
from ..organisations.services import (OrganisationError, decide, in_scope,
                                      may_act_on_account, may_edit,
                                      organisations_with_status)

bp = Blueprint("staff", __name__, url_prefix="/staff")


def staff_required(view):
    """Only coordinators; anyone else gets 404 (the page does not say it exists)."""
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_staff:
            abort(404)
        return view(*args, **kwargs)
    return wrapper


def county_required(view):
    """Things of the whole installation (focus areas and target groups, LÖK partners and
    their feeds): county-wide coordinators only; anyone else gets 404."""
    @wraps(view)
    @staff_required
    def wrapper(*args, **kwargs):
        if current_user.municipality_id is not None:
            abort(404)
        return view(*args, **kwargs)
    return wrapper


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
    organisation = db.get_or_404(Organisation, organisation_id)
    if not may_edit(current_user, organisation):
        abort(404)
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
    return [a for a in db.session.scalars(db.select(User).order_by(User.email))
            if may_act_on_account(current_user, a)]


@bp.get("/users")
@staff_required
def users():
    return render_template("staff/users.html", accounts=_accounts_in_scope(), link=None)


@bp.post("/users/<int:user_id>/password-link")
@staff_required
def password_link(user_id):
    """A coordinator makes a one-time password link to pass on (when there is no mail)."""
    from ..accounts.services import make_password_token
    from ..audit.services import record
    account = db.get_or_404(User, user_id)
    if not may_act_on_account(current_user, account):
        abort(404)  # a wider account than one's own is not there to take over
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
    from ..accounts.services import AccountError, deactivate, reactivate
    account = db.get_or_404(User, user_id)
    if not may_act_on_account(current_user, account):
        abort(404)
    try:
        (deactivate if action == "deactivate" else reactivate)(account, current_user)
    except AccountError as error:
        db.session.rollback()
        flash(str(error.message))
    else:
        db.session.commit()
        flash(_("%(email)s: saved.", email=account.email))
    return redirect(url_for("staff.users"), code=303)


@bp.route("/terms", methods=["GET", "POST"])
@county_required
def terms():
    """Coordinators edit the focus areas and target groups."""
    from ..taxonomy.forms import TermForm
    from ..taxonomy.services import (TermError, all_focus_areas, all_target_groups,
                                     save_term, term_model)
    editing = None
    kind = request.args.get("kind")
    if term_model(kind) and request.args.get("id", type=int):
        editing = db.get_or_404(term_model(kind), request.args.get("id", type=int))
    form = TermForm()
    if editing is not None and not form.is_submitted():
        form.kind.data, form.slug.data, form.name.data = kind, editing.slug, editing.name
        form.name_en.data = (editing.names or {}).get("en")
        form.name_ar.data = (editing.names or {}).get("ar")
    if form.validate_on_submit() and term_model(form.kind.data):
        term = editing if editing is not None and form.kind.data == kind else None
        try:
            save_term(form.kind.data, form.data, current_user, term)
        except TermError as error:
            db.session.rollback()
            put_error(form, error, "name")
        else:
            db.session.commit()
            flash(_("Saved."))
            return redirect(url_for("staff.terms"), code=303)
    return render_template("staff/terms.html", form=form, focus_areas=all_focus_areas(),
                           target_groups=all_target_groups(), editing=editing), (
        422 if form.errors else 200)


# ------------------------------------------------------------ LÖK partners and feeds

def _subscription_choices(form):
    from ..taxonomy.services import all_focus_areas, all_target_groups
    from ..venues.services import public_venues
    form.focus.choices = [(f.slug, f.label()) for f in all_focus_areas()]
    form.target.choices = [(t.slug, t.label()) for t in all_target_groups()]
    form.venue.choices = [(v.slug, v.name) for v in public_venues()]


@bp.route("/partners", methods=["GET", "POST"])
@county_required
def partners():
    from ..calendars.forms import PartnerForm
    from ..calendars.models import Partner
    from ..calendars.partners import PartnerError, create_partner
    form = PartnerForm()
    if form.validate_on_submit():
        try:
            partner = create_partner(form.name.data, current_user, form.website.data)
        except PartnerError as error:
            db.session.rollback()
            put_error(form, error, "name")
        else:
            db.session.commit()
            return redirect(url_for("staff.partner", partner_id=partner.id), code=303)
    listing = db.session.scalars(db.select(Partner).order_by(Partner.name)).all()
    return render_template("staff/partners.html", form=form, partners=listing), (
        422 if form.errors else 200)


@bp.route("/partners/<int:partner_id>", methods=["GET", "POST"])
@county_required
def partner(partner_id):
    """A partner's feeds; a new feed's secret link is shown once, here."""
    from ..calendars.forms import SubscriptionForm
    from ..calendars.models import Partner
    from ..calendars.partners import create_subscription
    found = db.get_or_404(Partner, partner_id)
    form = SubscriptionForm()
    _subscription_choices(form)
    link = None
    if form.validate_on_submit():
        _, token = create_subscription(found, form.name.data,
                                       {"focus": form.focus.data, "target": form.target.data,
                                        "venue": form.venue.data},
                                       form.include_tentative.data, current_user)
        db.session.commit()
        link = url_for("calendars.partner_calendar", token=token, _external=True)
        form = SubscriptionForm(formdata=None)
        _subscription_choices(form)
    return render_template("staff/partner.html", partner=found, form=form, link=link), (
        422 if form.errors else 200)


@bp.post("/feeds/<int:subscription_id>/<any(rotate, revoke):action>")
@county_required
def feed_action(subscription_id, action):
    from ..calendars.models import FeedSubscription
    from ..calendars.partners import revoke, rotate
    subscription = db.get_or_404(FeedSubscription, subscription_id)
    link = None
    if action == "rotate":
        token = rotate(subscription, current_user)
        link = url_for("calendars.partner_calendar", token=token, _external=True)
    else:
        revoke(subscription, current_user)
        flash(_("The link no longer works."))
    db.session.commit()
    from ..calendars.forms import SubscriptionForm
    form = SubscriptionForm(formdata=None)
    _subscription_choices(form)
    return render_template("staff/partner.html", partner=subscription.partner, form=form,
                           link=link)


# ----------------------------------------------------------- meeting places and rooms

def _venue_choices(form):
    from ..taxonomy.services import enabled_municipalities
    form.municipality.choices = [(m.id, m.name) for m in enabled_municipalities()
                                 if in_scope(current_user, m.id)]


def _room_choices(form):
    from ..venues.models import ROOM_FEATURES
    form.features.choices = list(ROOM_FEATURES.items())


@bp.route("/venues", methods=["GET", "POST"])
@staff_required
def venues():
    from ..venues.forms import VenueForm
    from ..venues.management import VenueError, save_venue
    from ..venues.models import Venue
    form = VenueForm()
    _venue_choices(form)
    if form.validate_on_submit():
        data, located = with_place(form.data)
        try:
            venue = save_venue(data, current_user)
        except VenueError as error:
            db.session.rollback()
            put_error(form, error, "name")
        else:
            db.session.commit()
            return _venue_saved(venue, located)
    listing = [v for v in db.session.scalars(db.select(Venue).order_by(Venue.name))
               if in_scope(current_user, v.municipality_id)]
    return render_template("staff/venues.html", form=form, venues=listing), (
        422 if form.errors else 200)


def _venue_page(venue, venue_form=None, room_form=None, hours_form=None, closure_form=None,
                status=200):
    from ..venues.forms import ClosureForm, HoursForm, RoomForm, VenueForm
    from ..common.templating import weekday_name
    venue_form = venue_form or VenueForm(obj=venue, formdata=None)
    if venue_form.municipality.data is None:
        venue_form.municipality.data = venue.municipality_id
    _venue_choices(venue_form)
    room_form = room_form or RoomForm(formdata=None)
    _room_choices(room_form)
    hours_form = hours_form or HoursForm(formdata=None)
    hours_form.weekday.choices = [(d, weekday_name(d)) for d in range(7)]
    closure_form = closure_form or ClosureForm(formdata=None)
    return render_template("staff/venue.html", venue=venue, venue_form=venue_form,
                           room_form=room_form, hours_form=hours_form,
                           closure_form=closure_form), status


def _venue_or_404(slug):
    from ..venues.models import Venue
    venue = db.session.scalar(db.select(Venue).filter_by(slug=slug))
    if venue is None or not in_scope(current_user, venue.municipality_id):
        abort(404)
    return venue


@bp.route("/venues/<slug>", methods=["GET", "POST"])
@staff_required
def venue(slug):
    from ..venues.forms import VenueForm
    from ..venues.management import save_venue
    found = _venue_or_404(slug)
    if request.method == "GET":
        return _venue_page(found)
    form = VenueForm()
    _venue_choices(form)
    if form.validate_on_submit():
        data, located = with_place(form.data, found)
        save_venue(data, current_user, found)
        db.session.commit()
        return _venue_saved(found, located)
    return _venue_page(found, venue_form=form, status=422)


def _venue_saved(venue, located):
    flash(_("Saved."))
    if located.needs_pin:
        flash(str(located.message()))
    return redirect(url_for("staff.venue", slug=venue.slug,
                            _anchor="where" if located.needs_pin else None), code=303)


@bp.post("/venues/<slug>/rooms")
@staff_required
def add_room(slug):
    from ..venues.forms import RoomForm
    from ..venues.management import VenueError, save_room
    found = _venue_or_404(slug)
    form = RoomForm()
    _room_choices(form)
    if form.validate_on_submit():
        try:
            save_room(found, form.data, current_user)
        except VenueError as error:
            db.session.rollback()
            put_error(form, error, "name")
        else:
            db.session.commit()
            flash(_("Saved."))
            return redirect(url_for("staff.venue", slug=slug), code=303)
    return _venue_page(found, room_form=form, status=422)


@bp.route("/rooms/<int:room_id>", methods=["GET", "POST"])
@staff_required
def room(room_id):
    from ..venues.forms import RoomForm
    from ..venues.management import VenueError, save_room
    from ..venues.models import Room
    found = db.get_or_404(Room, room_id)
    _venue_or_404(found.venue.slug)
    form = RoomForm(obj=found)
    _room_choices(form)
    if form.validate_on_submit():
        try:
            save_room(found.venue, form.data, current_user, found)
        except VenueError as error:
            db.session.rollback()
            put_error(form, error, "name")
        else:
            db.session.commit()
            flash(_("Saved."))
            return redirect(url_for("staff.venue", slug=found.venue.slug), code=303)
    return render_template("staff/room.html", room=found, form=form), (
        422 if form.errors else 200)


@bp.post("/venues/<slug>/hours")
@staff_required
def venue_hours(slug):
    from ..venues.forms import HoursForm
    from ..venues.management import set_hours
    found = _venue_or_404(slug)
    form = HoursForm()
    form.weekday.choices = [(d, str(d)) for d in range(7)]
    if form.validate_on_submit():
        set_hours(found, form.weekday.data, form.opens.data, form.closes.data, current_user)
        db.session.commit()
        flash(_("Saved."))
        return redirect(url_for("staff.venue", slug=slug), code=303)
    return _venue_page(found, hours_form=form, status=422)


@bp.post("/venues/<slug>/closures")
@staff_required
def venue_closures(slug):
    from ..venues.forms import ClosureForm
    from ..venues.management import close_days
    found = _venue_or_404(slug)
    form = ClosureForm()
    if form.validate_on_submit():
        close_days(found, form.starts_on.data, form.ends_on.data, form.reason.data,
                   current_user)
        db.session.commit()
        flash(_("Saved."))
        return redirect(url_for("staff.venue", slug=slug), code=303)
    return _venue_page(found, closure_form=form, status=422)


# ------------------------------------------------------------------ municipalities

def _municipality_filters(args):
    """The listing's filters from a query string or form: only enabled ones, one county
    (its two-digit code); unknown values are dropped."""
    from ..taxonomy.reference import reference_counties
    filters = {}
    if args.get("enabled") == "1":
        filters["enabled"] = "1"
    if args.get("county") in {c["code"] for c in reference_counties()}:
        filters["county"] = args["county"]
    return filters


def _municipality_groups(filters):
    """[(county, [row, …]), …] by county code, rows by name: every municipality of the
    reference list, as the table holds it (a schema built without the migration may lack
    some: those are shown as not enabled), with what belongs to it."""
    from ..taxonomy.reference import reference_counties, reference_municipalities
    from ..taxonomy.services import all_municipalities, municipality_usage
    usage = municipality_usage()
    stored = {m.code: m for m in all_municipalities()}
    rows = {entry["code"]: {"code": entry["code"], "name": entry["name"], "enabled": False,
                            "county_code": entry["county_code"]}
            for entry in reference_municipalities()}
    for code, municipality in stored.items():
        rows[code] = {"code": code, "name": municipality.name,
                      "enabled": municipality.enabled,
                      "county_code": municipality.county_code,
                      **usage.get(municipality.id, {})}
    groups = []
    for county in reference_counties():
        if filters.get("county") not in (None, county["code"]):
            continue
        listed = sorted((r for r in rows.values() if r["county_code"] == county["code"]
                         and (r["enabled"] or "enabled" not in filters)),
                        key=lambda r: r["name"])
        if listed:
            groups.append((county, listed))
    return groups


def _municipalities_page(filters, problem=None):
    from ..taxonomy.reference import reference_counties
    return render_template("staff/municipalities.html", filters=filters,
                           groups=_municipality_groups(filters),
                           counties=reference_counties(), problem=problem)


@bp.get("/municipalities")
@county_required
def municipalities():
    """The municipalities by county: which ones this installation serves, and what
    belongs to each."""
    return _municipalities_page(_municipality_filters(request.args))


@bp.post("/municipalities/<code>/<any(enable, disable):action>")
@county_required
def municipality_action(code, action):
    """Serve a municipality or stop serving it; one still in use is not disabled."""
    from ..taxonomy.services import (MunicipalityError, disable_municipalities,
                                     enable_municipalities, municipality_by_code)
    if not (code.isdigit() and len(code) == 4):
        abort(404)
    municipality = municipality_by_code(code, create=True)
    if municipality is None:
        abort(404)
    filters = _municipality_filters(request.form)
    change = enable_municipalities if action == "enable" else disable_municipalities
    try:
        change([code], current_user)
    except MunicipalityError as error:
        db.session.rollback()
        return _municipalities_page(filters, problem=(code, error.message)), 422
    db.session.commit()
    flash(_("%(name)s: saved.", name=municipality.name))
    return redirect(url_for("staff.municipalities", **filters, _anchor=f"m-{code}"),
                    code=303)


# ------------------------------------------------------------ a coordinator's scope

@bp.context_processor
def _scope_choices():
    """The accounts page offers these municipalities as a coordinator's scope; read only
    when a county-wide coordinator's page shows the choice."""
    from ..taxonomy.services import enabled_municipalities
    return {"enabled_municipalities": enabled_municipalities}


@bp.post("/users/<int:user_id>/municipality")
@county_required
def coordinator_municipality(user_id):
    """A county-wide coordinator limits another coordinator to a municipality, or gives
    them the whole county."""
    from ..accounts.services import AccountError
    from ..organisations.services import set_coordinator_municipality
    account = db.get_or_404(User, user_id)
    if not may_act_on_account(current_user, account):
        abort(404)
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
