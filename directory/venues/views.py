"""Meeting places: the public list, and the coordinators' administration of meeting
places, rooms, opening hours and closed days (/staff/venues, /staff/rooms), within
their municipality.

A meeting place's own page (/venues/<slug>) lists its dates and lives in
activities/views.py; its week (/venues/<slug>/schedule) reads room requests and lives
in bookings/views.py; its feed lives in calendars/views.py: venues build on
organisations and never import the floors above."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..common.access import load_or_404, staff_required
from ..common.errors import form_work
from ..common.templating import weekday_name
from ..extensions import db
from ..geo.placing import with_place
from ..organisations.services import in_scope
from ..taxonomy.services import enabled_municipalities
from .forms import ClosureForm, HoursForm, RoomForm, VenueForm
from .management import close_days, save_room, save_venue, set_hours
from .models import ROOM_FEATURES, Room, Venue
from .services import all_venues, public_venues

bp = Blueprint("venues", __name__)


@bp.get("/venues")
def venues():
    return render_template("venues/list.html", venues=public_venues())


# ------------------------------------------------------ the coordinators' administration

def _in_scope(venue):
    return in_scope(current_user, venue.municipality_id)


def _venue_or_404(slug):
    """The meeting place with this slug in the coordinator's scope, else 404."""
    return load_or_404(Venue, slug, _in_scope, by="slug")


def _venue_choices(form):
    form.municipality.choices = [(m.id, m.name) for m in enabled_municipalities()
                                 if in_scope(current_user, m.id)]


def _room_choices(form):
    form.features.choices = list(ROOM_FEATURES.items())


@bp.route("/staff/venues", methods=["GET", "POST"])
@staff_required
def admin_venues():
    form = VenueForm.in_languages()()
    _venue_choices(form)
    if form.validate_on_submit():
        data, located = with_place(form.data)
        with form_work(form, "name") as work:
            venue = save_venue(data, current_user)
        if work.ok:
            return _venue_saved(venue, located)
    listing = [v for v in all_venues() if _in_scope(v)]
    return render_template("venues/admin_list.html", form=form, venues=listing), (
        422 if form.errors else 200)


def _venue_page(venue, venue_form=None, room_form=None, hours_form=None, closure_form=None,
                status=200):
    if venue_form is None:
        venue_form = VenueForm.in_languages()(obj=venue, formdata=None)
        venue_form.fill_translations(venue.translations)
    if venue_form.municipality.data is None:
        venue_form.municipality.data = venue.municipality_id
    _venue_choices(venue_form)
    room_form = room_form or RoomForm(formdata=None)
    _room_choices(room_form)
    hours_form = hours_form or HoursForm(formdata=None)
    hours_form.weekday.choices = [(d, weekday_name(d)) for d in range(7)]
    closure_form = closure_form or ClosureForm(formdata=None)
    return render_template("venues/admin_venue.html", venue=venue, venue_form=venue_form,
                           room_form=room_form, hours_form=hours_form,
                           closure_form=closure_form), status


@bp.route("/staff/venues/<slug>", methods=["GET", "POST"])
@staff_required
def admin_venue(slug):
    found = _venue_or_404(slug)
    if request.method == "GET":
        return _venue_page(found)
    form = VenueForm.in_languages()()
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
    return redirect(url_for("venues.admin_venue", slug=venue.slug,
                            _anchor="where" if located.needs_pin else None), code=303)


@bp.post("/staff/venues/<slug>/rooms")
@staff_required
def add_room(slug):
    found = _venue_or_404(slug)
    form = RoomForm()
    _room_choices(form)
    if form.validate_on_submit():
        with form_work(form, "name") as work:
            save_room(found, form.data, current_user)
        if work.ok:
            flash(_("Saved."))
            return redirect(url_for("venues.admin_venue", slug=slug), code=303)
    return _venue_page(found, room_form=form, status=422)


@bp.route("/staff/rooms/<int:room_id>", methods=["GET", "POST"])
@staff_required
def admin_room(room_id):
    found = load_or_404(Room, room_id, lambda room: _in_scope(room.venue))
    form = RoomForm(obj=found)
    _room_choices(form)
    if form.validate_on_submit():
        with form_work(form, "name") as work:
            save_room(found.venue, form.data, current_user, found)
        if work.ok:
            flash(_("Saved."))
            return redirect(url_for("venues.admin_venue", slug=found.venue.slug), code=303)
    return render_template("venues/admin_room.html", room=found, form=form), (
        422 if form.errors else 200)


@bp.post("/staff/venues/<slug>/hours")
@staff_required
def venue_hours(slug):
    found = _venue_or_404(slug)
    form = HoursForm()
    form.weekday.choices = [(d, str(d)) for d in range(7)]
    if form.validate_on_submit():
        set_hours(found, form.weekday.data, form.opens.data, form.closes.data, current_user)
        db.session.commit()
        flash(_("Saved."))
        return redirect(url_for("venues.admin_venue", slug=slug), code=303)
    return _venue_page(found, hours_form=form, status=422)


@bp.post("/staff/venues/<slug>/closures")
@staff_required
def venue_closures(slug):
    found = _venue_or_404(slug)
    form = ClosureForm()
    if form.validate_on_submit():
        close_days(found, form.starts_on.data, form.ends_on.data, form.reason.data,
                   current_user)
        db.session.commit()
        flash(_("Saved."))
        return redirect(url_for("venues.admin_venue", slug=slug), code=303)
    return _venue_page(found, closure_form=form, status=422)
