"""Signing up without an account, the personal link, and the organisation's list."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, pgettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..activities.editing import date_about
from ..activities.models import Occurrence
from ..activities.public import public_occurrence
from ..audit.services import record
from ..common.access import load_or_404
from ..common.errors import put_error
from ..common.i18n import LANGUAGE_NAMES, SPOKEN_LANGUAGES, current_lang
from ..common.spreadsheet import csv_response
from ..common.templating import language_name
from ..extensions import db
from ..organisations.services import may_edit
from .forms import AttendanceForm, CapacityForm, ResendForm, SignupForm
from .limits import signup_limits
from .services import (SignupError, cancel_signup, delete_own_data, record_attendance,
                       send_link_again, set_capacity, set_reminders, sign_up,
                       signup_for_token, signups_of, waitlist_position)

bp = Blueprint("signups", __name__)



def _language_choices(form):
    form.language.choices = [("", _("No preference"))] + [
        (code, LANGUAGE_NAMES[code]) for code in SPOKEN_LANGUAGES]


@bp.route("/occurrences/<int:occurrence_id>/signup", methods=["GET", "POST"])
@signup_limits
def signup(occurrence_id):
    """Sign up; then (a redirect after the POST) the personal page of a new sign-up, or
    the page saying the link was sent for a contact already signed up."""
    occurrence = public_occurrence(occurrence_id)
    if occurrence is None:
        abort(404)
    form = SignupForm()
    _language_choices(form)
    status = 200
    if form.validate_on_submit():
        if form.website.data:
            # The honeypot: answer as if all went well, store nothing.
            return redirect(url_for("signups.sent", occurrence_id=occurrence.id), code=303)
        try:
            created, token = sign_up(occurrence.id, form.name.data, form.contact.data,
                                     form.language.data, interface_language=current_lang())
        except SignupError as error:
            db.session.rollback()
            put_error(form, error)
            status = error.status
        else:
            db.session.commit()
            if token is None:
                return redirect(url_for("signups.sent", occurrence_id=occurrence.id),
                                code=303)
            flash(_("You are signed up. We have sent this page's link to you; keep it."))
            return redirect(url_for("signups.mine", token=token), code=303)
    if form.errors and status == 200:
        status = 422
    return render_template("signups/form.html", form=form, occurrence=occurrence,
                           activity=occurrence.activity), status


@bp.post("/occurrences/<int:occurrence_id>/resend")
@signup_limits
def resend(occurrence_id):
    """Send the personal link again to a contact signed up for the date. The answer is
    the same whether or not it is signed up."""
    occurrence = public_occurrence(occurrence_id)
    if occurrence is None:
        abort(404)
    form = ResendForm()
    if form.validate_on_submit():
        send_link_again(occurrence.id, form.contact.data)
        db.session.commit()
    return redirect(url_for("signups.sent", occurrence_id=occurrence.id), code=303)


@bp.get("/occurrences/<int:occurrence_id>/signup/sent")
def sent(occurrence_id):
    occurrence = public_occurrence(occurrence_id)
    if occurrence is None:
        abort(404)
    return render_template("signups/sent.html", occurrence=occurrence)


@bp.get("/signups/<token>")
def mine(token):
    found = signup_for_token(token)
    if found is None:
        abort(404)
    return render_template("signups/mine.html", signup=found, token=token,
                           position=waitlist_position(found))


@bp.post("/signups/<token>/reminders")
def reminders(token):
    try:
        set_reminders(token, request.form.get("reminders") == "on")
    except SignupError:
        db.session.rollback()
        abort(404)
    db.session.commit()
    flash(_("Saved."))
    return redirect(url_for("signups.mine", token=token), code=303)


@bp.post("/signups/<token>/cancel")
def cancel(token):
    try:
        cancel_signup(token)
    except SignupError as error:
        db.session.rollback()
        if error.status == 404:
            abort(404)
        flash(error.message)
    else:
        db.session.commit()
        flash(_("Your sign-up is cancelled."))
    return redirect(url_for("signups.mine", token=token), code=303)


@bp.post("/signups/<token>/delete")
def delete(token):
    try:
        delete_own_data(token)
    except SignupError:
        db.session.rollback()
        abort(404)
    db.session.commit()
    flash(_("Your name and contact details are deleted."))
    return redirect(url_for("signups.mine", token=token), code=303)


def _manageable(occurrence_id):
    """A date of an organisation the current user may edit, else 404."""
    return load_or_404(Occurrence, occurrence_id,
                       lambda o: may_edit(current_user, o.activity.organisation))


@bp.route("/manage/occurrences/<int:occurrence_id>/signups", methods=["GET", "POST"])
@login_required
def roster(occurrence_id):
    """Who is coming. Every view of the list is written to the audit log."""
    occurrence = _manageable(occurrence_id)
    capacity_form = CapacityForm(prefix="cap")
    attendance_form = AttendanceForm(prefix="att")
    which = request.form.get("form")
    if which == "capacity" and capacity_form.validate_on_submit():
        promoted = set_capacity(occurrence, capacity_form.capacity.data, current_user)
        db.session.commit()
        flash(_("Saved.") + " " + _("Moved up from the waiting list: %(num)d",
                                     num=len(promoted)))
        return redirect(url_for("signups.roster", occurrence_id=occurrence.id), code=303)
    if which == "attendance" and attendance_form.validate_on_submit():
        occurrence.attended_count = attendance_form.attended.data
        record(current_user, "occurrence.attendance", occurrence, occurrence.activity.title,
               None, {"attended": attendance_form.attended.data},
               about=date_about(occurrence))
        db.session.commit()
        flash(_("Saved."))
        return redirect(url_for("signups.roster", occurrence_id=occurrence.id), code=303)
    if which == "came" and attendance_form.validate_on_submit():
        came = [key[5:] for key in request.form if key.startswith("came-")
                and key[5:].isdigit() and len(key) < 16]
        record_attendance(occurrence, came, attendance_form.walk_ins.data, current_user)
        db.session.commit()
        flash(_("Saved."))
        return redirect(url_for("signups.roster", occurrence_id=occurrence.id), code=303)
    if request.method == "GET":
        record(current_user, "signups.view", occurrence, occurrence.activity.title,
               about=date_about(occurrence))
        db.session.commit()
    capacity_form.capacity.data = capacity_form.capacity.data or occurrence.effective_capacity
    attendance_form.attended.data = attendance_form.attended.data or occurrence.attended_count
    if attendance_form.walk_ins.data is None:
        attendance_form.walk_ins.data = occurrence.walk_in_count
    return render_template("signups/roster.html", occurrence=occurrence,
                           signups=signups_of(occurrence), capacity_form=capacity_form,
                           attendance_form=attendance_form), (
        422 if capacity_form.errors or attendance_form.errors else 200)


@bp.get("/manage/occurrences/<int:occurrence_id>/signups.csv")
@login_required
def roster_csv(occurrence_id):
    occurrence = _manageable(occurrence_id)
    statuses = {"confirmed": _("Has a place"), "waitlisted": _("Waiting"),
                "cancelled": pgettext("sign-up", "Cancelled")}
    rows = [(s.name, s.contact, language_name(s.language) if s.language else "",
             statuses.get(s.status, s.status), format_datetime(s.created_at, "yyyy-MM-dd HH:mm"))
            for s in signups_of(occurrence)]
    record(current_user, "signups.export", occurrence, occurrence.activity.title,
           about=date_about(occurrence))
    db.session.commit()
    return csv_response(f"signups-{occurrence.id}",
                        [_("Name"), _("Contact"), _("Language"), _("Status"), _("Signed up")],
                        rows)
