"""Coordinator routes: every one needs the staff role."""

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.models import User
from ..audit.services import find_events
from ..common.time import parse_date
from ..extensions import db
from ..organisations.forms import DecisionForm
from ..organisations.models import Organisation
from ..organisations.services import (OrganisationError, decide, may_edit,
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


@bp.get("/organisations")
@staff_required
def organisations():
    status = request.args.get("status", "pending")
    if status not in ("pending", "verified", "rejected", "archived"):
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
        except OrganisationError as error:
            flash(error.message)
        else:
            db.session.commit()
            flash(_("%(name)s: saved.", name=organisation.name))
    return redirect(url_for("staff.organisations", status="pending"), code=303)


@bp.get("/audit")
@staff_required
def audit():
    users = {u.id: u.email for u in db.session.scalars(db.select(User))}
    user_id = request.args.get("user", type=int)
    events = find_events(action=request.args.get("action") or None,
                         object_type=request.args.get("object_type") or None,
                         user_id=user_id, day_from=parse_date(request.args.get("from")),
                         day_to=parse_date(request.args.get("to")))
    return render_template("staff/audit.html", events=events, users=users)


@bp.get("/users")
@staff_required
def users():
    accounts = db.session.scalars(db.select(User).order_by(User.email)).all()
    return render_template("staff/users.html", accounts=accounts, link=None)


@bp.post("/users/<int:user_id>/password-link")
@staff_required
def password_link(user_id):
    """A coordinator makes a one-time password link to pass on (when there is no mail)."""
    from ..accounts.services import make_password_token
    from ..audit.services import record
    account = db.get_or_404(User, user_id)
    record(current_user, "user.password_link", account, account.email)
    db.session.commit()
    link = url_for("accounts.password", token=make_password_token(account), _external=True)
    accounts = db.session.scalars(db.select(User).order_by(User.email)).all()
    return render_template("staff/users.html", accounts=accounts, link=link,
                           link_for=account)


@bp.route("/terms", methods=["GET", "POST"])
@staff_required
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
            getattr(form, error.field).errors.append(error.message)
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
@staff_required
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
            form.name.errors.append(error.message)
        else:
            db.session.commit()
            return redirect(url_for("staff.partner", partner_id=partner.id), code=303)
    listing = db.session.scalars(db.select(Partner).order_by(Partner.name)).all()
    return render_template("staff/partners.html", form=form, partners=listing), (
        422 if form.errors else 200)


@bp.route("/partners/<int:partner_id>", methods=["GET", "POST"])
@staff_required
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
@staff_required
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
