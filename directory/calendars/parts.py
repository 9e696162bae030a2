"""Feeds from parts: each activity's VEVENTs are serialised once per change and kept in
the response cache (common.caching), so a feed is assembled from kept blocks and only
the series that changed are written again.

A block's key is what its bytes depend on: the activity (its `updated_at` and sequence,
its organisation's, the names of its focus areas), its dates in the window (count,
latest `updated_at`, sum of sequences: one grouped query for the whole feed), every
meeting place (their latest `updated_at`: rooms' names are in the place line), and the
feed's options (language, window, UID domain, links, which venue's dates).
"""

import hashlib

from sqlalchemy import func, select

from ..activities.models import Occurrence
from ..common.caching import cache
from ..extensions import db
from ..venues.models import Venue
from .freshness import FEED_FORMAT

KEEP_SECONDS = 24 * 3600


def _date_prints(activity_ids, options):
    if not activity_ids:
        return {}
    rows = db.session.execute(
        select(Occurrence.activity_id, func.count(Occurrence.id),
               func.max(Occurrence.updated_at), func.sum(Occurrence.sequence))
        .where(Occurrence.activity_id.in_(activity_ids),
               Occurrence.ends_at > options.window_start,
               Occurrence.starts_at < options.window_end)
        .group_by(Occurrence.activity_id))
    return {row[0]: row[1:] for row in rows}


def _key(activity, dates, venues, options, variant):
    text = "|".join(map(str, (
        FEED_FORMAT, activity.id, activity.updated_at, activity.sequence,
        activity.organisation.updated_at,
        [(fa.id, fa.names, fa.name) for fa in activity.focus_areas], dates, venues,
        options.lang, options.window_start, options.window_end, options.uid_domain,
        options.url, variant)))
    return "feed-part:" + hashlib.sha256(text.encode()).hexdigest()[:40]


def activity_blocks(activities, options, events_of, load_dates, variant=""):
    """The serialised VEVENTs of each activity, in order: from the cache, or written by
    `events_of(activity, its dates)` for those whose data changed (their dates loaded
    by `load_dates(ids)` in one query)."""
    if not activities:
        return []
    prints = _date_prints([a.id for a in activities], options)
    venues = db.session.scalar(select(func.max(Venue.updated_at)))
    keys = [_key(a, prints.get(a.id), venues, options, variant) for a in activities]
    blocks = list(cache.get_many(*keys))
    missing = [i for i, block in enumerate(blocks) if block is None]
    if missing:
        dates = load_dates([activities[i].id for i in missing])
        written = {}
        for i in missing:
            activity = activities[i]
            blocks[i] = b"".join(e.to_ical() for e in events_of(activity, dates[activity.id]))
            written[keys[i]] = blocks[i]
        cache.set_many(written, timeout=KEEP_SECONDS)
    return blocks
