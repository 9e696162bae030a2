"""Which dates a list asks for: those ending after a moment (a day's start with
`from`, else now) and starting before the end of the day `to` (date_conditions), and
where a walk over them in time order starts (walk_start)."""

from datetime import timedelta

from sqlalchemy import select

from ..common.remembered import remembered
from ..common.time import local_day_bounds, to_local
from ..extensions import db
from .models import Occurrence

# Every date starts and ends on one Stockholm day (schedule.py, editing.py), so a date
# not ended at a moment began on that moment's day or later (walk_start). A day is at
# most 25 hours, so two days bound any date's length with room to spare.
LONGEST_DATE = timedelta(days=2)


def date_conditions(filters, now):
    """(since, [conditions on Occurrence]): dates ending after `from`'s first moment
    (else after `now`), and starting before the end of the Stockholm day `to`."""
    since = local_day_bounds(filters.date_from)[0] if filters.date_from else now
    conditions = [Occurrence.ends_at > since]
    if filters.date_to:
        conditions.append(Occurrence.starts_at < local_day_bounds(filters.date_to)[1])
    return since, conditions


def walk_start(since):
    """Where a walk over the dates not ended at `since` starts (walk_from): the first
    one's start (else the start of `since`'s day), read once per data version and minute
    (common.remembered): no walk passes the day's ended dates (--scale 100000, late
    afternoon: ~10,000, twice a page, ~0.8 ms)."""
    day_start = local_day_bounds(to_local(since).date())[0]
    first = remembered(("walk start", since), lambda: db.session.scalar(
        select(Occurrence.starts_at)
        .where(Occurrence.starts_at >= day_start, Occurrence.ends_at > since)
        .order_by(Occurrence.starts_at).limit(1)))
    return day_start if first is None else first
