"""What a feed writes, read as plain rows: its activities (with their organisation's
name and address and their focus areas) in one query, their dates in another, the
columns calendars.ical reads, the dates' rooms (with meeting places) loaded once each;
no ORM object per activity or date."""

from functools import lru_cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ..activities.models import Activity, Occurrence, activity_focus_area, is_cancelled
from ..common.db import among_or_one, bound_ids, is_postgres, rows_together
from ..common.i18n import TranslatableMixin
from ..common.types import raw_moment, utc_moment
from ..extensions import db
from ..organisations.models import Organisation
from ..taxonomy.models import FocusArea, NamedTermMixin
from ..venues.models import Room

ACTIVITY_COLUMNS = (
    "id", "title", "description", "translations", "room_id", "street_address",
    "postal_code", "city", "latitude", "longitude", "recurrence", "starts_on",
    "start_time", "end_time", "interval", "weekdays", "until", "count", "sequence",
    "created_at", "updated_at", "parts_changed_at")
COLUMNS = ("id", "activity_id", "starts_at", "ends_at", "original_starts_at", "room_id",
           "status", "cancel_reason", "sequence")
MOMENTS = {"starts_at", "ends_at", "original_starts_at", "created_at", "updated_at",
           "parts_changed_at"}


def _read(model, names):
    """The columns `names` of `model`, moments as the database gives them (utc_moment)."""
    return [raw_moment(getattr(model, name)) if name in MOMENTS else getattr(model, name)
            for name in names]


class FeedOrganisation:
    """An activity's organisation as a feed reads it: its e-mail and name."""

    __slots__ = ("email", "name", "translations")
    ORIGINAL_LANG = TranslatableMixin.ORIGINAL_LANG
    translated = TranslatableMixin.translated

    def __init__(self, email, name, translations):
        self.email, self.name, self.translations = email, name, translations


class FeedFocusArea:
    """A focus area as a feed names it."""

    __slots__ = ("name", "names")
    label = NamedTermMixin.label

    def __init__(self, name, names):
        self.name, self.names = name, names


class FeedActivity:
    """One activity as calendars.ical reads it (the attributes of an Activity it uses,
    its schedule and texts by the Activity's own rules)."""

    __slots__ = ACTIVITY_COLUMNS + ("organisation", "focus_areas")
    ORIGINAL_LANG = TranslatableMixin.ORIGINAL_LANG
    translated = TranslatableMixin.translated
    weekday_list = Activity.weekday_list
    schedule = Activity.schedule
    calendar_changed_at = Activity.calendar_changed_at

    def __init__(self, row):
        for name, value in zip(ACTIVITY_COLUMNS, row):
            setattr(self, name, utc_moment(value) if name in MOMENTS else value)
        width = len(ACTIVITY_COLUMNS)
        self.organisation = FeedOrganisation(*row[width:width + 3])
        self.focus_areas = []


@lru_cache(maxsize=4)
def _activities_statement(postgres, one):
    """Some activities (`one`: a single one), with their organisation's e-mail and name
    and each of their focus areas (a row each, in the areas' order), in id order (built
    once per kind of database: the ids one parameter, common.db.among_or_one)."""
    return (select(*_read(Activity, ACTIVITY_COLUMNS), Organisation.email,
                   Organisation.name, Organisation.translations, FocusArea.name,
                   FocusArea.names)
            .join(Organisation, Organisation.id == Activity.organisation_id)
            .outerjoin(activity_focus_area, activity_focus_area.c.activity_id == Activity.id)
            .outerjoin(FocusArea, FocusArea.id == activity_focus_area.c.focus_area_id)
            .where(among_or_one(Activity.id, "ids", postgres, one))
            .order_by(Activity.id, FocusArea.position, FocusArea.id))


def to_write(activity_ids, options):
    """(these activities (the public ones a feed's keys named: calendars.parts) in id
    order as FeedActivity, {activity id: [FeedDate]} of their dates in the feed window
    in time order): the two statements sent together (common.db.rows_together: on
    PostgreSQL one round trip), then the dates' rooms."""
    if not activity_ids:
        return [], {}
    one, ids = bound_ids(activity_ids)
    postgres = is_postgres()
    activity_rows, date_rows = rows_together(
        (_activities_statement(postgres, one), {"ids": ids}),
        (_dates_statement(postgres, one), {"ids": ids, "window_start": options.window_start,
                                           "window_end": options.window_end}))
    activities = []
    for row in activity_rows:
        if not activities or activities[-1].id != row[0]:
            activities.append(FeedActivity(row))
        if row[-2] is not None:
            activities[-1].focus_areas.append(FeedFocusArea(row[-2], row[-1]))
    return activities, _dates_by_activity(activities, date_rows)


class FeedDate:
    """One date as calendars.ical reads it (the attributes of an Occurrence it uses)."""

    __slots__ = COLUMNS + ("room", "activity")

    def __init__(self, row, room, activity):
        (self.id, self.activity_id, starts_at, ends_at, original_starts_at, self.room_id,
         self.status, self.cancel_reason, self.sequence) = row
        self.starts_at, self.ends_at = utc_moment(starts_at), utc_moment(ends_at)
        self.original_starts_at = utc_moment(original_starts_at)
        self.room = room
        self.activity = activity

    @property
    def is_cancelled(self):
        return is_cancelled(self.status)


@lru_cache(maxsize=4)
def _dates_statement(postgres, one):
    """The dates of some activities (`one`: of a single one) in a window, in time order
    (built once per kind of database)."""
    return (select(*_read(Occurrence, COLUMNS))
            .where(among_or_one(Occurrence.activity_id, "ids", postgres, one),
                   Occurrence.ends_at > bindparam("window_start"),
                   Occurrence.starts_at < bindparam("window_end"))
            .order_by(Occurrence.starts_at, Occurrence.id))


def _dates_by_activity(activities, rows):
    """{activity id: [FeedDate]} of these activities' dates (rows of _dates_statement),
    with their rooms (and meeting places) read once each."""
    by_id = {a.id: a for a in activities}
    grouped = {i: [] for i in by_id}
    room_ids = {row[5] for row in rows} - {None}
    rooms = {room.id: room for room in db.session.scalars(
        select(Room).where(Room.id.in_(room_ids)).options(joinedload(Room.venue)))} \
        if room_ids else {}
    for row in rows:
        if row[1] in grouped:
            grouped[row[1]].append(FeedDate(row, rooms.get(row[5]), by_id[row[1]]))
    return grouped
