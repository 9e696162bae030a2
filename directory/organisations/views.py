"""Organisations: the public list, registering one, members editing their own
(profile, members), and the coordinators' import of a register file (/staff/import).
An organisation's public page lists its dates and lives in activities/views.py:
organisations sit below activities and do not import them."""

from flask import (Blueprint, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from ..accounts.services import AccountError, create_user, make_password_token, set_password
from ..common.access import load_or_404, staff_required
from ..common.errors import form_work, put_error
from ..common.filters import parse_filters
from ..common.i18n import LANGUAGE_NAMES, current_lang
from ..common.mail import mail_enabled
from ..common.urls import absolute_url
from ..extensions import db
from ..geo.placing import with_place
from ..taxonomy.services import all_focus_areas, enabled_municipalities, filter_choices
from .forms import ImportForm, OrganisationForm, RegistrationForm
from .freshness import confirm_details, standing
from .import_files import MAX_ROWS
from .importing import (ACTION_LABELS, ACTIONS, FIELD_LABELS, counts, create_run,
                        report_page, run_import, run_plan)
from .models import ImportRun, Membership, Organisation
from .member_forms import InviteForm, MemberRoleForm
from .members import (change_member_role, invite_member, may_manage_members, remove_member,
                      transfer_ownership)
from .notices import tell_invited
from .services import (OrganisationError, may_edit, organisation_page, register_organisation,
                       update_profile)

bp = Blueprint("organisations", __name__)


@bp.get("/organisations")
def organisations():
    filters = parse_filters(request.args, current_app.config["PER_PAGE"],
                            current_app.config["MAX_PER_PAGE"])
    page = organisation_page(filters, filters.page, filters.per_page)
    return render_template("organisations/list.html", page=page, filters=filters,
                           **filter_choices())


def _choices(form):
    form.municipality.choices = [(m.id, m.name) for m in enabled_municipalities()]
    form.focus_areas.choices = [(f.id, f.label()) for f in all_focus_areas()]
    form.preferred_language.choices = [(code, LANGUAGE_NAMES.get(code, code))
                                       for code in current_app.config["LANGUAGES"]]
    if not form.is_submitted() and not form.preferred_language.data:
        form.preferred_language.data = current_lang()


@bp.route("/organisations/register", methods=["GET", "POST"])
def register():
    """A public form: the organisation is created pending, with its first owner."""
    form = RegistrationForm.in_languages()()
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
            put_error(form, error, "name", rename={"email": "owner_email"})
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
    """The organisation the current user may edit, else 404."""
    return load_or_404(Organisation, slug, lambda o: may_edit(current_user, o), by="slug")


@bp.route("/manage/organisations/<slug>", methods=["GET", "POST"])
@login_required
def edit(slug):
    organisation = _editable(slug)
    form = OrganisationForm.in_languages()(obj=organisation)
    _choices(form)
    form.languages.offer(organisation.languages)
    if not form.is_submitted():
        form.municipality.data = organisation.municipality_id
        form.focus_areas.data = [f.id for f in organisation.focus_areas]
        form.fill_translations(organisation.translations)
    if form.validate_on_submit():
        data, located = with_place(form.data, organisation)
        update_profile(organisation, data, current_user)
        db.session.commit()
        flash(_("Saved."))
        if located.needs_pin:
            flash(str(located.message()))
        return redirect(url_for("organisations.edit", slug=organisation.slug,
                                _anchor="where" if located.needs_pin else None), code=303)
    return render_template("organisations/edit.html", form=form, org=organisation,
                           standing=standing(organisation)), 422 if form.errors else 200


@bp.post("/manage/organisations/<slug>/confirm")
@login_required
def confirm(slug):
    """"Our details are still right": the organisation's details are confirmed for
    another year (a lapsed listing is shown again)."""
    organisation = _editable(slug)
    confirm_details(organisation, current_user)
    db.session.commit()
    flash(_("Thank you. The details of %(name)s are confirmed; we ask again in a year.",
            name=organisation.name))
    return redirect(url_for("organisations.edit", slug=organisation.slug), code=303)


@bp.route("/manage/organisations/<slug>/members", methods=["GET", "POST"])
@login_required
def members(slug):
    """Owners and coordinators see the members and invite new ones."""
    organisation = _managed(slug)
    form = InviteForm()
    link = None
    if form.validate_on_submit():
        try:
            user, is_new = invite_member(organisation, form.email.data, form.role.data,
                                         current_user)
        except (OrganisationError, AccountError) as error:
            db.session.rollback()
            put_error(form, error, "email")
        else:
            if is_new:
                link = absolute_url("accounts.password", token=make_password_token(user))
                if mail_enabled():
                    tell_invited(user, organisation, link, current_lang())
                    flash(_("The invitation is sent by e-mail."))
                    link = None
            db.session.commit()
            if not is_new:
                flash(_("%(email)s is now a member.", email=user.email))
            if link is None:
                return redirect(url_for("organisations.members", slug=slug), code=303)
    return _members_page(organisation, form=form, link=link,
                         status=422 if form.errors else 200)


def _managed(slug):
    """The organisation whose members the current user may manage, else 404."""
    return load_or_404(Organisation, slug, lambda o: may_edit(current_user, o)
                       and may_manage_members(current_user, o), by="slug")


def _member(organisation, membership_id):
    """The organisation's membership with this id; another organisation's is as
    unknown (404) as a missing one."""
    return load_or_404(Membership, membership_id,
                       lambda m: m.organisation_id == organisation.id)


def _members_page(organisation, form=None, link=None, errors=None, status=200):
    """The members with what the current user may do to each; `errors` by membership
    id, shown beside that member."""
    members = sorted(organisation.memberships,
                     key=lambda m: (m.role != "owner", m.user.email))
    mine = next((m for m in members if m.user_id == current_user.id), None)
    return render_template(
        "organisations/members.html", org=organisation, members=members, mine=mine,
        form=form or InviteForm(formdata=None), role_form=MemberRoleForm(formdata=None),
        link=link, errors=errors or {}), status


def _after_member_change(organisation, membership_id, change, *messages):
    """Run one change of the members and commit it, or show its error beside the
    member (422, nothing saved). Afterwards the user goes where they still have access."""
    try:
        change()
    except OrganisationError as error:
        db.session.rollback()
        if not may_manage_members(current_user, organisation):
            flash(str(error.message))
            return redirect(url_for("organisations.edit", slug=organisation.slug),
                            code=303)
        return _members_page(organisation, errors={membership_id: error.message},
                             status=422)
    db.session.commit()
    for message in messages:
        flash(message)
    if may_manage_members(current_user, organisation):
        target = url_for("organisations.members", slug=organisation.slug)
    elif may_edit(current_user, organisation):
        target = url_for("organisations.edit", slug=organisation.slug)
    else:
        target = url_for("accounts.home")
    return redirect(target, code=303)


@bp.post("/manage/organisations/<slug>/members/<int:membership_id>/role")
@login_required
def member_role(slug, membership_id):
    """An owner or coordinator makes a member owner or editor (an owner may step down
    while another owner stays)."""
    organisation = _managed(slug)
    membership = _member(organisation, membership_id)
    role, email = MemberRoleForm().role.data, membership.user.email
    message = (_("%(email)s is now an owner.", email=email) if role == "owner" else
               _("%(email)s is now an editor.", email=email))
    return _after_member_change(
        organisation, membership_id,
        lambda: change_member_role(organisation, membership, role, current_user), message)


@bp.post("/manage/organisations/<slug>/members/<int:membership_id>/transfer")
@login_required
def transfer(slug, membership_id):
    """An owner hands the organisation over: the member becomes owner, the owner an
    editor."""
    organisation = _managed(slug)
    membership = _member(organisation, membership_id)
    messages = [_("%(email)s is now an owner.", email=membership.user.email)]
    if any(m.organisation_id == organisation.id and m.role == "owner"
           for m in current_user.memberships):
        messages.append(_("You are now an editor of %(name)s.", name=organisation.name))
    return _after_member_change(
        organisation, membership_id,
        lambda: transfer_ownership(organisation, membership, current_user), *messages)


@bp.post("/manage/organisations/<slug>/members/<int:membership_id>/remove")
@login_required
def remove(slug, membership_id):
    """An owner or coordinator takes a member out; their access ends at once."""
    organisation = _managed(slug)
    membership = _member(organisation, membership_id)
    return _after_member_change(
        organisation, membership_id,
        lambda: remove_member(organisation, membership, current_user),
        _("%(email)s is no longer a member.", email=membership.user.email))


def _own_membership(organisation):
    """The current user's membership of the organisation, or None."""
    return next((m for m in current_user.memberships
                 if m.organisation_id == organisation.id), None)


@bp.post("/manage/organisations/<slug>/leave")
@login_required
def leave(slug):
    """A member leaves the organisation (the last owner cannot)."""
    organisation = load_or_404(Organisation, slug,
                               lambda o: _own_membership(o) is not None, by="slug")
    membership = _own_membership(organisation)
    return _after_member_change(
        organisation, membership.id,
        lambda: remove_member(organisation, membership, current_user),
        _("You are no longer a member of %(name)s.", name=organisation.name))


# ------------------------------------------------------------------ importing a register

@bp.route("/staff/import", methods=["GET", "POST"])
@staff_required
def staff_import():
    """A coordinator uploads a register file (CSV or XLSX); its rows are kept and shown
    as a dry run. Nothing is imported here."""
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        with form_work(form, "file") as work:
            run, _ = create_run(upload.read(), upload.filename or "", current_user,
                                form.status.data)
        if work.ok:
            return redirect(url_for("organisations.import_run", run_id=run.id), code=303)
    return render_template("organisations/import.html", form=form, max_rows=MAX_ROWS), (
        422 if form.errors else 200)


def _own_run(run_id):
    """An import run of the current coordinator's, else 404."""
    return load_or_404(ImportRun, run_id, lambda r: r.user_id == current_user.id)


@bp.get("/staff/import/<int:run_id>")
@staff_required
def import_run(run_id):
    """Before the import: the dry run, row by row (by action, a page at a time). While
    it runs: a progress bar that refreshes itself. After: what was done."""
    run = _own_run(run_id)
    action = request.args.get("show")
    action = action if action in ACTIONS else None
    report = plans = None
    if run.state == "ready":
        plans = run_plan(run)
        report = report_page(plans, action, request.args.get("page", 1, type=int))
    return render_template("organisations/import_run.html", run=run, plans=plans,
                           report=report, action=action,
                           counts=counts(plans) if plans is not None else None,
                           action_labels=ACTION_LABELS, field_labels=FIELD_LABELS)


@bp.post("/staff/import/<int:run_id>/confirm")
@staff_required
def confirm_import(run_id):
    """Import what the dry run showed (planned again against the register as it is
    now), all or nothing; a run already started is left to finish."""
    run = run_import(_own_run(run_id).id)
    if run.state == "done":
        flash(_("Imported: %(created)s created, %(updated)s updated, %(unchanged)s "
                "unchanged, %(refused)s refused.", created=run.created, updated=run.updated,
                unchanged=run.unchanged, refused=run.refused))
    elif run.state == "failed":
        flash(_("The import failed and nothing was imported. Upload the file again."))
    return redirect(url_for("organisations.import_run", run_id=run.id), code=303)
