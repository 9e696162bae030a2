"""The venue's week: a printable rooms × days table that needs no JavaScript."""

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_required

from ..common.time import to_local
from ..extensions import db
from ..organisations.models import Organisation
from ..organisations.services import may_edit
from .forms import BookingRequestForm, DecisionForm
from .models import RoomBooking
from .services import (MAX_SERIES_DATES, BookingConflict, approve_booking, cancel_booking,
                       check_dates, reject_booking, request_booking, tell_organisations,
                       weekly_periods)

from ..venues.occupancy import room_problems
from ..venues.services import public_venue
from .schedule import (parse_week, staff_week_venues, venue_week, week_closures,
                       week_label)

bp = Blueprint("bookings", __name__)


@bp.get("/venues/<slug>/schedule")
def schedule(slug):
    venue = public_venue(slug)
    if venue is None:
        abort(404)
    monday, understood = parse_week(request.args.get("week"))
    viewer = None
    if current_user.is_authenticated:
        if current_user.is_staff:
            viewer = "all"
        elif current_user.memberships:
            viewer = current_user.memberships[0].organisation_id
    grid = venue_week(venue, monday, viewer)
    days = [monday + timedelta(days=i) for i in range(7)]
    return render_template("venues/schedule.html", venue=venue, grid=grid, days=days,
                           closures=week_closures(venue, monday),
                           week=week_label(monday), understood=understood,
                           previous=week_label(monday - timedelta(days=7)),
                           following=week_label(monday + timedelta(days=7)),
                           asked=request.args.get("week", "")[:20])


def _organisation(slug):
    organisation = db.session.scalar(db.select(Organisation).filter_by(slug=slug))
    if organisation is None or not may_edit(current_user, organisation):
        abort(404)
    return organisation


def _request_choices(form, organisation):
    from ..venues.models import Room, Venue
    rooms = db.session.scalars(db.select(Room).join(Venue).where(
        Room.active.is_(True), Venue.active.is_(True)).order_by(Venue.name, Room.name)).all()
    form.room.choices = [(r.id, f"{r.venue.name} – {r.name}") for r in rooms]
    form.activity.choices = [(0, _("None"))] + [
        (a.id, a.title) for a in organisation.activities if a.status == "active"]


@bp.route("/manage/organisations/<slug>/bookings", methods=["GET", "POST"])
@login_required
def request_room(slug):
    """Ask for a room: check every date first, then request the ones that work."""
    from ..venues.models import Room
    organisation = _organisation(slug)
    form = BookingRequestForm()
    _request_choices(form, organisation)
    checks = room = week = None
    if form.validate_on_submit():
        room = db.session.get(Room, form.room.data)
        periods = weekly_periods(form.day.data, form.start_time.data, form.end_time.data,
                                 form.repeat_until.data, form.count.data,
                                 form.interval.data, form.weekdays.data)
        if not periods or len(periods) > MAX_SERIES_DATES:
            form.count.errors = [ngettext("A series can have at most %(num)d date.",
                                          "A series can have at most %(num)d dates.",
                                          MAX_SERIES_DATES)] if periods else \
                [_("These choices give no dates.")]
            return render_template("bookings/request.html", org=organisation, form=form,
                                   checks=None, room=room, week=None,
                                   bookings=[]), 422
        activity = next((a for a in organisation.activities
                         if a.id == form.activity.data), None)
        if request.form.get("action") == "request":
            created, failed = request_booking(room, organisation, periods, current_user,
                                              form.purpose.data, activity)
            db.session.commit()
            flash(_("Requested dates: %(ok)d. Dates that could not be requested: %(bad)d.",
                    ok=len(created), bad=len(failed)))
            return redirect(url_for("bookings.request_room", slug=slug), code=303)
        checks = check_dates(room, periods, organisation=organisation, activity=activity)
        first_day = to_local(periods[0][0]).date()
        monday = first_day - timedelta(days=first_day.weekday())
        week = {"venue": room.venue, "grid": venue_week(room.venue, monday, organisation.id),
                "days": [monday + timedelta(days=i) for i in range(7)],
                "week": week_label(monday)}
    bookings = db.session.scalars(db.select(RoomBooking).where(
        RoomBooking.organisation_id == organisation.id)
        .order_by(RoomBooking.starts_at.desc()).limit(100)).all()
    return render_template("bookings/request.html", org=organisation, form=form,
                           checks=checks, room=room, bookings=bookings, week=week), (
        422 if form.errors else 200)


