"""Activities, for every audience: the public lists and pages of activities and their
dates (with the pages of an organisation and of a meeting place, which list their
dates: organisations and venues sit below activities and do not import them), and
members (and coordinators) managing activities and single dates under /manage."""

from flask import (Blueprint, abort, current_app, flash, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..common.access import load_or_404
from ..common.errors import put_error
from ..common.filters import parse_filters
from ..common.time import by_local_day, local_today, to_local
from ..extensions import db
from ..geo.placing import with_place
from ..organisations.models import Organisation
from ..organisations.services import may_edit, public_organisation
from ..taxonomy.services import all_focus_areas, all_target_groups, filter_choices
from ..venues.services import public_venue, rooms_to_choose
from .editing import (ActivityError, cancel_occurrence, coming_dates, create_activity,
                      end_activity, move_occurrence, plan_changes, preview_dates,
                      restore_occurrence, schedule_from, update_activity)
from .forms import ActivityForm, CancelDateForm, MoveDateForm
from .models import Activity, Occurrence
from .public import (coming_occurrences, public_activity, public_occurrence,
                     upcoming_occurrences_of)
from .services import public_occurrence_page

bp = Blueprint("activities", __name__)


# ------------------------------------------------------------------ public pages

@bp.get("/activities")
def activities():
    filters = parse_filters(request.args, current_app.config["PER_PAGE"],
                            current_app.config["MAX_PER_PAGE"])
    # Near a place: each activity's next date at each place, nearest first.
    page = public_occurrence_page(filters, filters.page, filters.per_page,
                                  one_per_place=bool(filters.near))
    return render_template("activities/list.html", page=page, filters=filters,
                           days=by_local_day(page.items), **filter_choices())


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


@bp.get("/organisations/<slug>")
def organisation(slug):
    """An organisation's public page, with its coming dates."""
    org = public_organisation(slug)
    if org is None:
        abort(404)
    filters = parse_filters({"org": slug})
    upcoming = coming_occurrences(filters, limit=20)
    return render_template("activities/organisation.html", org=org,
                           days=by_local_day(upcoming), upcoming=upcoming)


@bp.get("/venues/<slug>")
def venue(slug):
    """A meeting place's public page, with the rest of this week's dates there (from
    now: days and dates already over are not listed)."""
    place = public_venue(slug)
    if place is None:
        abort(404)
    today = local_today()
    monday = today.fromordinal(today.toordinal() - today.weekday())
    filters = parse_filters({"venue": slug,
                             "to": monday.fromordinal(monday.toordinal() + 6).isoformat()})
    week = coming_occurrences(filters)
    return render_template("activities/venue.html", venue=place, days=by_local_day(week),
                           week_start=monday)


# ------------------------------------------------ members managing their activities

def _organisation(slug):
    return load_or_404(Organisation, slug, lambda o: may_edit(current_user, o), by="slug")


def _activity(activity_id):
    return load_or_404(Activity, activity_id,
                       lambda a: may_edit(current_user, a.organisation))


def _occurrence(occurrence_id):
    return load_or_404(Occurrence, occurrence_id,
                       lambda o: may_edit(current_user, o.activity.organisation))


def _choices(form, current_room=None):
    form.focus_areas.choices = [(f.id, f.label()) for f in all_focus_areas()]
    form.target_groups.choices = [(t.id, t.label()) for t in all_target_groups()]
    form.room_id.choices = [(0, _("No room: at the address below"))] + [
        (r.id, f"{r.venue.name} – {r.name}")
        for r in rooms_to_choose(current_user, current_room)]


@bp.get("/manage/organisations/<slug>/activities")
@login_required
def organisation_activities(slug):
    organisation = _organisation(slug)
    return render_template("activities/manage_list.html", org=organisation)


@bp.route("/manage/organisations/<slug>/activities/new", methods=["GET", "POST"])
@login_required
def new_activity(slug):
    organisation = _organisation(slug)
    form = ActivityForm.in_languages()()
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
    return render_template("activities/form.html", form=form, org=organisation,
                           preview=preview, activity=None), 422 if form.errors else 200


@bp.route("/manage/activities/<int:activity_id>", methods=["GET", "POST"])
@login_required
def edit_activity(activity_id):
    activity = _activity(activity_id)
    form = ActivityForm.in_languages()(obj=activity)
    _choices(form, activity.room_id)
    form.languages.offer(activity.languages)
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
    return render_template("activities/form.html", form=form, org=activity.organisation,
                           activity=activity, preview=preview, plan=plan), (
        422 if form.errors else 200)


def _saved(activity, located):
    """After saving: the dates, or back to the form's place when a pin is needed."""
    flash(_("The activity is saved."))
    if located.needs_pin:
        flash(str(located.message()))
        return redirect(url_for("activities.edit_activity", activity_id=activity.id,
                                _anchor="where"), code=303)
    return redirect(url_for("activities.dates", activity_id=activity.id), code=303)


def _fill(form, activity):
    form.focus_areas.data = [f.id for f in activity.focus_areas]
    form.target_groups.data = [t.id for t in activity.target_groups]
    form.weekdays.data = list(activity.weekday_list)
    form.fill_translations(activity.translations)


@bp.post("/manage/activities/<int:activity_id>/end")
@login_required
def end(activity_id):
    activity = _activity(activity_id)
    end_activity(activity, current_user)
    db.session.commit()
    flash(_("The activity has ended. Coming dates with sign-ups are shown as cancelled."))
    return redirect(url_for("activities.organisation_activities",
                            slug=activity.organisation.slug), code=303)


@bp.get("/manage/activities/<int:activity_id>/dates")
@login_required
def dates(activity_id):
    activity = _activity(activity_id)
    coming = coming_dates(activity)
    return render_template("activities/dates.html", activity=activity, coming=coming,
                           cancel_form=CancelDateForm(), move_form=MoveDateForm())


@bp.post("/manage/occurrences/<int:occurrence_id>/cancel")
@login_required
def cancel_date(occurrence_id):
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
    return redirect(url_for("activities.dates", activity_id=occurrence.activity_id), code=303)


@bp.post("/manage/occurrences/<int:occurrence_id>/restore")
@login_required
def restore_date(occurrence_id):
    occurrence = _occurrence(occurrence_id)
    try:
        restore_occurrence(occurrence, current_user)
    except ActivityError as error:
        db.session.rollback()
        return _dates_with_error(occurrence, error)
    db.session.commit()
    flash(_("The date is back on."))
    return redirect(url_for("activities.dates", activity_id=occurrence.activity_id), code=303)


@bp.post("/manage/occurrences/<int:occurrence_id>/move")
@login_required
def move_date(occurrence_id):
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
    return redirect(url_for("activities.dates", activity_id=occurrence.activity_id), code=303)


def _dates_with_error(occurrence, error, cancel_form=None, move_form=None):
    activity = occurrence.activity
    coming = coming_dates(activity)
    return render_template("activities/dates.html", activity=activity, coming=coming,
                           cancel_form=cancel_form or CancelDateForm(formdata=None),
                           move_form=move_form or MoveDateForm(formdata=None),
                           error=error, error_occurrence=occurrence.id,
                           local=to_local), 422
