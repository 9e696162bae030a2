"""Feeds from parts: each activity's VEVENTs are serialised once per change and kept
(in each process, and in the response cache, common.caching, for the others), so a feed
is assembled from kept blocks and only the series that changed are written again.

A block's key is what its bytes depend on, read for the whole feed in one narrow query
of the activities' and their organisations' rows (ids, change counters and times as
text, no ORM objects): the activity (its `updated_at` and sequence, and its
`parts_version`, which the database moves with its dates and focus areas: activities.
parts), its organisation's `updated_at`, every focus area's names and order, every
meeting place (their latest `updated_at`: rooms' names are in the place line), the
writer (calendars.freshness.writer_version: its format and the translations of the
service's own words) and the feed's options (language, window, UID domain, links, which
venue's dates). The same query reads the activities the feed leaves out (an
organisation not public), so the feed's validators come from its rows too
(`FeedKeys.version`): one statement for both.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, reduce

from flask import current_app
from sqlalchemy import String, case, func, literal_column, select, type_coerce

from ..activities.models import Activity
from ..common.caching import cache
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


def _first_row(value):
    """SQL, PostgreSQL: `value` on one row alone, the window's first (NULL on the
    others; the same row for every such column), so a value of the whole feed is read
    and parsed once, not once per activity."""
    return case((func.row_number().over() == 1, value))


def _latest(postgresql, *moments):
    """SQL: the latest of these moments of an activity's row. On PostgreSQL the latest
    of every row's, on one row alone (_first_row: a window costs little there, and one
    value read is one value parsed); on SQLite each row's own (its texts, all in one
    format, compare as the moments do; there a window costs more than the texts)."""
    if not postgresql:
        return raw_moment(func.max(*moments))
    return raw_moment(_first_row(func.greatest(*(func.max(m).over() for m in moments))))


@lru_cache(maxsize=2)
def _keys_statement(postgresql):
    """(activity id; what its block depends on as text, starting with the id; whether it
    is shown (its organisation public); the latest change to it and its organisation
    (see `_latest`)) of each activity, in id order; the feed's own condition added
    (built once: the same for every feed). Its dates and focus areas are in its row
    (activities.parts): no other table is read per activity."""
    text = _text(Activity.id, Activity.updated_at, Activity.sequence, Activity.parts_version,
                 Organisation.updated_at)
    latest = _latest(postgresql, Activity.updated_at, Activity.parts_changed_at,
                     Organisation.updated_at)
    shown = case((Organisation.is_public, 1), else_=0)
    # What every block depends on alike: on PostgreSQL on the row `latest` is on (one
    # statement fewer for each feed), on SQLite read apart (_shared_statement).
    shared = ([_first_row(_venue_latest()), _first_row(focus_areas_text())]
              if postgresql else [])
    return (select(Activity.id, text, shown, latest, *shared)
            .join(Organisation, Organisation.id == Activity.organisation_id)
            .order_by(Activity.id))


def _venue_latest():
    """SQL: the latest change to any meeting place (rooms' names are in place lines)."""
    return select(raw_moment(func.max(Venue.updated_at))).scalar_subquery()


@lru_cache(maxsize=1)
def _shared_statement():
    """(the latest change to any meeting place, every focus area's text): what every
    block depends on alike."""
    return select(_venue_latest(), focus_areas_text())


@dataclass(frozen=True)
class FeedKeys:
    """What a feed of whole series is made of, read in one statement: `keys`, [(activity
    id, its block's key)] of the activities it shows, in id order; `digest`, of every
    row read (shown or not) and of the feed's options; `latest`, the last change to
    them. Empty (`keys` and `digest` None) when the condition selects no activity."""

    keys: list | None
    digest: str | None = None
    latest: datetime | None = None

    def version(self, key, window):
        """The feed's validators: `key` names the feed and everything else its bytes
        depend on (its name, the language). Last-Modified is never before the day
        began: the window moved then."""
        text = "|".join([writer_version(), *map(str, key), window[0].isoformat(),
                         self.digest])
        return FeedVersion(etag=hashlib.sha256(text.encode()).hexdigest()[:32],
                           last_modified=max(self.latest, window[0] + WINDOW_BACK))


@lru_cache(maxsize=16)
def _keys_where(postgresql, condition):
    """The keys' statement with a condition given with its parameters' values (the same
    object every time): built, and its cache key made, once."""
    return _keys_statement(postgresql).where(condition)


def feed_keys(condition, options, variant="", params=None):
    """The FeedKeys of the activities `condition` selects (None: all): a query of a row
    per activity and one of a row; in Python no more than joining texts. `params`: the
    values of the condition's bound parameters, for a condition written once."""
    connection = db.session.connection()
    postgresql = connection.dialect.name == "postgresql"
    if params is not None:
        stmt = _keys_where(postgresql, condition)
    else:
        stmt = _keys_statement(postgresql)
        if condition is not None:
            stmt = stmt.where(condition)
    rows = connection.execute(stmt, params or {}).all()
    if not rows:
        return FeedKeys(None)
    if postgresql:  # on the row that has the latest moment (_first_row)
        venues, terms = next(row for row in rows if row[3] is not None)[4:]
    else:
        venues, terms = connection.execute(_shared_statement()).one()
    prefix = "|".join(map(str, (writer_version(), venues, terms, options.lang,
                                options.window_start, options.window_end,
                                options.uid_domain, options.url, variant)))
    part = "feed-part:" + hashlib.sha256(prefix.encode()).hexdigest()[:40] + ":"
    texts = [row[1] for row in rows]
    digest = hashlib.sha256("\n".join([prefix, *texts]).encode()).hexdigest()
    latest = utc_moment(max(row[3] for row in rows if row[3] is not None))
    if venues is not None:
        latest = max(latest, utc_moment(venues))
    return FeedKeys([(row[0], part + row[1]) for row in rows if row[2]], digest, latest)


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
    blocks = [here.get(key) for _, key in keys]
    missing = [i for i, block in enumerate(blocks) if block is None]
    if not missing:
        return blocks
    shared = cache.get_many(*(keys[i][1] for i in missing))
    found = {}
    for i, block in zip(missing, shared):
        if block is not None:
            blocks[i] = found[keys[i][1]] = block
    unwritten = [i for i in missing if blocks[i] is None]
    if unwritten:
        written = write([keys[i][0] for i in unwritten])
        new = {}
        for i in unwritten:
            activity_id, key = keys[i]
            blocks[i] = new[key] = written.get(activity_id, b"")
        cache.set_many(new, timeout=KEEP_SECONDS)
        found.update(new)
    _keep_here(kept, found)
    return blocks
