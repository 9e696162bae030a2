"""Recurrence expansion, without an app: wall-clock times survive summer time."""

from datetime import date, time, timedelta

import pytest

from directory.activities.schedule import Schedule, local_starts, slots
from directory.common.time import to_local


def test_weekly_tuesday_17_stays_17_across_both_summer_time_changes():
    # 2026: summer time starts 29 March, ends 25 October.
    schedule = Schedule(starts_on=date(2026, 3, 3), start_time=time(17), end_time=time(18),
                        recurrence="weekly", weekdays=(1,), until=date(2026, 11, 24))
    result = slots(schedule)
    local = [to_local(s) for s, _ in result]
    assert all(t.hour == 17 and t.minute == 0 and t.weekday() == 1 for t in local)
    utc_hours = {s.date(): s.hour for s, _ in result}
    assert utc_hours[date(2026, 3, 24)] == 16  # CET, UTC+1
    assert utc_hours[date(2026, 3, 31)] == 15  # CEST, UTC+2
    assert utc_hours[date(2026, 10, 20)] == 15
    assert utc_hours[date(2026, 10, 27)] == 16
    assert all(e - s == timedelta(hours=1) for s, e in result)


def test_every_second_week_on_two_weekdays_until_a_date():
    schedule = Schedule(starts_on=date(2026, 1, 5), start_time=time(10), end_time=time(12),
                        recurrence="weekly", interval=2, weekdays=(0, 2),
                        until=date(2026, 2, 1))
    days = [d.date() for d in local_starts(schedule)]
    assert days == [date(2026, 1, 5), date(2026, 1, 7), date(2026, 1, 19), date(2026, 1, 21)]


def test_count_limits_the_series():
    schedule = Schedule(starts_on=date(2026, 1, 6), start_time=time(9), end_time=time(10),
                        recurrence="weekly", weekdays=(1,), count=3)
    assert len(slots(schedule)) == 3


def test_one_off_and_past_midnight():
    schedule = Schedule(starts_on=date(2026, 6, 19), start_time=time(22),
                        end_time=time(1))
    [(start, end)] = slots(schedule)
    assert to_local(start).hour == 22
    assert to_local(end).date() == date(2026, 6, 20) and to_local(end).hour == 1


def test_open_series_needs_a_last_day():
    schedule = Schedule(starts_on=date(2026, 1, 6), start_time=time(9), end_time=time(10),
                        recurrence="weekly", weekdays=(1,))
    with pytest.raises(ValueError):
        slots(schedule)
    assert len(slots(schedule, last_day=date(2026, 1, 31))) == 4
