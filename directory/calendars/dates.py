"""The dates a feed writes, read as plain rows: the columns calendars.ical reads, their
rooms (with meeting places) loaded once each, no ORM object per date."""

from functools import lru_cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ..activities.models import Occurrence, is_cancelled
from ..common.types import raw_moment, utc_moment
from ..extensions import db
from ..venues.models import Room

COLUMNS = ("id", "activity_id", "starts_at", "ends_at", "original_starts_at", "room_id",
           "status", "cancel_reason", "sequence", "updated_at")
MOMENTS = {"starts_at", "ends_at", "original_starts_at", "updated_at"}


class FeedDate:
    """One date as calendars.ical reads it (the attributes of an Occurrence it uses)."""

    __slots__ = COLUMNS + ("room", "activity")

    def __init__(self, row, room, activity):
        (self.id, self.activity_id, starts_at, ends_at, original_starts_at, self.room_id,
         self.status, self.cancel_reason, self.sequence, updated_at) = row
        self.starts_at, self.ends_at = utc_moment(starts_at), utc_moment(ends_at)
        self.original_starts_at = utc_moment(original_starts_at)
        self.updated_at = utc_moment(updated_at)
        self.room = room
        self.activity = activity

    @property
    def is_cancelled(self):
        return is_cancelled(self.status)


@lru_cache(maxsize=1)
def _dates_statement():
    """The dates of some activities in a window, in time order (built once)."""
    return (select(*(raw_moment(getattr(Occurrence, name)) if name in MOMENTS
                     else getattr(Occurrence, name) for name in COLUMNS))
            .where(Occurrence.activity_id.in_(bindparam("ids", expanding=True)),
                   Occurrence.ends_at > bindparam("window_start"),
                   Occurrence.starts_at < bindparam("window_end"))
            .order_by(Occurrence.starts_at, Occurrence.id))


def dates_by_activity(activities, options):
    """{activity id: [FeedDate]} of these activities' dates in the feed window, in time
    order: one query for the dates and one for their rooms."""
    by_id = {a.id: a for a in activities}
    grouped = {i: [] for i in by_id}
    if not by_id:
        return grouped
    rows = db.session.connection().execute(_dates_statement(), {
        "ids": list(by_id), "window_start": options.window_start,
        "window_end": options.window_end}).all()
    room_ids = {row[5] for row in rows} - {None}
    rooms = {room.id: room for room in db.session.scalars(
        select(Room).where(Room.id.in_(room_ids)).options(joinedload(Room.venue)))} \
        if room_ids else {}
    for row in rows:
        grouped[row[1]].append(FeedDate(row, rooms.get(row[5]), by_id[row[1]]))
    return grouped
