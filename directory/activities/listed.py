"""Listed dates as plain rows (listed_dates): what an API answer or a list's card shows
of a date, its activity, its organisation and its place, in one query without ORM
objects (100 dates: 2 ms rather than 10), the activities' focus areas and target groups
beside.

The rules stay the models' own: places left (models.seats_left), texts in the reader's
language (common.i18n.translated_text), spoken languages (language_list), an address
on one line (common.text.address_line); api.serializers applies them to a row, and
activities.cards gives a row the shape the templates read of a date."""

from collections import defaultdict, namedtuple
from functools import cache

from sqlalchemy import literal, select, union_all

from ..common.db import among, is_postgres
from ..extensions import db
from ..organisations.models import Organisation
from ..taxonomy.models import FocusArea, TargetGroup
from ..venues.models import Room, Venue
from .models import Activity, Occurrence, activity_focus_area, activity_target_group

COLUMNS = (
    Occurrence.id, Occurrence.activity_id, Occurrence.starts_at, Occurrence.ends_at,
    Occurrence.status, Occurrence.cancel_reason, Occurrence.capacity,
    Occurrence.confirmed_count, Occurrence.room_id,
    Activity.title, Activity.translations.label("activity_translations"),
    Activity.language_codes, Activity.registration_required, Activity.default_capacity,
    Activity.cost, Activity.street_address, Activity.postal_code, Activity.city,
    Activity.latitude, Activity.longitude,
    Organisation.id.label("organisation_id"), Organisation.slug.label("organisation_slug"),
    Organisation.name.label("organisation_name"),
    Organisation.translations.label("organisation_translations"),
    Room.name.label("room_name"), Venue.slug.label("venue_slug"),
    Venue.name.label("venue_name"), Venue.translations.label("venue_translations"),
    Venue.street_address.label("venue_street_address"),
    Venue.postal_code.label("venue_postal_code"), Venue.city.label("venue_city"),
    Venue.latitude.label("venue_latitude"), Venue.longitude.label("venue_longitude"),
)


# A row as a plain named tuple: the serialiser reads ~30 fields of each, ten times
# faster than from the database's row (100 dates: ~1 ms less).
ListedRow = namedtuple("ListedRow", select(*COLUMNS).selected_columns.keys())


# Statements built once per kind of database: the ids are one parameter, so each
# answer reuses the compiled statement (100 dates: ~1.5 ms less); run on the session's
# connection, past the ORM, which has no objects to make of them (~0.5 ms less).
@cache
def _rows(postgres):
    return (select(*COLUMNS).join(Activity, Activity.id == Occurrence.activity_id)
            .join(Organisation, Organisation.id == Activity.organisation_id)
            .outerjoin(Room, Room.id == Occurrence.room_id)
            .outerjoin(Venue, Venue.id == Room.venue_id)
            .where(among(Occurrence.id, "ids", postgres)))


@cache
def _tags(postgres):
    """Both kinds of tag in one statement, each in its terms' order."""
    def tagged(link, term, kind):
        activity = link.table.c.activity_id
        return (select(activity.label("activity_id"), literal(kind).label("kind"),
                       term.slug.label("slug"), term.position.label("position"))
                .join(term, term.id == link).where(among(activity, "ids", postgres)))
    both = union_all(
        tagged(activity_focus_area.c.focus_area_id, FocusArea, "focus_areas"),
        tagged(activity_target_group.c.target_group_id, TargetGroup, "target_groups"),
    ).subquery()
    return select(both.c.activity_id, both.c.kind, both.c.slug).order_by(
        both.c.kind, both.c.position)


class Tags:
    """An activity's focus areas and target groups, as slugs in their order."""

    __slots__ = ("focus_areas", "target_groups")

    def __init__(self):
        self.focus_areas, self.target_groups = [], []


def listed_dates(ids):
    """[(row, Tags)] of the dates with these ids, in the order given (ids not found left
    out): a row has the columns above by name (`row.title`, `row.venue_slug` …)."""
    if not ids:
        return []
    found = {row.id: row for row in map(ListedRow._make, db.session.connection().execute(
        _rows(is_postgres()), {"ids": list(ids)}))}
    tags = activity_tags({row.activity_id for row in found.values()})
    return [(found[i], tags[found[i].activity_id]) for i in ids if i in found]


def activity_tags(activity_ids):
    """{activity id: Tags} for these activities (one small query)."""
    tags = defaultdict(Tags)
    if activity_ids:
        for activity_id, kind, slug in db.session.connection().execute(
                _tags(is_postgres()), {"ids": sorted(activity_ids)}):
            getattr(tags[activity_id], kind).append(slug)
    return tags
