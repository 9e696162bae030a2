"""Rules for creating and changing activities and single dates.

Editing a series never silently drops sign-ups or bookings: `plan_changes` says what will
happen to each coming date before anything is saved, and dates that have sign-ups are
cancelled (and stay visible) rather than deleted."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy import select

from ..audit.services import record, snapshot
from ..common.events import date_moved
from ..common.i18n import N_, merge_translations
from ..common.time import clock_change_message, local_today, local_to_utc, to_local, utcnow
from ..extensions import db
from ..taxonomy.models import FocusArea, TargetGroup
from ..venues.models import Room
from ..venues.occupancy import RoomCalendar, flush_uses, lock_rooms, room_problems
from ..venues.services import may_choose_room
from .materialising import horizon_end, place_new_dates, room_trouble
from .models import Activity, ActivityError, Occurrence
from .schedule import MAX_SERIES_DAYS, Schedule, clock_change_trouble, slots

ACTIVITY_FIELDS = ("title", "description", "translations", "language_codes", "cost",
                   "registration_required", "default_capacity", "room_id", "street_address",
                   "postal_code", "city", "latitude", "longitude", "recurrence",
                   "starts_on", "start_time", "end_time", "interval", "weekdays", "until",
                   "count", "status")
MAX_DATES = 120  # a series of more dates is refused


def refuse_clock_changes(schedule):
    """A date whose start or end falls in the hour the clocks skip or repeat is refused
    with the day and the time named, beside the field that sets it."""
    trouble = clock_change_trouble(schedule)
    if trouble:
        name, problem, moment = trouble
        raise ActivityError(name, clock_change_message(problem, moment))


def schedule_from(data):
    """The Schedule a form's plain data describes, checked against the rules."""
    if data.get("registration_required") and not data.get("default_capacity"):
        raise ActivityError("default_capacity", _l("Say how many places there are."))
    weekly = data["recurrence"] == "weekly"
    schedule = Schedule(starts_on=data["starts_on"], start_time=data["start_time"],
                        end_time=data["end_time"], recurrence=data["recurrence"],
                        interval=data.get("interval") or 1,
                        weekdays=tuple(sorted(data.get("weekdays") or ())) if weekly else (),
                        until=data.get("until") if weekly else None,
                        count=data.get("count") if weekly and not data.get("until") else None)
    if schedule.end_time <= schedule.start_time:
        raise ActivityError("end_time", _l("The end must be after the start."))
    if weekly:
        if not schedule.weekdays:
            raise ActivityError("weekdays", _l("Choose at least one weekday."))
        if not (schedule.until or schedule.count):
            raise ActivityError("until", _l("Say when the series ends: a date or a number "
                                            "of times."))
        if schedule.until and schedule.until <= schedule.starts_on:
            raise ActivityError("until", _l("The last date must be after the first."))
        if schedule.until and (schedule.until - schedule.starts_on).days > MAX_SERIES_DAYS:
            raise ActivityError("until", _l("A series can last at most one year."))
        dates = slots(schedule, schedule.starts_on + timedelta(days=MAX_SERIES_DAYS))
        if schedule.count and schedule.count > len(dates):
            raise ActivityError("count", _l("A series can last at most one year."))
        if len(dates) > MAX_DATES:
            raise ActivityError("count", _ln("A series can have at most %(num)d date.",
                                             "A series can have at most %(num)d dates.",
                                             MAX_DATES))
        if not dates:
            raise ActivityError("weekdays", _l("These choices give no dates."))
    refuse_clock_changes(schedule)
    return schedule


def preview_dates(schedule, limit=10, today=None):
    """The next dates of a schedule, as local datetimes, for the form's preview."""
    today = today or local_today()
    upcoming = [to_local(s) for s, _ in slots(schedule, horizon_end(today))
                if to_local(s).date() >= today]
    return upcoming[:limit]


def apply_fields(activity, data):
    """Copy the non-schedule fields of plain form data onto an activity."""
    activity.title = data["title"].strip()
    activity.description = (data.get("description") or "").strip()
    activity.translations = merge_translations(activity.translations,
                                               data.get("translations"))
    activity.languages = data.get("languages") or []
    activity.cost = (data.get("cost") or "").strip()
    activity.registration_required = bool(data.get("registration_required"))
    activity.default_capacity = data.get("default_capacity") if \
        activity.registration_required else None
    for name in ("street_address", "postal_code", "city"):
        setattr(activity, name, (data.get(name) or "").strip() or None)
    activity.latitude = data.get("latitude")
    activity.longitude = data.get("longitude")
    activity.focus_areas = list(db.session.scalars(
        select(FocusArea).where(FocusArea.id.in_(data.get("focus_areas") or []))))
    activity.target_groups = list(db.session.scalars(
        select(TargetGroup).where(TargetGroup.id.in_(data.get("target_groups") or []))))


