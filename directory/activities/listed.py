"""Listed dates as plain rows (listed_dates): what an API answer or a list's card shows
of a date, its activity, its organisation, its place and the activity's focus areas and
target groups, in one query without ORM objects (100 dates: 2 ms rather than 10).

The rules stay the models' own: places left (models.seats_left), texts in the reader's
language (common.i18n.translated_text), spoken languages (language_list), an address
on one line (common.text.address_line); api.serializers applies them to a row, and
activities.cards gives a row the shape the templates read of a date."""

from collections import namedtuple
from functools import cache

from sqlalchemy import Text, bindparam, cast, func, select

from ..common.db import among_or_one, bound_ids, driver_rows, is_postgres
from ..common.types import utc_moment
from ..organisations.models import Organisation
from ..taxonomy.services import filter_choices
from ..venues.models import Room, Venue
from .models import Activity, Occurrence


def _as_text(translations):
    """SQL: stored translations as their JSON text, read in Python only when a reader
    asks for another language than the original (common.i18n.translated_text): a page
    in Swedish parses none."""
    return cast(translations, Text)


COLUMNS = (
    Occurrence.id, Occurrence.activity_id, Occurrence.starts_at, Occurrence.ends_at,
    Occurrence.status, Occurrence.cancel_reason, Occurrence.capacity,
    Occurrence.confirmed_count, Occurrence.room_id,
    Activity.title, _as_text(Activity.translations).label("activity_translations"),
    Activity.language_codes, Activity.registration_required, Activity.default_capacity,
    Activity.cost, Activity.street_address, Activity.postal_code, Activity.city,
    Activity.latitude, Activity.longitude,
    Organisation.id.label("organisation_id"), Organisation.slug.label("organisation_slug"),
    Organisation.name.label("organisation_name"),
    _as_text(Organisation.translations).label("organisation_translations"),
    Room.name.label("room_name"), Venue.slug.label("venue_slug"),
    Venue.name.label("venue_name"),
    _as_text(Venue.translations).label("venue_translations"),
    Venue.street_address.label("venue_street_address"),
    Venue.postal_code.label("venue_postal_code"), Venue.city.label("venue_city"),
    Venue.latitude.label("venue_latitude"), Venue.longitude.label("venue_longitude"),
    # Kept on the activity's row by the database (activities.tags).
    Activity.__table__.c.focus_area_ids, Activity.__table__.c.target_group_ids,
)


# A row as a plain named tuple: the serialiser reads ~30 fields of each, ten times
# faster than from the database's row (100 dates: ~1 ms less).
ListedRow = namedtuple("ListedRow", select(*COLUMNS).selected_columns.keys())
# Its moments, read as the driver gives them (common.db.driver_rows).
_MOMENTS = tuple(ListedRow._fields.index(name) for name in ("starts_at", "ends_at"))


def _listed(values):
    """A ListedRow of the first len(ListedRow._fields) values of a driver_rows row."""
    values = list(values[:len(ListedRow._fields)])
    for i in _MOMENTS:
        values[i] = utc_moment(values[i])
    return ListedRow._make(values)


# Statements built once per kind of database: the ids are one parameter, so each
# answer reuses the compiled statement (100 dates: ~1.5 ms less); run on the session's
# connection, past the ORM, which has no objects to make of them (~0.5 ms less), and
# fetched all at once (the driver makes the rows in one call, not one call a row).
@cache
def _rows(postgres, one):
    return _joined(select(*COLUMNS)).where(among_or_one(Occurrence.id, "ids", postgres, one))


def _joined(stmt):
    """`stmt` (from occurrence) with the date's activity, organisation, room and
    meeting place joined: what COLUMNS read."""
    return (stmt.join(Activity, Activity.id == Occurrence.activity_id)
            .join(Organisation, Organisation.id == Activity.organisation_id)
            .outerjoin(Room, Room.id == Occurrence.room_id)
            .outerjoin(Venue, Venue.id == Room.venue_id))


def walked_rows(walk):
    """A select of the rows (COLUMNS) of one page of a walk, each with
    how many dates the walk found (`walked`, last): `walk` selects the ids and starts of
    dates in list order, as many as the list counts (activities.services.
    OccurrenceQuery); the page's place bound as `page_offset`, its size as `page_size`.
    One statement where the walk and the page's rows were two: on PostgreSQL one round
    trip and no array of ids sent back and planned for."""
    walked = walk.subquery("walked")
    page = (select(walked.c.id, func.count().over().label("walked"))
            .order_by(walked.c.starts_at, walked.c.id)
            .offset(bindparam("page_offset")).limit(bindparam("page_size"))
            .subquery("page"))
    # In no order: walked_dates puts the page's rows in order (SQLite would sort them
    # again in a temporary tree).
    return _joined(select(*COLUMNS, page.c.walked).select_from(page)
                   .join(Occurrence, Occurrence.id == page.c.id))


class Tags:
    """An activity's focus areas and target groups, as slugs in their order."""

    __slots__ = ("focus_areas", "target_groups")

    def __init__(self, focus_areas, target_groups):
        self.focus_areas, self.target_groups = focus_areas, target_groups


class TagReader:
    """Tags from a row's term ids, by the terms as the filters list them (taxonomy.
    services.filter_choices: read once per data version): no join to the terms, and
    each combination of ids worked out once (most activities share a few). An id not
    among the terms (one made since they were read) is left out until the next read."""

    def __init__(self):
        choices = filter_choices()
        self.places = tuple({c.id: (place, c.slug) for place, c in enumerate(choices[kind])}
                            for kind in ("focus_areas", "target_groups"))
        self.known = {}

    def __call__(self, row):
        key = (row.focus_area_ids, row.target_group_ids)
        if key not in self.known:
            self.known[key] = Tags(*map(_in_order, key, self.places))
        return self.known[key]


def _in_order(ids, places):
    """The slugs of the terms with these ids ("3,7" or None) in the terms' order, by
    `places` ({id: (place, slug)}); ids not there left out."""
    found = [places.get(int(i)) for i in ids.split(",")] if ids else []
    return [slug for _, slug in sorted(f for f in found if f is not None)]


def walked_dates(statement, values):
    """(how many dates the walk found, [(row, Tags)] of its page in list order) from a
    walked_rows statement and its values; (None, []) when the page has no dates (how
    many is then not known)."""
    tags, found, rows = TagReader(), None, []
    for values_of_row in driver_rows(statement, values):
        rows.append(_listed(values_of_row))
        found = values_of_row[-1]
    rows.sort(key=_in_list_order)
    return found, [(row, tags(row)) for row in rows]


def _in_list_order(row):
    return row.starts_at, row.id


def listed_dates(ids):
    """[(row, Tags)] of the dates with these ids, in the order given (ids not found left
    out): a row has the columns above by name (`row.title`, `row.venue_slug` …)."""
    if not ids:
        return []
    tags = TagReader()
    one, bound = bound_ids(ids)
    found = {row.id: row for row in map(_listed, driver_rows(
        _rows(is_postgres(), one), {"ids": bound}))}
    return [(found[i], tags(found[i])) for i in ids if i in found]
