"""Organisation members (and coordinators) managing activities and single dates."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..common.errors import put_error
from ..common.time import to_local, utcnow
from ..extensions import db
from ..geo.placing import with_place
from ..organisations.models import Organisation
from ..organisations.services import may_edit
from ..taxonomy.services import all_focus_areas, all_target_groups
from ..venues.services import rooms_to_choose
from .editing import (ActivityError, cancel_occurrence, create_activity, end_activity,
                      move_occurrence, plan_changes, preview_dates, restore_occurrence,
                      schedule_from, update_activity)
from .forms import ActivityForm, CancelDateForm, MoveDateForm
from .models import Activity, Occurrence

bp = Blueprint("manage", __name__, url_prefix="/manage")


def _organisation(slug):
    organisation = db.session.scalar(db.select(Organisation).filter_by(slug=slug))
    if organisation is None or not may_edit(current_user, organisation):
        abort(404)  # another organisation's things answer 404, not 403
    return organisation


def _activity(activity_id):
    activity = db.session.get(Activity, activity_id)
    if activity is None or not may_edit(current_user, activity.organisation):
        abort(404)
    return activity


def _occurrence(occurrence_id):
    occurrence = db.session.get(Occurrence, occurrence_id)
    if occurrence is None or not may_edit(current_user, occurrence.activity.organisation):
        abort(404)
    return occurrence


def _coming_dates(activity):
    """The activity's dates that have not ended, soonest first."""
    return db.session.scalars(db.select(Occurrence).where(
        Occurrence.activity_id == activity.id, Occurrence.ends_at > utcnow())
        .order_by(Occurrence.starts_at)).all()


def _choices(form, current_room=None):
    form.focus_areas.choices = [(f.id, f.label()) for f in all_focus_areas()]
    form.target_groups.choices = [(t.id, t.label()) for t in all_target_groups()]
    form.room_id.choices = [(0, _("No room: at the address below"))] + [
        (r.id, f"{r.venue.name} – {r.name}")
        for r in rooms_to_choose(current_user, current_room)]


@bp.get("/organisations/<slug>/activities")
@login_required
def activities(slug):
    organisation = _organisation(slug)
    return render_template("manage/activities.html", org=organisation)


@bp.route("/organisations/<slug>/activities/new", methods=["GET", "POST"])
@login_required
def new_activity(slug):
    organisation = _organisation(slug)
    form = ActivityForm()
    _choices(form)
    preview = None
    if form.validate_on_submit():
        data = form.plain_data()
        try:
            if request.form.get("action") == "save":
                data, located = with_place(data)
                activity = create_activity(organisation, data, current_user)
                db.session.commit()
                return _saved(activity, located)
            preview = preview_dates(schedule_from(data))
        except ActivityError as error:
            db.session.rollback()
            put_error(form, error, "title")
    return render_template("manage/activity_form.html", form=form, org=organisation,
                           preview=preview, activity=None), 422 if form.errors else 200


@bp.route("/activities/<int:activity_id>", methods=["GET", "POST"])
@login_required
def edit_activity(activity_id):
    activity = _activity(activity_id)
    form = ActivityForm(obj=activity)
    _choices(form, activity.room_id)
    if not form.is_submitted():
        _fill(form, activity)
    preview = plan = None
    if form.validate_on_submit():
        data = form.plain_data()
        try:
            if request.form.get("action") == "save":
                data, located = with_place(data, activity)
                update_activity(activity, data, current_user, confirmed=form.confirm.data)
                db.session.commit()
                return _saved(activity, located)
            schedule = schedule_from(data)
            preview = preview_dates(schedule)
            plan = plan_changes(activity, schedule)
        except ActivityError as error:
            db.session.rollback()
            put_error(form, error, "title")
            if error.field == "confirm":
                schedule = schedule_from(data)
                preview = preview_dates(schedule)
                plan = plan_changes(activity, schedule)
    return render_template("manage/activity_form.html", form=form, org=activity.organisation,
                           activity=activity, preview=preview, plan=plan), (
        422 if form.errors else 200)


