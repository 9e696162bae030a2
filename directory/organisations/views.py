"""Registering an organisation, and members editing their own."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from ..accounts.services import AccountError, create_user, set_password
from ..common.errors import FieldError, put_error
from ..extensions import db
from ..geo.placing import with_place
from ..taxonomy.services import all_focus_areas, enabled_municipalities
from .forms import OrganisationForm, RegistrationForm
from .models import Organisation
from .member_forms import InviteForm
from .services import (OrganisationError, invite_member, may_edit, may_manage_members,
                       register_organisation, update_profile)

bp = Blueprint("organisations", __name__)


def _choices(form):
    form.municipality.choices = [(m.id, m.name) for m in enabled_municipalities()]
    form.focus_areas.choices = [(f.id, f.label()) for f in all_focus_areas()]


@bp.route("/organisations/register", methods=["GET", "POST"])
def register():
    """A public form: the organisation is created pending, with its first owner."""
    form = RegistrationForm()
    _choices(form)
    if form.validate_on_submit():
        # Before anything is written: a slow geocoder holds no lock.
        data, located = with_place(form.data)
        try:
            owner = create_user(form.owner_email.data, "member", name=form.owner_name.data)
            set_password(owner, form.password.data)
            organisation = register_organisation(data, owner)
        except AccountError as error:
            db.session.rollback()
            # The account's e-mail is this form's owner_email.
            put_error(form, FieldError("owner_email", error.message)
                      if error.field == "email" else error, "name")
        except OrganisationError as error:
            db.session.rollback()
            put_error(form, error, "name")
        else:
            db.session.commit()
            login_user(owner)
            flash(_("Thank you! A coordinator will review %(name)s soon. You can see the "
                    "status here.", name=organisation.name))
            if located.needs_pin:
                flash(str(located.message()))
                return redirect(url_for("organisations.edit", slug=organisation.slug,
                                        _anchor="where"), code=303)
            return redirect(url_for("accounts.home"), code=303)
    return render_template("organisations/register.html", form=form), (
        422 if form.errors else 200)


def _editable(slug):
    organisation = db.session.scalar(db.select(Organisation).filter_by(slug=slug))
    # Another organisation's page answers 404, not 403: it does not say it exists.
    if organisation is None or not may_edit(current_user, organisation):
        abort(404)
    return organisation


@bp.route("/manage/organisations/<slug>", methods=["GET", "POST"])
@login_required
def edit(slug):
    organisation = _editable(slug)
    form = OrganisationForm(obj=organisation)
    _choices(form)
    if not form.is_submitted():
        form.municipality.data = organisation.municipality_id
        form.focus_areas.data = [f.id for f in organisation.focus_areas]
        form.languages.data = ", ".join(organisation.languages)
        for lang in ("en", "ar"):
            getattr(form, f"description_{lang}").data = ((organisation.translations or {})
                                                         .get(lang) or {}).get("description")
    if form.validate_on_submit():
        data, located = with_place(form.data, organisation)
        update_profile(organisation, data, current_user)
        db.session.commit()
        flash(_("Saved."))
        if located.needs_pin:
            flash(str(located.message()))
        return redirect(url_for("organisations.edit", slug=organisation.slug,
                                _anchor="where" if located.needs_pin else None), code=303)
    return render_template("organisations/edit.html", form=form, org=organisation), (
        422 if form.errors else 200)


@bp.route("/manage/organisations/<slug>/members", methods=["GET", "POST"])
@login_required
def members(slug):
    """Owners and coordinators see the members and invite new ones."""
    from ..accounts.services import make_password_token
    from ..common.mail import send_mail
    organisation = _editable(slug)
    if not may_manage_members(current_user, organisation):
        abort(404)
    form = InviteForm()
    link = None
    if form.validate_on_submit():
        try:
            user, is_new = invite_member(organisation, form.email.data, form.role.data,
                                         current_user)
        except (OrganisationError, AccountError) as error:
            db.session.rollback()
            form.email.errors = list(form.email.errors) + [error.message]
        else:
            db.session.commit()
            if is_new:
                link = url_for("accounts.password", token=make_password_token(user),
                               _external=True)
                body = _("You are invited to %(name)s on Samverkan. Choose a password "
                         "within 48 hours: %(link)s", name=organisation.name, link=link)
                if send_mail(user.email, _("Invitation to %(name)s", name=organisation.name),
                             body):
                    flash(_("The invitation is sent by e-mail."))
                    link = None
            else:
                flash(_("%(email)s is now a member.", email=user.email))
            if link is None:
                return redirect(url_for("organisations.members", slug=slug), code=303)
    status = 422 if form.errors else 200
    return render_template("organisations/members.html", org=organisation, form=form,
                           link=link), status
