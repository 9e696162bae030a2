"""Making an activity's dates: materialising its series over a rolling window, and
putting new dates in its room (one rule for every way dates are made)."""

from datetime import timedelta

from flask_babel import lazy_ngettext as _ln
from sqlalchemy import select

from ..common.i18n import N_, said_with
from ..common.time import local_today, to_local
from ..extensions import db
from ..venues.models import Room
from ..venues.occupancy import RoomCalendar, when
from .models import Activity, ActivityError, Occurrence
from .notices import tell_unplaced
from .schedule import slots


def horizon_end(today=None, days=365):
    """The last day occurrences are materialised for (a rolling window)."""
    return (today or local_today()) + timedelta(days=days)


def materialise_occurrences(activity, last_day):
    """Create the occurrences of `activity` up to `last_day` that do not exist yet.

    Existing occurrences (moved, cancelled, with sign-ups) are never touched;
    the series slot they stand for is `original_starts_at`. New dates go in the
    activity's room when it can hold them (see `place_new_dates`). Returns how many
    were added.
    """
    return len(_materialise(activity, last_day)[0])


def _materialise(activity, last_day):
    """(the new dates, those of them its room could not hold)."""
    if activity.status != "active":
        return [], []
    existing = set(db.session.scalars(
        select(Occurrence.original_starts_at).where(Occurrence.activity_id == activity.id)))
    new = [Occurrence(activity=activity, starts_at=s, ends_at=e, original_starts_at=s)
           for s, e in slots(activity.schedule, last_day) if s not in existing]
    unplaced = place_new_dates(activity, new, strict=False)
    db.session.add_all(new)
    db.session.flush()
    return new, unplaced


def place_new_dates(activity, occurrences, strict=True):
    """Put new dates of an activity in its room (`Activity.room_id`), one rule for
    every way dates are made. A day the meeting place is closed gives a cancelled date
    saying so. A date the room cannot hold (in use, outside the opening hours): with
    `strict`, ActivityError naming the dates; otherwise the date is made without the
    room. Returns the dates left without their room."""
    with db.session.no_autoflush:  # the dates are checked before any is written
        room = db.session.get(Room, activity.room_id) if activity.room_id else None
    if room is None:
        return []
    trouble, unplaced = [], []
    with db.session.no_autoflush:
        calendar = RoomCalendar(room, [(o.starts_at, o.ends_at) for o in occurrences])
        for occ in occurrences:
            closed = calendar.closure_on(to_local(occ.starts_at).date())
            if closed is not None:
                occ.room_id = room.id
                occ.status = "cancelled"
                occ.cancel_reason = said_with(N_("The meeting place is closed that day "
                                                 "(%(reason)s)."), reason=closed.reason or "–")
                continue
            reasons = calendar.problems(occ.starts_at, occ.ends_at, occurrence_id=occ.id)
            if reasons:
                trouble.append((occ.starts_at, occ.ends_at, reasons))
                unplaced.append(occ)
            else:
                occ.room_id = room.id
        if trouble and strict:
            raise room_trouble("room_id", room, trouble)
    return unplaced


def room_trouble(field, room, trouble):
    """ActivityError beside `field` naming the dates the room cannot hold and why:
    trouble is [(starts_at, ends_at, [reason])]."""
    shown = "; ".join(f"{when(s, e)}: {' '.join(str(r) for r in reasons)}"
                      for s, e, reasons in trouble[:5])
    if len(trouble) > 5:
        shown += " …"
    return ActivityError(field, _ln(
        "%(num)d date cannot be in %(room)s: %(dates)s",
        "%(num)d dates cannot be in %(room)s: %(dates)s", len(trouble),
        room=f"{room.venue.name}, {room.name}", dates=shown))


def extend_all_occurrences(last_day):
    """Materialise every active activity up to `last_day`; returns the count added. An
    organisation whose room cannot hold a new date (taken, closed, outside the opening
    hours) is told which, in the same transaction (activities.notices): the date is
    listed without the room until it is given another or cancelled."""
    total = 0
    for activity in db.session.scalars(select(Activity).where(Activity.status == "active")):
        new, unplaced = _materialise(activity, last_day)
        if unplaced:
            tell_unplaced(activity, unplaced)
        total += len(new)
    return total