@bp.post("/manage/bookings/<int:booking_id>/cancel")
@login_required
def cancel(booking_id):
    booking = db.get_or_404(RoomBooking, booking_id)
    if not may_edit(current_user, booking.organisation):
        abort(404)
    try:
        cancel_booking(booking, current_user)
    except BookingConflict as error:
        db.session.rollback()
        flash(str(error.message))
    else:
        db.session.commit()
        flash(_("The booking is cancelled and the room is free."))
    return redirect(request.referrer if (request.referrer or "").startswith(
        request.host_url) else url_for("bookings.request_room",
                                       slug=booking.organisation.slug), code=303)


def _staff_only():
    if not current_user.is_staff:
        abort(404)


@bp.get("/staff/bookings")
@login_required
def queue():
    """Pending requests, soonest first, a series together."""
    _staff_only()
    pending = db.session.scalars(db.select(RoomBooking).where(
        RoomBooking.status == "pending").order_by(RoomBooking.starts_at)).all()
    # What approving each one would reject: the other pending requests it overlaps.
    collisions = {b.id: [o for o in pending if o.id != b.id and o.room_id == b.room_id
                         and o.starts_at < b.ends_at and b.starts_at < o.ends_at]
                  for b in pending}
    # What is in the way already: uses of the room, closures, opening hours.
    problems = {b.id: room_problems(b.room, b.starts_at, b.ends_at,
                                    occurrence_id=b.occurrence_id, booking_id=b.id)
                for b in pending}
    return render_template("bookings/queue.html", pending=pending, form=DecisionForm(),
                           collisions=collisions, problems=problems)


@bp.post("/staff/bookings/<int:booking_id>/<any(approve, reject):decision>")
@login_required
def decide(booking_id, decision):
    _staff_only()
    booking = db.get_or_404(RoomBooking, booking_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    scope = [booking]
    if request.form.get("series") and booking.series_key:
        scope = db.session.scalars(db.select(RoomBooking).where(
            RoomBooking.series_key == booking.series_key,
            RoomBooking.status == "pending").order_by(RoomBooking.starts_at)).all()
    done, taken, collided, decided, reasons = 0, 0, 0, [], []
    for item in scope:
        try:
            if decision == "approve":
                rejected = approve_booking(item, current_user)
            else:
                reject_booking(item, form.reason.data, current_user)
                rejected = []
            db.session.commit()
        except BookingConflict as error:
            db.session.rollback()
            taken += 1
            reasons.append(str(error.message))
            continue
        done += 1
        collided += len(rejected)
        decided += [item, *rejected]
    tell_organisations(decided)  # after the commits: a slow mail server holds no lock
    flash(_("Decided: %(done)d. Already taken: %(taken)d. Colliding requests rejected: "
            "%(collided)d.", done=done, taken=taken, collided=collided))
    for reason in dict.fromkeys(reasons):
        flash(reason)
    return redirect(url_for("bookings.queue"), code=303)


@bp.get("/staff/schedule")
@login_required
def all_venues():
    """Coordinators: every venue's week, with pending requests, to find conflicts and gaps;
    by municipality (`kommun`) and venue (`venue`), within the coordinator's own."""
    _staff_only()
    monday, understood = parse_week(request.args.get("week"))
    shown = staff_week_venues(current_user.municipality_id, request.args.get("kommun"),
                              request.args.get("venue"))
    venues = [(venue, venue_week(venue, monday, "all"), week_closures(venue, monday))
              for venue in shown.venues]
    return render_template("bookings/all_venues.html", venues=venues, shown=shown,
                           days=[monday + timedelta(days=i) for i in range(7)],
                           week=week_label(monday), understood=understood,
                           previous=week_label(monday - timedelta(days=7)),
                           following=week_label(monday + timedelta(days=7)),
                           asked=request.args.get("week", "")[:20])