def _saved(activity, located):
    """After saving: the dates, or back to the form's place when a pin is needed."""
    flash(_("The activity is saved."))
    if located.needs_pin:
        flash(str(located.message()))
        return redirect(url_for("manage.edit_activity", activity_id=activity.id,
                                _anchor="where"), code=303)
    return redirect(url_for("manage.dates", activity_id=activity.id), code=303)


def _fill(form, activity):
    form.focus_areas.data = [f.id for f in activity.focus_areas]
    form.target_groups.data = [t.id for t in activity.target_groups]
    form.languages.data = ", ".join(activity.languages)
    form.weekdays.data = list(activity.weekday_list)
    for lang in ("en", "ar"):
        entry = (activity.translations or {}).get(lang) or {}
        getattr(form, f"title_{lang}").data = entry.get("title")
        getattr(form, f"description_{lang}").data = entry.get("description")


@bp.post("/activities/<int:activity_id>/end")
@login_required
def end(activity_id):
    activity = _activity(activity_id)
    end_activity(activity, current_user)
    db.session.commit()
    flash(_("The activity has ended. Coming dates with sign-ups are shown as cancelled."))
    return redirect(url_for("manage.activities", slug=activity.organisation.slug), code=303)


@bp.get("/activities/<int:activity_id>/dates")
@login_required
def dates(activity_id):
    activity = _activity(activity_id)
    coming = _coming_dates(activity)
    return render_template("manage/dates.html", activity=activity, coming=coming,
                           cancel_form=CancelDateForm(), move_form=MoveDateForm())


@bp.post("/occurrences/<int:occurrence_id>/cancel")
@login_required
def cancel(occurrence_id):
    occurrence = _occurrence(occurrence_id)
    form = CancelDateForm()
    try:
        if not form.validate():
            raise ActivityError("reason", form.reason.errors[0])
        cancel_occurrence(occurrence, form.reason.data, current_user)
    except ActivityError as error:
        db.session.rollback()
        return _dates_with_error(occurrence, error, cancel_form=form)
    db.session.commit()
    flash(_("The date is cancelled."))
    return redirect(url_for("manage.dates", activity_id=occurrence.activity_id), code=303)


@bp.post("/occurrences/<int:occurrence_id>/restore")
@login_required
def restore(occurrence_id):
    occurrence = _occurrence(occurrence_id)
    try:
        restore_occurrence(occurrence, current_user)
    except ActivityError as error:
        db.session.rollback()
        return _dates_with_error(occurrence, error)
    db.session.commit()
    flash(_("The date is back on."))
    return redirect(url_for("manage.dates", activity_id=occurrence.activity_id), code=303)


@bp.post("/occurrences/<int:occurrence_id>/move")
@login_required
def move(occurrence_id):
    occurrence = _occurrence(occurrence_id)
    form = MoveDateForm()
    try:
        if not form.validate():
            field, errors = next(iter(form.errors.items()))
            raise ActivityError(field, errors[0])
        move_occurrence(occurrence, form.day.data, form.start_time.data, form.end_time.data,
                        current_user)
    except ActivityError as error:
        db.session.rollback()
        return _dates_with_error(occurrence, error, move_form=form)
    db.session.commit()
    flash(_("The date is moved."))
    return redirect(url_for("manage.dates", activity_id=occurrence.activity_id), code=303)


def _dates_with_error(occurrence, error, cancel_form=None, move_form=None):
    activity = occurrence.activity
    coming = _coming_dates(activity)
    return render_template("manage/dates.html", activity=activity, coming=coming,
                           cancel_form=cancel_form or CancelDateForm(formdata=None),
                           move_form=move_form or MoveDateForm(formdata=None),
                           error=error, error_occurrence=occurrence.id,
                           local=to_local), 422