def _set_schedule(activity, schedule):
    activity.recurrence = schedule.recurrence
    activity.starts_on = schedule.starts_on
    activity.start_time = schedule.start_time
    activity.end_time = schedule.end_time
    activity.interval = schedule.interval
    activity.weekdays = ",".join(str(d) for d in schedule.weekdays)
    activity.until = schedule.until
    activity.count = schedule.count


def chosen_room(data, organisation, by_user, current=None):
    """The room the form asks the activity's dates to be in: `current` when the form
    says nothing of rooms, None for the activity's own address. A room straight from
    the form is one that needs no approval (others are asked for under room bookings),
    for a verified organisation; coordinators may choose any."""
    if "room_id" not in data:
        return current
    room_id = data.get("room_id") or None
    if room_id is None or room_id == current:
        return room_id
    room = db.session.get(Room, room_id)
    if room is None or not room.active or not room.venue.active:
        raise ActivityError("room_id", _l("Choose a room from the list."))
    if not may_choose_room(by_user, room):
        raise ActivityError("room_id", _l("This room needs a coordinator's approval: "
                                          "ask for it under room bookings."))
    if not organisation.is_public and not getattr(by_user, "is_staff", False):
        raise ActivityError("room_id", _l("Rooms can be used once the organisation "
                                          "is verified."))
    return room_id


def create_activity(organisation, data, by_user):
    """A new activity with its dates materialised, in its room when one is chosen (every
    date must fit the room, or nothing is saved)."""
    if data["starts_on"] < local_today():
        raise ActivityError("starts_on", _l("The first date cannot be in the past."))
    schedule = schedule_from(data)
    room_id = chosen_room(data, organisation, by_user)
    lock_rooms([room_id])
    activity = Activity(organisation=organisation,
                        municipality_id=organisation.municipality_id, room_id=room_id)
    _set_schedule(activity, schedule)
    with db.session.no_autoflush:
        apply_fields(activity, data)
    db.session.add(activity)
    db.session.flush()
    dates = [Occurrence(activity=activity, starts_at=s, ends_at=e, original_starts_at=s)
             for s, e in slots(schedule, horizon_end())]
    place_new_dates(activity, dates)
    db.session.add_all(dates)
    flush_uses("room_id", error_class=ActivityError)
    record(by_user, "activity.create", activity, activity.title,
           about={"organisation": activity.organisation.name})
    return activity


@dataclass
class PlannedChanges:
    """What saving a new schedule does to the coming dates."""

    added: list = field(default_factory=list)         # (starts_at, ends_at)
    retimed: list = field(default_factory=list)       # (occurrence, starts_at, ends_at)
    removed: list = field(default_factory=list)       # occurrences without sign-ups
    cancelled: list = field(default_factory=list)     # occurrences with sign-ups
    retimed_dates: dict = field(default_factory=dict)  # occurrence: its new series slot

    @property
    def affects_people(self):
        return bool(self.cancelled) or any(o.confirmed_count or o.waitlist_count
                                           for o, _, _ in self.retimed)


def plan_changes(activity, schedule, now=None):
    """Match coming occurrences to the new schedule's slots by local date."""
    now = now or utcnow()
    plan = PlannedChanges()
    new_slots = {to_local(s).date(): (s, e) for s, e in slots(schedule, horizon_end())
                 if e > now}
    coming = db.session.scalars(select(Occurrence).where(
        Occurrence.activity_id == activity.id, Occurrence.ends_at > now)
        .order_by(Occurrence.starts_at)).all()
    seen = set()
    for occ in coming:
        day = to_local(occ.original_starts_at).date()
        if day in new_slots and day not in seen:
            seen.add(day)
            s, e = new_slots[day]
            if occ.original_starts_at != s or (not occ.is_moved and occ.ends_at != e):
                plan.retimed.append((occ, s, e))
        elif occ.status == "cancelled" and not (occ.confirmed_count or occ.waitlist_count):
            plan.removed.append(occ)
        elif occ.confirmed_count or occ.waitlist_count or occ.room_id is not None:
            # A date that held a room stays, cancelled, with its booking's history.
            plan.cancelled.append(occ)
        else:
            plan.removed.append(occ)
    plan.added = [slot for day, slot in sorted(new_slots.items()) if day not in seen]
    return plan


