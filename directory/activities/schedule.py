"""Recurrence expansion: a schedule in Stockholm wall-clock time → UTC slots.

Pure: plain values in, plain values out, no app needed. A weekly activity at
17:00 stays at 17:00 local time across the summer-time changes because the
rule is expanded in naive local time and each date is converted on its own.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from dateutil.rrule import WEEKLY, rrule

from ..common.time import local_to_utc, wall_clock_problem

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MAX_SERIES_DAYS = 366


@dataclass(frozen=True)
class Schedule:
    """When an activity happens: once, or weekly every `interval` weeks."""

    starts_on: date
    start_time: time
    end_time: time
    recurrence: str = "once"  # "once" or "weekly"
    interval: int = 1
    weekdays: tuple = field(default=())  # 0 = Monday
    until: date | None = None
    count: int | None = None

    @property
    def duration(self):
        """How long one slot lasts in wall-clock time; past midnight ends next day."""
        start = datetime.combine(self.starts_on, self.start_time)
        end = datetime.combine(self.starts_on, self.end_time)
        if end <= start:
            end += timedelta(days=1)
        return end - start

    def rrule(self):
        """The dateutil rule in naive local time, or None for a one-off."""
        if self.recurrence != "weekly":
            return None
        weekdays = self.weekdays or (self.starts_on.weekday(),)
        until = datetime.combine(self.until, time(23, 59, 59)) if self.until else None
        return rrule(WEEKLY, interval=max(1, self.interval), byweekday=sorted(weekdays),
                     dtstart=datetime.combine(self.starts_on, self.start_time),
                     until=until, count=None if until else self.count)


def local_starts(schedule, last_day=None):
    """Naive local start times of every slot up to and including `last_day`."""
    rule = schedule.rrule()
    if rule is None:
        first = datetime.combine(schedule.starts_on, schedule.start_time)
        return [first] if last_day is None or schedule.starts_on <= last_day else []
    if last_day is None:
        if not (schedule.until or schedule.count):
            raise ValueError("an open-ended series needs a last day")
        return list(rule)
    return list(rule.between(datetime.combine(schedule.starts_on, time(0)),
                             datetime.combine(last_day, time(23, 59, 59)), inc=True))


def slots(schedule, last_day=None):
    """(starts_at, ends_at) pairs in UTC for every slot up to `last_day`."""
    duration = schedule.duration
    return [(local_to_utc(start), local_to_utc(start + duration))
            for start in local_starts(schedule, last_day)]


def weekday_codes(weekdays):
    """RFC 5545 BYDAY codes for weekday numbers, e.g. (1, 3) → ['TU', 'TH']."""
    return [WEEKDAY_CODES[d] for d in sorted(weekdays)]


def clock_change_trouble(schedule, last_day=None):
    """The first slot whose start or end falls in the hour the clocks skip ("missing")
    or repeat ("twice"), as (field, problem, local moment), or None. One rule for
    activities' dates and room requests."""
    duration = schedule.duration
    for start in local_starts(schedule, last_day or schedule.starts_on + timedelta(
            days=MAX_SERIES_DAYS)):
        for name, moment in (("start_time", start), ("end_time", start + duration)):
            problem = wall_clock_problem(moment)
            if problem:
                return name, problem, moment
    return None
