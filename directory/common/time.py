"""The one place where times move between UTC (stored) and Europe/Stockholm (shown)."""

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from itertools import groupby
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

# The time zone of every local time; config, Babel and the feeds read this name.
TIMEZONE = "Europe/Stockholm"
LOCAL = ZoneInfo(TIMEZONE)
UTC = timezone.utc


def utcnow():
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def this_minute():
    """Now, to the minute (UTC): the moment lists of coming dates are made for. It is
    the clock of their validators (common.caching.answer_key), so a list is the same
    all that minute, however often it is made. Dates are made from times in whole
    minutes (HH:MM), so none is listed after it ended."""
    return utcnow().replace(second=0, microsecond=0)


def to_local(moment):
    """A stored UTC moment as Stockholm local time."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL)


def local_to_utc(naive_local):
    """A naive Stockholm wall-clock time as an aware UTC moment.

    A wall-clock time that does not exist (the hour skipped in spring) moves
    forward with the clock; an ambiguous one (autumn) takes the first.
    """
    aware = naive_local.replace(tzinfo=LOCAL)
    # Round-trip through UTC to normalise times in the spring gap.
    return aware.astimezone(UTC)


def wall_clock_problem(naive_local):
    """Why a Stockholm wall-clock time cannot be used as given: "missing" on the spring
    night the clocks skip an hour (02:30 does not exist), "twice" on the autumn night they
    repeat one (02:30 happens twice), else None."""
    first, second = (naive_local.replace(tzinfo=LOCAL, fold=fold) for fold in (0, 1))
    if first.utcoffset() == second.utcoffset():
        return None
    back = first.astimezone(UTC).astimezone(LOCAL).replace(tzinfo=None)
    return "missing" if back != naive_local else "twice"


def clock_change_message(problem, moment):
    """What to tell someone whose time falls in the hour the clocks change ("missing" or
    "twice", from wall_clock_problem), naming the day and the time."""
    if problem == "missing":
        return _l("On %(day)s the clocks go forward from 02:00 to 03:00, so %(time)s does "
                  "not exist that day. Choose a time outside 02:00–03:00.",
                  day=moment.date().isoformat(), time=moment.strftime("%H:%M"))
    return _l("On %(day)s the clocks go back from 03:00 to 02:00, so %(time)s happens "
              "twice that day. Choose a time outside 02:00–03:00.",
              day=moment.date().isoformat(), time=moment.strftime("%H:%M"))


def combine_local(day, clock):
    """A local date and wall-clock time as an aware UTC moment."""
    return local_to_utc(datetime.combine(day, clock))


def local_today():
    """Today's date in Stockholm."""
    return utcnow().astimezone(LOCAL).date()


def local_day_bounds(day):
    """The UTC moments at which a Stockholm day starts and the next one starts."""
    return combine_local(day, time(0)), combine_local(day + timedelta(days=1), time(0))


# The days anything in the service can be about; dates beyond them are refused where they
# are read, so no computation near year 1 or 9999 overflows.
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)


def in_range(day):
    """Whether a date lies within EARLIEST..LATEST."""
    return EARLIEST <= day <= LATEST


def valid_date(value):
    """Whether `value` is a `YYYY-MM-DD` date at all, near or far."""
    try:
        date.fromisoformat((value or "").strip())
    except ValueError:
        return False
    return len((value or "").strip()) == 10


def parse_date(value):
    """A `YYYY-MM-DD` string as a date, or None when it is not one or lies outside
    EARLIEST..LATEST."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value.strip()[:10]) if len(value.strip()) == 10 else None
    except ValueError:
        return None
    return day if day is not None and in_range(day) else None


def parse_moment(value):
    """An ISO 8601 date (`YYYY-MM-DD`: that Stockholm day's first moment) or date and
    time (with an offset or `Z`; without one: Stockholm wall-clock time) as an aware
    UTC moment, or None when it is neither. A moment before EARLIEST or after LATEST
    is taken as that bound ("changed since year 1" is everything)."""
    value = (value or "").strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return local_day_bounds(min(max(day, EARLIEST), LATEST))[0]
        if len(value) < 16 or value[10] not in "Tt ":
            return None
        moment = datetime.fromisoformat(value[:-1] + "+00:00" if value[-1] in "Zz"
                                        else value)
    except ValueError:
        return None
    if not in_range(moment.date()):
        day = EARLIEST if moment.date() < EARLIEST else LATEST
        return local_day_bounds(day)[0]
    return moment.astimezone(UTC) if moment.tzinfo else local_to_utc(moment)


@lru_cache(maxsize=4096)
def isoformat_local(moment):
    """ISO 8601 with the Stockholm offset, as the API shows times. Kept per moment:
    a page of dates repeats its hours (100 dates: ~0.3 ms less)."""
    return to_local(moment).isoformat(timespec="seconds")


def iso_week_start(year, week):
    """The Monday of ISO week `week` of `year`, or None when there is no such week."""
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        return None
    return monday if in_range(monday) else None


def by_local_day(items):
    """[(Stockholm date, [item, …]), …]: things with a `starts_at`, in the order given,
    grouped by the day they start on."""
    return [(day, list(group)) for day, group in
            groupby(items, key=lambda item: to_local(item.starts_at).date())]