def update_activity(activity, data, by_user, confirmed=False):
    """Save an edited activity. Returns the plan; raises when people are affected
    and the change was not confirmed, or when a date would not fit its room (named)."""
    schedule = schedule_from(data)
    plan = plan_changes(activity, schedule)
    if plan.affects_people and not confirmed:
        raise ActivityError("confirm", _l("Some changed dates have sign-ups. Read what will "
                                          "happen and confirm."))
    old_room = activity.room_id
    new_room = chosen_room(data, activity.organisation, by_user, old_room)
    lock_rooms([old_room, new_room])
    moves = _room_moves(activity, plan, old_room, new_room)
    before = snapshot(activity, ACTIVITY_FIELDS)
    apply_fields(activity, data)
    _set_schedule(activity, schedule)
    activity.room_id = new_room
    for occ in plan.removed:
        db.session.delete(occ)
    db.session.flush()
    for occ, (starts_at, ends_at, room_id) in moves.items():
        occ.starts_at, occ.ends_at = starts_at, ends_at
        if occ in plan.retimed_dates:
            occ.original_starts_at = plan.retimed_dates[occ]
        occ.room_id = room_id
        occ.sequence += 1
    for occ in plan.cancelled:
        occ.cancel(N_("The activity's schedule was changed."))
    added = [Occurrence(activity=activity, starts_at=s, ends_at=e, original_starts_at=s)
             for s, e in plan.added]
    place_new_dates(activity, added)
    db.session.add_all(added)
    activity.sequence += 1
    flush_uses("start_time", error_class=ActivityError)
    for occ in moves:
        db.session.expire(occ, ["room"])
        date_moved.send(occ, series=True)
    record(by_user, "activity.update", activity, activity.title, before,
           snapshot(activity, ACTIVITY_FIELDS),
           about={"organisation": activity.organisation.name})
    return plan


def _room_moves(activity, plan, old_room, new_room):
    """{occurrence: (starts_at, ends_at, room_id)} for the coming dates whose time or room
    changes; raises ActivityError naming the dates their room cannot hold. Dates where
    the activity's room was follow it to the new one; dates placed elsewhere (by a
    booking) keep their room."""
    moves = {}
    for occ, starts_at, ends_at in plan.retimed:
        duration = ends_at - starts_at
        moved_by = occ.starts_at - occ.original_starts_at
        start = starts_at + moved_by if occ.is_moved else starts_at
        plan.retimed_dates[occ] = starts_at
        moves[occ] = (start, start + duration, occ.room_id)
    if new_room != old_room:
        for occ in db.session.scalars(select(Occurrence).where(
                Occurrence.activity_id == activity.id, Occurrence.ends_at > utcnow(),
                Occurrence.status == "scheduled")):
            if occ.room_id == old_room and occ not in plan.removed \
                    and occ not in plan.cancelled:
                starts_at, ends_at, _ = moves.get(occ, (occ.starts_at, occ.ends_at, None))
                moves[occ] = (starts_at, ends_at, new_room)
    trouble, calendars = {}, {}
    with db.session.no_autoflush:
        checked = [(occ, s, e, room_id) for occ, (s, e, room_id) in moves.items()
                   if room_id is not None and occ.status == "scheduled"]
        for room_id in {c[3] for c in checked}:
            room = db.session.get(Room, room_id)
            calendars[room_id] = (room, RoomCalendar(room, [(s, e) for _, s, e, r in checked
                                                            if r == room_id]))
        for occ, starts_at, ends_at, room_id in checked:
            room, calendar = calendars[room_id]
            reasons = calendar.problems(starts_at, ends_at, occurrence_id=occ.id)
            if reasons:
                trouble.setdefault(room, []).append((starts_at, ends_at, reasons))
        for room, dates in trouble.items():
            raise room_trouble("start_time" if room.id == old_room else "room_id", room,
                               sorted(dates, key=lambda d: d[0]))
    return moves


def ended_schedule_until(schedule, now):
    """The last day a series ended at `now` still has: the local day of its last slot
    that had begun (the day before its first when none had). Feeds write it as UNTIL."""
    begun = [s for s, _ in slots(schedule, to_local(now).date()) if s <= now]
    if begun:
        return to_local(begun[-1]).date()
    return schedule.starts_on - timedelta(days=1)


