"""One public activity or date by its id, and an activity's coming dates: what the
pages of one activity, one date, a sign-up and "add to my calendar" show
(Activity.is_public, the one rule)."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..common.time import this_minute
from ..extensions import db
from ..venues.models import Room
from .models import Activity, Occurrence


def public_activity(activity_id):
    """The activity when public (Activity.is_public), else None."""
    activity = db.session.get(Activity, activity_id)
    if activity is None or not activity.is_public:
        return None
    return activity


def public_occurrence(occurrence_id):
    """The occurrence when its activity is public, else None."""
    occurrence = db.session.get(Occurrence, occurrence_id)
    if occurrence is None or not occurrence.activity.is_public:
        return None
    return occurrence


def upcoming_occurrences_of(activity, limit=10, now=None):
    return db.session.scalars(
        select(Occurrence).where(Occurrence.activity_id == activity.id,
                                 Occurrence.ends_at > (now or this_minute()))
        .order_by(Occurrence.starts_at).limit(limit)
        .options(joinedload(Occurrence.room).joinedload(Room.venue))).all()
