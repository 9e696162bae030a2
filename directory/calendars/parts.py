"""Feeds from parts: each activity's VEVENTs are serialised once per change and kept in
the response cache (common.caching), so a feed is assembled from kept blocks and only
the series that changed are written again.

A block's key is what its bytes depend on, read for the whole feed in one narrow query
(ids, change counters and times as text, no ORM objects): the activity (its
`updated_at` and sequence), its organisation's `updated_at`, its focus areas (which,
and every focus area's names and order), its dates in the window (count, latest
`updated_at`, sum of sequences), every meeting place (their latest `updated_at`: rooms'
names are in the place line), the writer (calendars.freshness.writer_version: its
format and the translations of the service's own words) and the feed's options
(language, window, UID domain, links, which venue's dates).
"""

import hashlib
from functools import lru_cache, reduce

from sqlalchemy import (String, and_, bindparam, cast, func, literal_column, select,
                        type_coerce)

from ..activities.models import Activity, Occurrence, activity_focus_area
from ..common.caching import cache
from ..extensions import db
from ..organisations.models import Organisation
from ..venues.models import Venue
from .freshness import focus_areas_text, writer_version

KEEP_SECONDS = 24 * 3600
SEPARATOR = literal_column("'|'", String)


def _or_empty(expression):
    """SQL: the value as text, NULL as empty text."""
    return func.coalesce(cast(expression, String), literal_column("''", String))


def _text(*values):
    """SQL: the values (never NULL: see `_or_empty`) as one text with '|' between them,
    written by the database (no value is read into Python)."""
    return reduce(lambda a, b: a + SEPARATOR + b, [type_coerce(v, String) for v in values])


@lru_cache(maxsize=1)
def _keys_statement():
    """(activity id, what its block depends on as text, the meeting places' and focus
    areas' text) of each public activity, in id order; the feed window is bound when
    asked, the feed's own condition added (built once: it is the same for every feed)."""
    in_window = and_(Occurrence.activity_id == Activity.id,
                     Occurrence.ends_at > bindparam("window_start"),
                     Occurrence.starts_at < bindparam("window_end"))
    focus = (select(func.aggregate_strings(
                 cast(activity_focus_area.c.focus_area_id, String), ","))
             .where(activity_focus_area.c.activity_id == Activity.id).scalar_subquery())
    venues = select(cast(func.max(Venue.updated_at), String)).scalar_subquery()
    text = _text(Activity.updated_at, Activity.sequence, func.max(Organisation.updated_at),
                 func.count(Occurrence.id), _or_empty(func.max(Occurrence.updated_at)),
                 _or_empty(func.sum(Occurrence.sequence)), _or_empty(focus))
    return (select(Activity.id, text, venues, focus_areas_text())
            .join(Organisation, Organisation.id == Activity.organisation_id)
            .outerjoin(Occurrence, in_window)
            .where(Organisation.is_public)
            .group_by(Activity.id)
            .order_by(Activity.id))


def part_keys(condition, options, variant=""):
    """[(activity id, its block's key)] of the public activities `condition` selects (None:
    all), in id order: one query; in Python no more than joining texts."""
    stmt = _keys_statement()
    if condition is not None:
        stmt = stmt.where(condition)
    rows = db.session.connection().execute(stmt, {
        "window_start": options.window_start, "window_end": options.window_end}).all()
    if not rows:
        return []
    _, _, venues, terms = rows[0]
    prefix = "feed-part:" + hashlib.sha256("|".join(map(str, (
        writer_version(), venues, terms, options.lang, options.window_start,
        options.window_end, options.uid_domain, options.url, variant))).encode()
    ).hexdigest()[:40] + ":"
    return [(row[0], f"{prefix}{row[0]}|{row[1]}") for row in rows]


def activity_blocks(condition, options, write, variant=""):
    """The serialised VEVENTs of each public activity `condition` selects, in id order:
    from the cache, or written by `write(activity ids)` ({id: bytes}) for those whose
    data changed."""
    keys = part_keys(condition, options, variant)
    if not keys:
        return []
    blocks = cache.get_many(*(key for _, key in keys))
    missing = [i for i, block in enumerate(blocks) if block is None]
    if missing:
        written = write([keys[i][0] for i in missing])
        kept = {}
        for i in missing:
            activity_id, key = keys[i]
            blocks[i] = kept[key] = written.get(activity_id, b"")
        cache.set_many(kept, timeout=KEEP_SECONDS)
    return blocks