def end_activity(activity, by_user, now=None):
    """End a series: coming dates go (those with sign-ups, or that held a room, stay,
    cancelled; their rooms are free), and the schedule ends on its last begun date, so
    every calendar's rule stops there too."""
    now = now or utcnow()
    if activity.recurrence == "weekly":
        activity.until = min(activity.until or date.max,
                             ended_schedule_until(activity.schedule, now))
        activity.count = None
    for occ in db.session.scalars(select(Occurrence).where(
            Occurrence.activity_id == activity.id, Occurrence.starts_at > now)):
        if occ.confirmed_count or occ.waitlist_count or occ.room_id is not None:
            if occ.status == "scheduled":
                occ.cancel(N_("The activity has ended."))
        else:
            db.session.delete(occ)
    activity.status = "ended"
    activity.ended_at = now
    activity.sequence += 1
    db.session.flush()
    record(by_user, "activity.end", activity, activity.title,
           about={"organisation": activity.organisation.name})


def date_about(occurrence):
    """What the audit log's sentence about a date names: whose it is and when."""
    return {"organisation": occurrence.activity.organisation.name,
            "starts_at": occurrence.starts_at, "ends_at": occurrence.ends_at}


def _not_past(occurrence, field="reason"):
    if occurrence.ends_at <= utcnow():
        raise ActivityError(field, _l("A date that has passed cannot be changed."))


def cancel_occurrence(occurrence, reason, by_user):
    """Cancel one date; it stays visible as cancelled with the reason, and its room is
    free (a booking tied to it is released with it)."""
    _not_past(occurrence)
    if not (reason or "").strip():
        raise ActivityError("reason", _l("Say why, so people know."))
    before = snapshot(occurrence, ("status", "cancel_reason"))
    occurrence.cancel(reason.strip())
    db.session.flush()
    record(by_user, "occurrence.cancel", occurrence, occurrence.activity.title, before,
           snapshot(occurrence, ("status", "cancel_reason")), about=date_about(occurrence))


def restore_occurrence(occurrence, by_user):
    """Put a cancelled date back on, in the room it had when that room is still free
    then (else refused, naming what is there now)."""
    _not_past(occurrence)
    if occurrence.room is not None:
        lock_rooms([occurrence.room_id])
        reasons = room_problems(occurrence.room, occurrence.starts_at, occurrence.ends_at,
                                occurrence_id=occurrence.id)
        if reasons:
            raise room_trouble("reason", occurrence.room,
                               [(occurrence.starts_at, occurrence.ends_at, reasons)])
    occurrence.restore()
    flush_uses("reason", error_class=ActivityError)
    record(by_user, "occurrence.restore", occurrence, occurrence.activity.title,
           about=date_about(occurrence))


def move_occurrence(occurrence, day, start_time, end_time, by_user):
    """Move one date to another day or time; it keeps its sign-ups, and its room when
    the room can hold the new time (else refused, naming what is in the way)."""
    if end_time <= start_time:
        raise ActivityError("end_time", _l("The end must be after the start."))
    refuse_clock_changes(Schedule(starts_on=day, start_time=start_time, end_time=end_time))
    starts_at = local_to_utc(datetime.combine(day, start_time))
    ends_at = local_to_utc(datetime.combine(day, end_time))
    if starts_at <= utcnow():
        raise ActivityError("day", _l("The new time must be in the future."))
    _not_past(occurrence, "day")
    if occurrence.room is not None and occurrence.status == "scheduled":
        lock_rooms([occurrence.room_id])
        reasons = room_problems(occurrence.room, starts_at, ends_at,
                                occurrence_id=occurrence.id)
        if reasons:
            raise room_trouble("day", occurrence.room, [(starts_at, ends_at, reasons)])
    before = snapshot(occurrence, ("starts_at", "ends_at"))
    occurrence.move(starts_at, ends_at)
    flush_uses("day", error_class=ActivityError)
    record(by_user, "occurrence.move", occurrence, occurrence.activity.title, before,
           snapshot(occurrence, ("starts_at", "ends_at")),
           about={"organisation": occurrence.activity.organisation.name})


def coming_dates(activity, now=None):
    """The activity's dates that have not ended, soonest first (every status)."""
    return db.session.scalars(select(Occurrence).where(
        Occurrence.activity_id == activity.id, Occurrence.ends_at > (now or utcnow()))
        .order_by(Occurrence.starts_at)).all()
