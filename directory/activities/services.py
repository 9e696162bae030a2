"""Activity rules: materialising occurrences, and finding public ones."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..common.text import like_pattern
from ..common.time import local_day_bounds, local_today, utcnow
from ..extensions import db
from ..organisations.models import Organisation
from ..organisations.services import resolve_common_filters
from ..venues.models import Room, Venue
from .models import Activity, Occurrence, activity_focus_area, activity_target_group
from .schedule import slots


def horizon_end(today=None, days=365):
    """The last day occurrences are materialised for (a rolling window)."""
    return (today or local_today()) + timedelta(days=days)


def materialise_occurrences(activity, last_day):
    """Create the occurrences of `activity` up to `last_day` that do not exist yet.

    Existing occurrences (moved, cancelled, with sign-ups) are never touched;
    the series slot they stand for is `original_starts_at`. Returns how many
    were added.
    """
    if activity.status != "active":
        return 0
    existing = set(db.session.scalars(
        select(Occurrence.original_starts_at).where(Occurrence.activity_id == activity.id)))
    added = 0
    for starts_at, ends_at in slots(activity.schedule, last_day):
        if starts_at in existing:
            continue
        db.session.add(Occurrence(activity=activity, starts_at=starts_at, ends_at=ends_at,
                                  original_starts_at=starts_at, room_id=activity.room_id))
        added += 1
    db.session.flush()
    return added


def extend_all_occurrences(last_day):
    """Materialise every active activity up to `last_day`; returns the count added."""
    total = 0
    for activity in db.session.scalars(select(Activity).where(Activity.status == "active")):
        total += materialise_occurrences(activity, last_day)
    return total


def public_occurrences(filters, now=None):
    """A select of public occurrences matching `filters`, soonest first.

    Public: the organisation is verified. Without `from`, occurrences that
    have not yet ended; `to` includes that whole Stockholm day.
    """
    now = now or utcnow()
    resolved = resolve_common_filters(filters)
    stmt = (select(Occurrence)
            .join(Occurrence.activity)
            .join(Activity.organisation)
            .where(Organisation.status == "verified"))
    if filters.date_from:
        stmt = stmt.where(Occurrence.ends_at > local_day_bounds(filters.date_from)[0])
    else:
        stmt = stmt.where(Occurrence.ends_at > now)
    if filters.date_to:
        stmt = stmt.where(Occurrence.starts_at < local_day_bounds(filters.date_to)[1])
    if filters.q:
        pattern = like_pattern(filters.q)
        stmt = stmt.where(or_(Activity.search_text.like(pattern, escape="\\"),
                              Organisation.search_text.like(pattern, escape="\\")))
    if resolved.focus_ids:
        stmt = stmt.where(Activity.id.in_(
            select(activity_focus_area.c.activity_id)
            .where(activity_focus_area.c.focus_area_id.in_(resolved.focus_ids))))
    if resolved.target_ids:
        stmt = stmt.where(Activity.id.in_(
            select(activity_target_group.c.activity_id)
            .where(activity_target_group.c.target_group_id.in_(resolved.target_ids))))
    if filters.lang:
        stmt = stmt.where(Activity.language_codes.like(Activity.language_pattern(filters.lang)))
    if resolved.municipality_id:
        stmt = stmt.where(Activity.municipality_id == resolved.municipality_id)
    if resolved.organisation_id:
        stmt = stmt.where(Activity.organisation_id == resolved.organisation_id)
    if filters.venue:
        venue_id = db.session.scalar(select(Venue.id).where(Venue.slug == filters.venue))
        if venue_id is None:
            filters.notices.append(_l("There is no meeting place “%(value)s”; "
                                      "that filter is ignored.", value=filters.venue))
        else:
            stmt = stmt.where(Occurrence.room_id.in_(
                select(Room.id).where(Room.venue_id == venue_id)))
    return stmt.order_by(Occurrence.starts_at, Occurrence.id).options(*occurrence_loading())


def occurrence_loading():
    """Loader options so a list of occurrences renders without a query per row."""
    return (joinedload(Occurrence.activity).joinedload(Activity.organisation),
            joinedload(Occurrence.room).joinedload(Room.venue),
            selectinload(Occurrence.activity, Activity.focus_areas),
            selectinload(Occurrence.activity, Activity.target_groups))


def public_activity(activity_id):
    """The activity when public (its organisation verified), else None."""
    activity = db.session.get(Activity, activity_id)
    if activity is None or activity.organisation.status != "verified":
        return None
    return activity


def public_occurrence(occurrence_id):
    occurrence = db.session.get(Occurrence, occurrence_id)
    if occurrence is None or occurrence.activity.organisation.status != "verified":
        return None
    return occurrence


def upcoming_occurrences_of(activity, limit=10, now=None):
    return db.session.scalars(
        select(Occurrence).where(Occurrence.activity_id == activity.id,
                                 Occurrence.ends_at > (now or utcnow()))
        .order_by(Occurrence.starts_at).limit(limit)).all()
