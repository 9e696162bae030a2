"""One public activity or date by its id, and an activity's coming dates: what the
pages of one activity, one date, a sign-up and "add to my calendar" show
(Activity.is_public, the one rule); the coming public dates a filter gives, for the
pages and feeds that show them without paging (the home page, an organisation's, a
meeting place's, a search's feed)."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..common.time import this_minute
from ..extensions import db
from ..venues.models import Room
from .cards import listed_cards
from .models import Activity, Occurrence
from .services import occurrence_query


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


def public_occurrences(filters, now=None):
    """A select of public occurrences matching `filters`, soonest first.

    Without a count to go by, it walks in time order only when no filter narrows
    the activities (the home page); otherwise it collects and sorts.
    """
    query = occurrence_query(filters, now)
    return query.statement(walk=not query.narrows)


def coming_occurrences(filters, limit=None, now=None):
    """The public occurrences matching `filters`, soonest first, at most `limit`, as
    lists show them (activities.cards): the dates the home page, an organisation's and
    a meeting place's pages show."""
    stmt = public_occurrences(filters, now).with_only_columns(Occurrence.id)
    return listed_cards(db.session.scalars(stmt if limit is None else stmt.limit(limit)).all())
