"""The statements a page near a place runs for every search (activities.nearby), each
written once: built for the dates a query asks (its time and room conditions), or,
for the plain ones (every date not yet ended, nothing else asked of their time or
room: OccurrenceQuery.dates_since), built once per kind of database with that moment
and the ids as parameters. SQLAlchemy took longer to build them than the database to
run them: near Täby at --scale 10000, ~3.5 ms of a page's ~17 in process."""

from functools import cache

from sqlalchemy import bindparam, func, or_, select

from ..common.db import among, among_value, driver_rows, is_postgres, listed_among
from ..common.types import UTCDateTime
from ..extensions import db
from ..venues.models import Room, Venue
from .models import Activity, Occurrence

SINCE = "dates_since"


def run(query, build, **ids):
    """The rows (tuples) of the statement `build(postgres, dates)` for `query`'s dates,
    each parameter in `ids` ({name: ids}) bound as `among` reads it. One built once is
    run past SQLAlchemy's execution (common.db.driver_rows: near Täby at --scale
    10000, of three statements ~0.9 ms less in process)."""
    postgres = is_postgres()
    values = {name: among_value(sorted(found)) for name, found in ids.items()}
    if query.dates_since is None:
        return db.session.execute(build(postgres, dates(query)), values).all()
    values[SINCE] = query.dates_since
    return driver_rows(_built_once(build, postgres), values)


@cache
def _built_once(build, postgres):
    return build(postgres, [Occurrence.ends_at > bindparam(SINCE, type_=UTCDateTime())])


def dates(query):
    """SQL: the occurrence meets the query's conditions on time and room."""
    return [*query.time_conditions, *query.place_conditions]


def located_rooms():
    """SQL: the ids of rooms at meeting places with coordinates."""
    return (select(Room.id).join(Venue, Room.venue_id == Venue.id)
            .where(Venue.latitude.is_not(None), Venue.longitude.is_not(None)))


def at_own_place():
    """SQL: the occurrence is not in a room of a meeting place with coordinates."""
    return or_(Occurrence.room_id.is_(None), Occurrence.room_id.not_in(located_rooms()))


def has_date_at_own_place(activity_id, dates_asked):
    """SQL: the activity (an id, or a column of them) has a date meeting `dates_asked`
    at its own place: its dates by ix_occurrence_activity_ends until one is not in a
    located room (usually the first)."""
    return select(Occurrence.id).where(Occurrence.activity_id == activity_id,
                                       at_own_place(), *dates_asked).exists()


def with_dates_at_own_place(postgres, dates_asked):
    """The activities of parameter `ids` with a date meeting `dates_asked` at their own
    place: from the list itself, not from the activity table (no row looked up each)."""
    listed = listed_among("ids", postgres)
    return select(listed.c.value).where(has_date_at_own_place(listed.c.value, dates_asked))


def venue_firsts(postgres, dates_asked):
    """(venue id, activity id, id of its first date) of each activity with a date
    meeting `dates_asked` in the rooms of parameter `rooms` (those of the meeting places
    near): each one's first date by a window over their dates (few places)."""
    first = func.row_number().over(partition_by=(Room.venue_id, Occurrence.activity_id),
                                   order_by=(Occurrence.starts_at, Occurrence.id))
    ranked = (select(Room.venue_id, Occurrence.activity_id, Occurrence.id,
                     first.label("place"))
              .join(Room, Room.id == Occurrence.room_id)
              .where(among(Occurrence.room_id, "rooms", postgres), *dates_asked)
              .subquery())
    return (select(ranked.c.venue_id, ranked.c.activity_id, ranked.c.id)
            .where(ranked.c.place == 1))


def firsts_at_own_places(postgres, dates_asked):
    """(activity id, id of its next date meeting `dates_asked` at its own place) of the
    activities of parameter `ids`, in one statement (a correlated subquery each)."""
    first = (select(Occurrence.id)
             .where(Occurrence.activity_id == Activity.id, at_own_place(), *dates_asked)
             .order_by(Occurrence.starts_at, Occurrence.id).limit(1)
             .correlate(Activity).scalar_subquery())
    return select(Activity.id, first).where(among(Activity.id, "ids", postgres))
