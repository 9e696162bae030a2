"""When a feed last changed, known before it is built: its ETag and Last-Modified come
from the counts and the latest `updated_at` of the rows it covers (a few aggregate
queries), never from hashing the body, so a conditional request that matches is
answered 304 without building the calendar."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from ..activities.models import Activity, Occurrence
from ..bookings.models import RoomBooking
from ..common.time import combine_local, to_local, utcnow
from ..extensions import db
from ..organisations.models import Organisation
from ..venues.models import Venue

WINDOW_BACK = timedelta(days=92)    # three months back
WINDOW_AHEAD = timedelta(days=366)  # twelve months ahead
# Grows when the writer's output changes for the same data, so no client keeps a copy
# written by an older version under the same ETag.
FEED_FORMAT = "2"


@dataclass(frozen=True)
class FeedVersion:
    """A feed's validators: what it is (ETag) and when it last changed."""

    etag: str
    last_modified: datetime


def feed_window(now=None):
    """(start, end) of what a feed shows, counted from the start of the Stockholm day,
    so a feed stays the same all day unless its data change."""
    midnight = combine_local(to_local(now or utcnow()).date(), time(0))
    return midnight - WINDOW_BACK, midnight + WINDOW_AHEAD


def feed_version(key, condition, window, every_organisation=False, bookings=False):
    """The validators of a feed over the activities `condition` selects, public or not:
    an organisation archived or rejected changes the feeds its activities leave (with
    `every_organisation`, for a feed whose condition holds only public ones, any
    organisation's change counts). Covered too: their dates in the window (a deleted
    date lowers the count), every meeting place (its rooms' names, see
    venues.management.save_room) and, with `bookings`, their room requests in the
    window. `key` holds everything else the bytes depend on (the feed, its name, the
    language). Last-Modified is never before the day began: the window moved then."""
    start, end = window
    activity_ids = select(Activity.id).where(condition) if condition is not None \
        else select(Activity.id)
    org_scope = select(func.max(Organisation.updated_at))
    if not every_organisation:
        org_scope = org_scope.where(Organisation.id.in_(
            select(Activity.organisation_id).where(Activity.id.in_(activity_ids))))
    rows = [
        db.session.execute(select(func.count(Activity.id), func.max(Activity.updated_at))
                           .where(Activity.id.in_(activity_ids))).one(),
        (db.session.scalar(org_scope),),
        db.session.execute(select(func.count(Occurrence.id), func.max(Occurrence.updated_at))
                           .where(Occurrence.activity_id.in_(activity_ids),
                                  Occurrence.ends_at > start,
                                  Occurrence.starts_at < end)).one(),
        (db.session.scalar(select(func.max(Venue.updated_at))),),
    ]
    if bookings:
        rows.append(db.session.execute(
            select(func.count(RoomBooking.id), func.max(RoomBooking.updated_at))
            .where(RoomBooking.activity_id.in_(activity_ids), RoomBooking.ends_at > start,
                   RoomBooking.starts_at < end)).one())
    values = [value for row in rows for value in row]
    moments = [v for v in values if isinstance(v, datetime)] + [start + WINDOW_BACK]
    text = "|".join([FEED_FORMAT, *map(str, key), start.isoformat(), *map(str, values)])
    return FeedVersion(etag=hashlib.sha256(text.encode()).hexdigest()[:32],
                       last_modified=max(moments))
