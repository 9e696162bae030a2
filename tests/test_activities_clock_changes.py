"""The nights the clocks change: a time that does not exist or happens twice gets a clear
message beside the field, and nothing is saved (it used to raise a database error)."""

from datetime import date, time, timedelta

from directory.activities.models import Activity, Occurrence
from directory.common.time import local_today, utcnow, wall_clock_problem
from directory.extensions import db
from tests.test_activities_manage import member_client, weekly_form


def last_sunday(year, month):
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def coming(month):
    """The next last Sunday of March or October."""
    year = local_today().year
    day = last_sunday(year, month)
    return day if day > local_today() else last_sunday(year + 1, month)


def test_which_wall_clock_times_are_missing_or_twice():
    from datetime import datetime
    spring, autumn = last_sunday(2027, 3), last_sunday(2027, 10)
    assert wall_clock_problem(datetime.combine(spring, datetime.min.time()).replace(
        hour=2, minute=30)) == "missing"
    assert wall_clock_problem(datetime(autumn.year, autumn.month, autumn.day, 2, 30)) == "twice"
    assert wall_clock_problem(datetime(autumn.year, autumn.month, autumn.day, 3, 30)) is None
    assert wall_clock_problem(datetime(2027, 6, 1, 2, 30)) is None


def test_a_one_off_in_the_skipped_hour_is_refused_beside_the_start(client, factories):
    org = member_client(client, factories)
    url = f"/manage/organisations/{org.slug}/activities/new"
    spring = coming(3)
    response = client.post(url, data=weekly_form(recurrence="once", starts_on=spring.isoformat(), until="",
                                                 start_time="02:30", end_time="03:30"))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"On {spring.isoformat()} the clocks go forward" in body
    assert "02:30 does not exist" in body
    assert db.session.scalar(db.select(db.func.count()).select_from(Activity)) == 0


def test_a_weekly_series_meeting_the_repeated_hour_names_that_day(client, factories):
    org = member_client(client, factories)
    url = f"/manage/organisations/{org.slug}/activities/new"
    autumn = coming(10)
    first = autumn - timedelta(days=14)
    if first <= local_today():
        first += timedelta(days=7 * 53)
        autumn = last_sunday(first.year, 10)
    response = client.post(url, data=weekly_form(
        starts_on=first.isoformat(), weekdays=["6"], start_time="01:30", end_time="02:30",
        until=(first + timedelta(days=60)).isoformat()))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"On {autumn.isoformat()} the clocks go back" in body
    assert "02:30 happens twice" in body
    assert db.session.scalar(db.select(db.func.count()).select_from(Occurrence)) == 0


def test_moving_a_date_into_the_skipped_hour_is_refused(client, factories):
    org = member_client(client, factories)
    activity = factories.activity(org)
    occ = next(o for o in activity.occurrences if o.starts_at > utcnow() + timedelta(days=1))
    before = occ.starts_at
    spring = coming(3)
    response = client.post(f"/manage/occurrences/{occ.id}/move",
                           data={"day": spring.isoformat(), "start_time": "01:00",
                                 "end_time": "02:45"})
    assert response.status_code == 422
    assert "02:45 does not exist" in response.get_data(as_text=True)
    db.session.refresh(occ)
    assert occ.starts_at == before


def test_a_room_request_in_the_skipped_or_repeated_hour_is_refused(client, factories, auth):
    from directory.bookings.models import RoomBooking
    from tests.test_bookings_views import booking_world, request_form
    venue, room, org = booking_world(factories)
    for hours in venue.opening_hours:
        hours.opens, hours.closes = time(0), time(23, 59)
    db.session.commit()
    auth.login("a@example.se")
    url = f"/manage/organisations/{org.slug}/bookings"
    spring, autumn = coming(3), coming(10)
    for action in ("check", "request"):
        for day, said in ((spring, "02:30 does not exist"), (autumn, "02:30 happens twice")):
            response = client.post(url, data=request_form(
                room, action=action, day=day.isoformat(), start_time="02:30",
                end_time="04:00", repeat_until=""))
            assert response.status_code == 422
            assert said in response.get_data(as_text=True)
    # A weekly series that meets the night names that day.
    first = autumn - timedelta(days=14)
    response = client.post(url, data=request_form(
        room, day=first.isoformat(), start_time="01:00", end_time="02:30",
        repeat_until=(autumn + timedelta(days=7)).isoformat()))
    assert response.status_code == 422
    assert f"On {autumn.isoformat()} the clocks go back" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(RoomBooking)) == 0
