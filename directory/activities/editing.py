"""Rules for creating and changing activities and single dates.

Editing a series never silently drops sign-ups or bookings: `plan_changes` says
what will happen to each coming date before anything is saved, and dates that
have sign-ups are cancelled (and stay visible) rather than deleted.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy import select

from ..audit.services import record, snapshot
from ..common.errors import FieldError
from ..common.time import local_today, local_to_utc, to_local, utcnow
from ..extensions import db
from .models import Activity, Occurrence
from .schedule import MAX_SERIES_DAYS, Schedule, slots
from .services import horizon_end

ACTIVITY_FIELDS = ("title", "description", "translations", "language_codes", "cost",
                   "registration_required", "default_capacity", "street_address",
                   "postal_code", "city", "latitude", "longitude", "recurrence",
                   "starts_on", "start_time", "end_time", "interval", "weekdays", "until",
                   "count", "status")
MAX_DATES = 120  # a series of more dates is refused


class ActivityError(FieldError):
    """An activity rule was broken."""


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
    return schedule


def preview_dates(schedule, limit=10, today=None):
    """The next dates of a schedule, as local datetimes, for the form's preview."""
    today = today or local_today()
    upcoming = [to_local(s) for s, _ in slots(schedule, horizon_end(today))
                if to_local(s).date() >= today]
    return upcoming[:limit]


def apply_fields(activity, data):
    """Copy the non-schedule fields of plain form data onto an activity."""
    from ..taxonomy.models import FocusArea, TargetGroup
    activity.title = data["title"].strip()
    activity.description = (data.get("description") or "").strip()
    translations = {}
    for lang in ("en", "ar"):
        entry = {k: (data.get(f"{k}_{lang}") or "").strip() for k in ("title", "description")}
        entry = {k: v for k, v in entry.items() if v}
        if entry:
            translations[lang] = entry
    activity.translations = translations
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


def create_activity(organisation, data, by_user):
    """A new activity with its dates materialised."""
    if data["starts_on"] < local_today():
        raise ActivityError("starts_on", _l("The first date cannot be in the past."))
    schedule = schedule_from(data)
    activity = Activity(organisation=organisation,
                        municipality_id=organisation.municipality_id)
    _set_schedule(activity, schedule)
    with db.session.no_autoflush:
        apply_fields(activity, data)
    db.session.add(activity)
    db.session.flush()
    for starts_at, ends_at in slots(schedule, horizon_end()):
        db.session.add(Occurrence(activity=activity, starts_at=starts_at, ends_at=ends_at,
                                  original_starts_at=starts_at))
    db.session.flush()
    record(by_user, "activity.create", activity, activity.title)
    return activity


@dataclass
class PlannedChanges:
    """What saving a new schedule does to the coming dates."""

    added: list = field(default_factory=list)         # (starts_at, ends_at)
    retimed: list = field(default_factory=list)       # (occurrence, starts_at, ends_at)
    removed: list = field(default_factory=list)       # occurrences without sign-ups
    cancelled: list = field(default_factory=list)     # occurrences with sign-ups

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
        elif occ.confirmed_count or occ.waitlist_count or _has_booking(occ):
            plan.cancelled.append(occ)
        else:
            plan.removed.append(occ)
    plan.added = [slot for day, slot in sorted(new_slots.items()) if day not in seen]
    return plan


def _has_booking(occurrence):
    from ..bookings.models import RoomBooking
    return db.session.scalar(select(RoomBooking.id).where(
        RoomBooking.occurrence_id == occurrence.id,
        RoomBooking.status.in_(("pending", "approved"))).limit(1)) is not None


