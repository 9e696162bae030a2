"""When a feed last changed, known before it is built: its ETag and Last-Modified come
from the counts and the latest `updated_at` of the rows it covers (a few aggregate
queries), never from hashing the body, so a conditional request that matches is
answered 304 without building the calendar."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import String, func, select, true

from ..activities.models import Activity
from ..bookings.models import RoomBooking
from ..common.remembered import remembered
from ..common.time import combine_local, to_local, utcnow
from ..extensions import db
from ..organisations.models import Organisation
from ..taxonomy.models import FocusArea
from ..venues.models import Venue

WINDOW_BACK = timedelta(days=92)    # three months back
WINDOW_AHEAD = timedelta(days=366)  # twelve months ahead
# Grows when the writer's output changes for the same data, so no client keeps a copy
# written by an older version under the same ETag.
FEED_FORMAT = "3"
# The service's own words in a feed (a cancelled date's reason) come from these.
CATALOGUES = Path(__file__).resolve().parent.parent / "translations"


@cache
def writer_version():
    """What a feed's bytes depend on besides the data: the format, and the translations
    of the service's own words (a new catalogue changes every validator and kept part)."""
    digest = hashlib.sha256(FEED_FORMAT.encode())
    for path in sorted(CATALOGUES.glob("*/LC_MESSAGES/*.mo")):
        digest.update(path.parent.parent.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class FeedVersion:
    """A feed's validators: what it is (ETag) and when it last changed."""

    etag: str
    last_modified: datetime


def focus_areas_text():
    """SQL: every focus area's id, place in the order, and names, as one text (a feed's
    CATEGORIES show them; a table of a few rows)."""
    return (select(func.aggregate_strings(
        FocusArea.id.cast(String) + "|" + FocusArea.position.cast(String) + "|"
        + FocusArea.name + "|" + FocusArea.names.cast(String), ";"))
        .scalar_subquery())


def feed_window(now=None):
    """(start, end) of what a feed shows, counted from the start of the Stockholm day,
    so a feed stays the same all day unless its data change."""
    midnight = combine_local(to_local(now or utcnow()).date(), time(0))
    return midnight - WINDOW_BACK, midnight + WINDOW_AHEAD


def _one_row(selects, params=None):
    """The values of these one-row SELECTs side by side, asked in one statement."""
    subqueries = [each.subquery() for each in selects]
    stmt = select(*(column for subquery in subqueries for column in subquery.c))
    stmt = stmt.select_from(subqueries[0])
    for subquery in subqueries[1:]:
        stmt = stmt.join(subquery, true())
    return list(db.session.execute(stmt, params).one())


def feed_version(key, condition, window, every_organisation=False, bookings=False,
                 version=None):
    """The validators of a feed (covered_version), remembered per data version and
    minute. `key` names the feed and everything its condition depends on."""
    return remembered(("covered", "|".join(map(str, key)), window[0], every_organisation,
                       bookings),
                      lambda: covered_version(key, condition, window, every_organisation,
                                              bookings), version)


def covered_version(key, condition, window, every_organisation=False, bookings=False,
                    params=None):
    """The validators of a feed over the activities `condition` selects, public or not:
    an organisation archived or rejected changes the feeds its activities leave (with
    `every_organisation`, for a feed whose condition holds only public ones, any
    organisation's change counts). Covered too: their dates and focus areas (each
    activity's parts_version, activities.parts), every meeting place (its rooms' names, see
    venues.management.save_room), the focus areas' names and order and, with
    `bookings`, their room requests in the window. `key` holds everything else the
    bytes depend on (the feed, its name, the language). Last-Modified is never before
    the day began: the window moved then. `params`: the values of the condition's bound
    parameters."""
    start, end = window
    activity_ids = select(Activity.id).where(condition) if condition is not None \
        else select(Activity.id)
    org_scope = select(func.max(Organisation.updated_at))
    if not every_organisation:
        org_scope = org_scope.where(Organisation.id.in_(
            select(Activity.organisation_id).where(Activity.id.in_(activity_ids))))
    parts = [
        # Their dates and focus areas are in their rows (activities.parts): a date
        # added, removed or changed moves its activity's counter, a sign-up does not.
        select(func.count(Activity.id), func.max(Activity.updated_at),
               func.max(Activity.parts_changed_at), func.sum(Activity.parts_version))
        .where(Activity.id.in_(activity_ids)),
        org_scope,
        select(func.max(Venue.updated_at), focus_areas_text()),
    ]
    if bookings:
        parts.append(select(func.count(RoomBooking.id), func.max(RoomBooking.updated_at))
                     .where(RoomBooking.activity_id.in_(activity_ids),
                            RoomBooking.ends_at > start, RoomBooking.starts_at < end))
    values = _one_row(parts, params)
    moments = [v for v in values if isinstance(v, datetime)] + [start + WINDOW_BACK]
    text = "|".join([writer_version(), *map(str, key), start.isoformat(), *map(str, values)])
    return FeedVersion(etag=hashlib.sha256(text.encode()).hexdigest()[:32],
                       last_modified=max(moments))
