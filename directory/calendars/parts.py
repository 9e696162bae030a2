"""Feeds from parts: each activity's VEVENTs are serialised once per change and kept
(in each process, and in the response cache, common.caching, for the others), so a feed
is assembled from kept blocks and only the series that changed are written again.

A block's key is what its bytes depend on, read for the whole feed in one narrow query
of the activities' and their organisations' rows (ids, change counters and times as text
written by the database, no ORM objects): the activity (its `updated_at` and sequence,
and its `parts_version`, which the database moves with its dates and focus areas:
activities.parts), its organisation's `updated_at`, every focus area's names and order,
every meeting place (their latest `updated_at`: rooms' names are in the place line), the
writer (calendars.freshness.writer_version: its format and the translations of the
service's own words) and the feed's options (language, window, UID domain, links, which
venue's dates). The same query reads the activities the feed leaves out (an organisation
not public), so the feed's validators come from its rows too (`FeedKeys.version`): one
statement for both.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, reduce

from flask import current_app
from sqlalchemy import String, bindparam, case, func, literal_column, select, type_coerce

from ..activities.models import Activity
from ..common.caching import cache
from ..common.db import driver_rows
from ..common.types import raw_moment, utc_moment
from ..extensions import db
from ..organisations.models import Organisation
from ..venues.models import Venue
from .freshness import WINDOW_BACK, FeedVersion, focus_areas_text, writer_version

KEEP_SECONDS = 24 * 3600
KEEP_BYTES = 32 * 1024 * 1024  # blocks kept per process (all forgotten when full)
SEPARATOR = literal_column("'|'", String)


def _text(*values):
    """SQL: the values (columns never NULL) as one text with '|' between them, written
    by the database (no value is read into Python)."""
    return reduce(lambda a, b: a + SEPARATOR + b, [type_coerce(v, String) for v in values])


@lru_cache(maxsize=4)
def _keys_statement(postgresql, owner=False):
    """What a feed's blocks depend on, of the activities the feed's condition (added by
    the caller) selects: for each, a line of its text (starting with its id) and "|1"
    when it is shown (its organisation public), else "|0"; the latest change to them
    and their organisations; the latest change to any meeting place and every focus
    area's text. One row, the lines one text written by the database (500 activities as
    one value rather than 500 rows: side by side, a feed of 500 one-off activities after
    one edit p50 8.6 → 8.1 ms, p95 10.4 → 9.3 on PostgreSQL; on SQLite, in process,
    reading the keys 2.0 → 1.5 ms); NULLs when the condition selects none. PostgreSQL
    writes the lines in id order; SQLite (no ORDER BY in an aggregate before 3.44) as
    the rows come, put in order by feed_keys. With `owner`, besides: the id, name and
    translations of the public organisation whose slug is the parameter `slug`
    (owner_column), so its feed needs no statement of its own (NULLs when there is
    none)."""
    text = _text(Activity.id, Activity.updated_at, Activity.sequence, Activity.parts_version,
                 Organisation.updated_at)
    moments = (Activity.updated_at, Activity.parts_changed_at, Organisation.updated_at)
    joined = select().select_from(Activity).join(
        Organisation, Organisation.id == Activity.organisation_id)
    shown = case((Organisation.is_public, "1"), else_="0")
    lines = func.aggregate_strings(text + SEPARATOR + shown, "\n")
    if postgresql:
        lines, latest = lines.aggregate_order_by(Activity.id), func.greatest(
            *map(func.max, moments))
    else:
        latest = func.max(func.max(*moments))  # of each row's latest (max of several)
    return joined.add_columns(lines, raw_moment(latest), *_shared_columns(owner))


def owner_column(column):
    """SQL: `column` of the public organisation whose slug is the parameter `slug`."""
    return (select(column).where(Organisation.slug == bindparam("slug"),
                                 Organisation.is_public).scalar_subquery())


def _shared_columns(owner):
    """SQL: what every block depends on alike (the latest change to any meeting place,
    every focus area's text) and, with `owner`, the organisation's (owner_column)."""
    mine = [owner_column(c) for c in (Organisation.id, Organisation.name,
                                      Organisation.translations)] if owner else []
    return [_venue_latest(), focus_areas_text(), *mine]


def _venue_latest():
    """SQL: the latest change to any meeting place (rooms' names are in place lines)."""
    return select(raw_moment(func.max(Venue.updated_at))).scalar_subquery()


@dataclass(frozen=True)
class FeedKeys:
    """What a feed of whole series is made of, read in one statement: `keys`, the block
    keys of the activities it shows, in id order (block_activity gives the id);
    `digest`, of every activity read (shown or not) and of the feed's options;
    `latest`, the last change to them. Empty (`keys` and `digest` None) when the
    condition selects no activity. `owner`: (id, name, translations) of the
    organisation asked for by its slug, or None (_keys_statement)."""

    keys: list | None
    digest: str | None = None
    latest: datetime | None = None
    owner: tuple | None = None

    def version(self, key, window):
        """The feed's validators: `key` names the feed and everything else its bytes
        depend on (its name, the language). Last-Modified is never before the day
        began: the window moved then."""
        text = "|".join([writer_version(), *map(str, key), window[0].isoformat(),
                         self.digest])
        return FeedVersion(etag=hashlib.sha256(text.encode()).hexdigest()[:32],
                           last_modified=max(self.latest, window[0] + WINDOW_BACK))


def block_activity(key):
    """The id of the activity a block key (FeedKeys.keys) is of: its text's first part,
    after "feed-part:<digest>:"."""
    return int(key.split(":", 2)[2].partition("|")[0])


@lru_cache(maxsize=16)
def _keys_where(postgresql, condition, owner):
    """The keys' statement with a condition given with its parameters' values (the same
    object every time): built, and its cache key made, once."""
    return _keys_statement(postgresql, owner).where(condition)


def _read_keys(connection, condition, params, owner):
    """(each activity's text and "|1" when it is shown, "|0" when not, a line each, or
    None for no activity; the latest change to them; then _shared_columns)."""
    postgresql = connection.dialect.name == "postgresql"
    if params is not None:
        stmt = _keys_where(postgresql, condition, owner)
        if postgresql:  # built once: run past SQLAlchemy's execution (~0.5 ms less)
            return tuple(driver_rows(stmt, params, binary=False)[0])
    else:
        stmt = _keys_statement(postgresql, owner)
        if condition is not None:
            stmt = stmt.where(condition)
    return tuple(connection.execute(stmt, params or {}).one())


def _in_id_order(lines):
    """The lines of _read_keys (each starting with its activity's id) in id order."""
    return sorted(lines, key=lambda line: int(line.partition("|")[0]))


def feed_keys(condition, options, variant="", params=None, owner=False):
    """The FeedKeys of the activities `condition` selects (None: all): one statement of
    one row; in Python no more than splitting and joining texts (and on SQLite putting
    the lines in order). `params`: the values of the condition's bound parameters, for a
    condition written once; `owner`: read the organisation `params["slug"]` names too
    (FeedKeys.owner)."""
    connection = db.session.connection()
    lines, latest, venues, terms, *mine = _read_keys(connection, condition, params, owner)
    found = tuple(mine) if mine and mine[0] is not None else None
    if lines is None:
        return FeedKeys(None, owner=found)
    lines = lines.split("\n")
    if connection.dialect.name != "postgresql":
        lines = _in_id_order(lines)
    prefix = "|".join(map(str, (writer_version(), venues, terms, options.lang,
                                options.window_start, options.window_end,
                                options.uid_domain, options.url, variant)))
    part = "feed-part:" + hashlib.sha256(prefix.encode()).hexdigest()[:40] + ":"
    digest = hashlib.sha256("\n".join([prefix, *lines]).encode()).hexdigest()
    latest = utc_moment(latest)
    if venues is not None:
        latest = max(latest, utc_moment(venues))
    return FeedKeys([part + line[:-2] for line in lines if line[-1] == "1"],
                    digest, latest, found)


def _kept_here():
    """This process's kept blocks, {key: bytes}, with their size."""
    return current_app.extensions.setdefault("feed_parts", {"blocks": {}, "bytes": 0})


def _keep_here(kept, blocks):
    here = kept["blocks"]
    size = sum(map(len, blocks.values()))
    if kept["bytes"] + size > KEEP_BYTES:
        here.clear()
        kept["bytes"] = 0
    here.update(blocks)
    kept["bytes"] += size


def forget_kept_blocks():
    """Forget the blocks this process keeps (the response cache keeps its own)."""
    current_app.extensions.pop("feed_parts", None)


def activity_blocks(keys, write):
    """The serialised VEVENTs of each activity of `keys` (FeedKeys.keys), in their
    order: kept in this process, else in the response cache, else written by
    `write(activity ids)` ({id: bytes}) for those whose data changed."""
    if not keys:
        return []
    kept = _kept_here()
    here = kept["blocks"]
    blocks = [here.get(key) for key in keys]
    missing = [i for i, block in enumerate(blocks) if block is None]
    if not missing:
        return blocks
    shared = cache.get_many(*(keys[i] for i in missing))
    found = {}
    for i, block in zip(missing, shared):
        if block is not None:
            blocks[i] = found[keys[i]] = block
    unwritten = [i for i in missing if blocks[i] is None]
    if unwritten:
        ids = {i: block_activity(keys[i]) for i in unwritten}
        written = write(list(ids.values()))
        new = {}
        for i, activity_id in ids.items():
            blocks[i] = new[keys[i]] = written.get(activity_id, b"")
        cache.set_many(new, timeout=KEEP_SECONDS)
        found.update(new)
    _keep_here(kept, found)
    return blocks
