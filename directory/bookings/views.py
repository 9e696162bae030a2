"""Room bookings, for every audience: a meeting place's week (a printable rooms × days
table that needs no JavaScript), members asking for rooms and cancelling, and the
coordinators' queue of requests and week of every meeting place.

The week lives here, not in venues/views.py: it reads room requests and dates, and
venues never import bookings (nor activities)."""

from datetime import timedelta

from flask import (Blueprint, abort, flash, get_flashed_messages, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_required

from ..common.access import load_or_404, staff_required
from ..common.errors import FieldError, put_error
from ..common.time import to_local, utcnow
from ..extensions import db
from ..organisations.models import Organisation
from ..organisations.services import in_scope, may_edit
from ..venues.models import Room
from ..venues.services import active_rooms, public_venue
from .forms import BookingRequestForm, DecisionForm, SeriesChangeForm
from .models import RoomBooking
from .schedule import (parse_week, staff_week_venues, venue_week, week_closures,
                       week_label)
from .series import (SeriesNotChanged, change_series, decide_series, organisation_series,
                     outcome_messages, queue_cards, series_bookings, series_dates,
                     series_key_of)
from .services import (MAX_SERIES_DATES, BookingConflict, cancel_booking, cancel_series,
                       check_dates, request_booking, weekly_periods)

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
    return render_template("bookings/venue_week.html", venue=venue, grid=grid, days=days,
                           closures=week_closures(venue, monday),
                           week=week_label(monday), understood=understood,
                           previous=week_label(monday - timedelta(days=7)),
                           following=week_label(monday + timedelta(days=7)),
                           asked=request.args.get("week", "")[:20])


def _may_edit(organisation):
    return may_edit(current_user, organisation)


def _organisation(slug):
    return load_or_404(Organisation, slug, _may_edit, by="slug")


def _series_or_404(series_key):
    """The dates of a series of the current user's organisation, soonest first; 404 for
    an unknown series or another organisation's."""
    bookings = series_bookings(series_key)
    load_or_404(RoomBooking, bookings[0].id if bookings else None,
                lambda b: _may_edit(b.organisation))
    return bookings


def _request_choices(form, organisation):
    form.room.choices = [(r.id, f"{r.venue.name} – {r.name}") for r in active_rooms()]
    form.activity.choices = [(0, _("None"))] + [
        (a.id, a.title) for a in organisation.activities if a.status == "active"]


@bp.route("/manage/organisations/<slug>/bookings", methods=["GET", "POST"])
@login_required
def request_room(slug):
    """Ask for a room: check every date first, then request the ones that work."""
    organisation = _organisation(slug)
    form = BookingRequestForm()
    _request_choices(form, organisation)
    checks = room = week = None
    if form.validate_on_submit():
        room = load_or_404(Room, form.room.data)
        try:
            periods = weekly_periods(form.day.data, form.start_time.data, form.end_time.data,
                                     form.repeat_until.data, form.count.data,
                                     form.interval.data, form.weekdays.data)
        except FieldError as error:  # a time the clocks skip or repeat
            put_error(form, error, "start_time")
            periods = None
        if not periods or len(periods) > MAX_SERIES_DATES:
            if periods or not form.errors:
                form.count.errors = [ngettext("A series can have at most %(num)d date.",
                                              "A series can have at most %(num)d dates.",
                                              MAX_SERIES_DATES)] if periods else \
                    [_("These choices give no dates.")]
            return render_template("bookings/request.html", org=organisation, form=form,
                                   checks=None, room=room, week=None,
                                   series=[]), 422
        activity = next((a for a in organisation.activities
                         if a.id == form.activity.data), None)
        if request.form.get("action") == "request":
            try:
                created, failed = request_booking(room, organisation, periods,
                                                  current_user, form.purpose.data, activity)
            except BookingConflict as error:  # taken in parallel, after the check
                db.session.rollback()
                flash(str(error.message))
            else:
                db.session.commit()
                flash(_("Requested dates: %(ok)d. Dates that could not be requested: "
                        "%(bad)d.", ok=len(created), bad=len(failed)))
            return redirect(url_for("bookings.request_room", slug=slug), code=303)
        checks = check_dates(room, periods, organisation=organisation, activity=activity)
        first_day = to_local(periods[0][0]).date()
        monday = first_day - timedelta(days=first_day.weekday())
        week = {"venue": room.venue, "grid": venue_week(room.venue, monday, organisation.id),
                "days": [monday + timedelta(days=i) for i in range(7)],
                "week": week_label(monday)}
    return render_template("bookings/request.html", org=organisation, form=form,
                           checks=checks, room=room, week=week,
                           series=organisation_series(organisation), now=utcnow()), (
        422 if form.errors else 200)


@bp.post("/manage/bookings/<int:booking_id>/cancel")
@login_required
def cancel(booking_id):
    booking = load_or_404(RoomBooking, booking_id, lambda b: _may_edit(b.organisation))
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


@bp.post("/manage/bookings/series/<series_key>/cancel")
@login_required
def cancel_whole_series(series_key):
    """Cancel every coming date of a series that waits or is approved, with an optional
    reason. Only a series has this form: a single date (`booking-<id>`) has its own."""
    if series_key.startswith("booking-"):
        abort(404)
    bookings = _series_or_404(series_key)
    slug = bookings[0].organisation.slug
    cancelled = cancel_series(bookings, current_user,
                              request.form.get("reason", "").strip()[:500] or None)
    db.session.commit()
    if cancelled:
        flash(ngettext("%(num)d date is cancelled and the room is free then.",
                       "%(num)d dates are cancelled and the room is free then.",
                       len(cancelled)))
    else:
        flash(_("Nothing to cancel: every date of the series has been decided, cancelled "
                "or has begun."))
    return redirect(url_for("bookings.request_room", slug=slug), code=303)


def _chosen_room(room_id):
    """The room a series moves to; 0 (or none) keeps each date's room."""
    return load_or_404(Room, room_id) if room_id else None


@bp.post("/manage/bookings/series/<series_key>/change")
@login_required
def change_whole_series(series_key):
    """Move every coming date of a series to new times (and optionally another room) at
    once, or change nothing and say which new dates are not possible."""
    bookings = _series_or_404(series_key)
    organisation = bookings[0].organisation
    form = SeriesChangeForm()
    page_form = BookingRequestForm(formdata=None)
    _request_choices(page_form, organisation)
    form.room.choices = [(0, _("The same room"))] + page_form.room.choices
    problems = []
    if form.validate_on_submit():
        try:
            created = change_series(bookings, form.start_time.data, form.end_time.data,
                                    current_user, _chosen_room(form.room.data))
        except SeriesNotChanged as error:
            db.session.rollback()
            problems = [error.heading, *error.lines]
        except BookingConflict as error:
            db.session.rollback()
            put_error(form, error, "start_time")
        else:
            db.session.commit()
            if any(b.status == "pending" for b in created):
                flash(ngettext("%(num)d date is changed; the new time waits for a "
                               "coordinator's decision.",
                               "%(num)d dates are changed; the new times wait for a "
                               "coordinator's decision.", len(created)))
            else:
                flash(ngettext("%(num)d date is changed; the room is booked at the new "
                               "time.", "%(num)d dates are changed; the room is booked at "
                               "the new times.", len(created)))
            return redirect(url_for("bookings.request_room", slug=organisation.slug,
                                    _anchor="your-bookings"), code=303)
    return render_template("bookings/request.html", org=organisation, form=page_form,
                           checks=None, room=None, week=None,
                           series=organisation_series(organisation), now=utcnow(),
                           change={"key": series_key, "form": form,
                                   "problems": problems}), 422


@bp.get("/staff/bookings")
@staff_required
def queue():
    """Waiting requests, soonest first: one card per series, each date with what is in
    the way and what approving it would reject. Messages about a card stand on it."""
    cards = queue_cards(current_user.municipality_id)
    keys = {card.key for card in cards}
    on_cards, general = {}, []
    for category, message in get_flashed_messages(with_categories=True):
        key = category.removeprefix("card:")
        if category.startswith("card:") and key in keys:
            on_cards.setdefault(key, []).append(message)
        else:
            general.append(message)
    return render_template("bookings/queue.html", cards=cards, form=DecisionForm(),
                           on_cards=on_cards, general=general)


@bp.post("/staff/bookings/<int:booking_id>/<any(approve, 'approve-free', reject):decision>")
@staff_required
def decide(booking_id, decision):
    """Decide a request: one date, or with `series=1` the dates of its series that the
    card showed (`date`), in one transaction. Dates decided meanwhile are left as they
    are and said so, on the card."""
    booking = load_or_404(RoomBooking, booking_id,
                          lambda b: in_scope(current_user, b.room.venue.municipality_id))
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    ids = None
    if request.form.get("series"):
        try:
            ids = [int(i) for i in request.form.getlist("date")] or None
        except ValueError:
            abort(404)
        scope = series_dates(booking, ids)
        if scope is None:
            abort(404)
    else:
        scope = [booking]
    result = decide_series(scope, decision, form.reason.data, current_user)
    db.session.commit()
    for message in outcome_messages(decision, result):
        flash(message, f"card:{series_key_of(booking)}")
    return redirect(url_for("bookings.queue", _anchor=f"card-{series_key_of(booking)}"),
                    code=303)


@bp.get("/staff/schedule")
@staff_required
def all_venues():
    """Coordinators: every venue's week, with pending requests, to find conflicts and gaps;
    by municipality (`kommun`) and venue (`venue`), within the coordinator's own."""
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