def update_activity(activity, data, by_user, confirmed=False):
    """Save an edited activity. Returns the plan; raises when people are affected
    and the change was not confirmed."""
    schedule = schedule_from(data)
    plan = plan_changes(activity, schedule)
    if plan.affects_people and not confirmed:
        raise ActivityError("confirm", _l("Some changed dates have sign-ups. Read what will "
                                          "happen and confirm."))
    before = snapshot(activity, ACTIVITY_FIELDS)
    apply_fields(activity, data)
    _set_schedule(activity, schedule)
    for occ in plan.removed:
        db.session.delete(occ)
    db.session.flush()
    for occ, starts_at, ends_at in plan.retimed:
        duration = ends_at - starts_at
        moved_by = occ.starts_at - occ.original_starts_at
        occ.original_starts_at = starts_at
        occ.starts_at = starts_at + moved_by if occ.is_moved else starts_at
        occ.ends_at = occ.starts_at + duration
        occ.sequence += 1
    for occ in plan.cancelled:
        occ.status = "cancelled"
        occ.cancel_reason = str(_l("The activity's schedule was changed."))
        occ.sequence += 1
    for starts_at, ends_at in plan.added:
        db.session.add(Occurrence(activity=activity, starts_at=starts_at, ends_at=ends_at,
                                  original_starts_at=starts_at))
    activity.sequence += 1
    db.session.flush()
    record(by_user, "activity.update", activity, activity.title, before,
           snapshot(activity, ACTIVITY_FIELDS))
    return plan


def end_activity(activity, by_user, now=None):
    """End a series: coming dates go (those with sign-ups stay, cancelled)."""
    now = now or utcnow()
    for occ in db.session.scalars(select(Occurrence).where(
            Occurrence.activity_id == activity.id, Occurrence.starts_at > now)):
        if occ.confirmed_count or occ.waitlist_count or _has_booking(occ):
            occ.status = "cancelled"
            occ.cancel_reason = str(_l("The activity has ended."))
            occ.sequence += 1
        else:
            db.session.delete(occ)
    activity.status = "ended"
    activity.ended_at = now
    activity.sequence += 1
    db.session.flush()
    record(by_user, "activity.end", activity, activity.title)


def cancel_occurrence(occurrence, reason, by_user):
    """Cancel one date; it stays visible as cancelled with the reason."""
    if occurrence.ends_at <= utcnow():
        raise ActivityError("reason", _l("A date that has passed cannot be changed."))
    if not (reason or "").strip():
        raise ActivityError("reason", _l("Say why, so people know."))
    before = snapshot(occurrence, ("status", "cancel_reason"))
    occurrence.status = "cancelled"
    occurrence.cancel_reason = reason.strip()
    occurrence.sequence += 1
    db.session.flush()
    record(by_user, "occurrence.cancel", occurrence, occurrence.activity.title, before,
           snapshot(occurrence, ("status", "cancel_reason")))


def restore_occurrence(occurrence, by_user):
    if occurrence.ends_at <= utcnow():
        raise ActivityError("reason", _l("A date that has passed cannot be changed."))
    occurrence.status = "scheduled"
    occurrence.cancel_reason = None
    occurrence.sequence += 1
    db.session.flush()
    record(by_user, "occurrence.restore", occurrence, occurrence.activity.title)


def move_occurrence(occurrence, day, start_time, end_time, by_user):
    """Move one date to another day or time; it keeps its sign-ups."""
    if end_time <= start_time:
        raise ActivityError("end_time", _l("The end must be after the start."))
    starts_at = local_to_utc(datetime.combine(day, start_time))
    if starts_at <= utcnow():
        raise ActivityError("day", _l("The new time must be in the future."))
    if occurrence.ends_at <= utcnow():
        raise ActivityError("day", _l("A date that has passed cannot be changed."))
    before = snapshot(occurrence, ("starts_at", "ends_at"))
    occurrence.starts_at = starts_at
    occurrence.ends_at = local_to_utc(datetime.combine(day, end_time))
    occurrence.sequence += 1
    db.session.flush()
    record(by_user, "occurrence.move", occurrence, occurrence.activity.title, before,
           snapshot(occurrence, ("starts_at", "ends_at")))

