"""Changing a series at once: every coming date of it moves to new times (and, if asked,
another room) as one new series, or, when any new date is not possible, nothing changes
and each such date is named with what is in its way."""

import re
from datetime import datetime, time, timedelta

from babel.dates import format_date

from directory.activities.models import Occurrence
from directory.bookings.models import RoomBooking
from directory.bookings.services import request_booking
from directory.common.time import combine_local, local_today, to_local
from directory.extensions import db
from directory.venues.occupancy import RoomUse
from tests.conftest import next_weekday


def thursdays(count, first_week=1):
    first = next_weekday(3, local_today() + timedelta(days=1))
    return [first + timedelta(weeks=first_week + i) for i in range(count)]


def written(day):
    return format_date(day, "full", locale="en_GB")


def setup(factories, requires_approval=False):
    venue = factories.venue(rooms=[("Stora salen", 40), ("Lilla salen", 12)])
    room, small = (next(r for r in venue.rooms if r.name == name)
                   for name in ("Stora salen", "Lilla salen"))
    for r in venue.rooms:
        r.requires_approval = requires_approval
    org = factories.organisation(name="Läxhjälpen")
    factories.user(email="a@example.se", organisation=org)
    factories.user(email="staff@example.se", role="staff")
    db.session.commit()
    return room, small, org


def book(room, org, days, start=time(17), end=time(19), purpose="Läxhjälp",
         activity=None):
    """The organisation's request for `days`, through the service (booked at once in a
    room that needs no approval)."""
    created, failed = request_booking(
        room, org, [(combine_local(d, start), combine_local(d, end)) for d in days],
        None, purpose, activity)
    assert not failed
    db.session.commit()
    return created


def key(rows):
    return rows[0].series_key or f"booking-{rows[0].id}"


def change(client, rows, start="10:00", end="12:00", room=None, follow=True):
    data = {"start_time": start, "end_time": end}
    if room is not None:
        data["room"] = str(room)
    return client.post(f"/manage/bookings/series/{key(rows)}/change", data=data,
                       follow_redirects=follow)


def statuses(rows):
    db.session.expire_all()
    return [db.session.get(RoomBooking, b.id).status for b in rows]


def uses(room):
    """(booking id, local start, local end) of every use of the room."""
    db.session.expire_all()
    return sorted((u.booking_id, to_local(u.starts_at).replace(tzinfo=None),
                   to_local(u.ends_at).replace(tzinfo=None))
                  for u in db.session.scalars(db.select(RoomUse).where(
                      RoomUse.room_id == room.id)))


def new_bookings(org, rows):
    old = {b.id for b in rows}
    db.session.expire_all()
    return db.session.scalars(db.select(RoomBooking).where(
        RoomBooking.organisation_id == org.id, RoomBooking.id.notin_(old))
        .order_by(RoomBooking.starts_at)).all()


def test_a_series_moves_to_a_free_time_and_the_room_uses_follow(client, factories, auth):
    room, small, org = setup(factories)
    days = thursdays(3)
    rows = book(room, org, days)
    assert statuses(rows) == ["approved"] * 3
    auth.login("a@example.se")
    page = client.get(f"/manage/organisations/{org.slug}/bookings").get_data(as_text=True)
    assert "Change the time of the coming dates" in page
    assert "Change the time of the 3 coming dates" in page
    answer = change(client, rows)
    text = answer.get_data(as_text=True)
    assert "3 dates are changed; the room is booked at the new times." in text
    assert statuses(rows) == ["cancelled"] * 3
    assert {db.session.get(RoomBooking, b.id).decision_reason for b in rows} == {
        "Moved to a new time."}
    new = new_bookings(org, rows)
    assert [b.status for b in new] == ["approved"] * 3
    assert len({b.series_key for b in new}) == 1 and new[0].series_key
    assert {(b.purpose, b.room_id) for b in new} == {("Läxhjälp", room.id)}
    # The room is used at the new times only: the old uses are gone.
    assert uses(room) == [(b.id, datetime.combine(d, time(10)), datetime.combine(d, time(12)))
                          for b, d in zip(new, days)]
    for day in days:
        assert f"{written(day)}, 10:00–12:00</time>:\n      <strong>Approved</strong>" in text


def test_a_single_date_moves_to_another_room(client, factories, auth):
    room, small, org = setup(factories)
    [booking] = book(room, org, thursdays(1), purpose="Styrelsemöte")
    auth.login("a@example.se")
    text = change(client, [booking], "18:00", "19:30", room=small.id).get_data(as_text=True)
    assert "1 date is changed; the room is booked at the new time." in text
    assert statuses([booking]) == ["cancelled"]
    [new] = new_bookings(org, [booking])
    assert (new.room_id, new.status, new.series_key) == (small.id, "approved", None)
    assert uses(room) == [] and [u[0] for u in uses(small)] == [new.id]


def test_a_date_in_the_way_refuses_the_whole_change_and_names_it(client, factories, auth):
    room, small, org = setup(factories)
    days = thursdays(3)
    rows = book(room, org, days)
    other = factories.organisation(name="Fotbollsklubben")
    book(room, other, [days[1]], start=time(11), end=time(13), purpose="Fotboll")
    before = uses(room)
    auth.login("a@example.se")
    answer = change(client, rows, "10:00", "12:00")
    assert answer.status_code == 422
    text = answer.get_data(as_text=True)
    assert "The series is not changed: 1 new date is not possible." in text
    assert re.search(rf"<li>{written(days[1])} 10:00–12:00: The room is in use "
                     rf"then: Fotboll \(Fotbollsklubben\), {written(days[1])} 11:00", text)
    assert written(days[0]) + " 10:00" not in text
    # Nothing changed: the old dates, their uses, no new requests; the typed times kept.
    assert statuses(rows) == ["approved"] * 3
    assert uses(room) == before
    assert new_bookings(org, rows) == []
    assert 'name="start_time" value="10:00"' in text and 'value="12:00"' in text


def test_in_a_room_that_needs_approval_the_new_dates_wait_on_one_card(client, factories, auth):
    room, small, org = setup(factories, requires_approval=True)
    days = thursdays(3)
    rows = book(room, org, days)
    for b in rows:
        b.approve(None)
    db.session.commit()
    auth.login("a@example.se")
    text = change(client, rows, "09:00", "11:00").get_data(as_text=True).replace("&#39;", "'")
    assert "3 dates are changed; the new times wait for a coordinator's decision." in text
    assert statuses(rows) == ["cancelled"] * 3
    new = new_bookings(org, rows)
    assert [b.status for b in new] == ["pending"] * 3
    assert uses(room) == []  # waiting requests hold no room
    auth.logout()
    auth.login("staff@example.se")
    queue = client.get("/staff/bookings").get_data(as_text=True)
    assert queue.count('<li class="card"') == 1
    assert "3 dates wait for a decision, 3 of them free." in queue
    for day in days:
        assert f"{written(day)}, 09:00–11:00" in queue


def test_a_series_that_holds_an_activitys_dates_is_changed_through_the_activity(
        client, factories, auth):
    room, small, org = setup(factories)
    days = thursdays(2)
    activity = factories.activity(org, title="Läxcafé", starts_on=days[0], weekdays="3",
                                  start_time=time(17), end_time=time(19), until=days[-1])
    rows = book(room, org, days, activity=activity)
    assert all(b.occurrence_id for b in rows)
    message = ("This series belongs to the activity Läxcafé: change the activity's time "
               "instead.")
    auth.login("a@example.se")
    page = client.get(f"/manage/organisations/{org.slug}/bookings").get_data(as_text=True)
    assert message in page.replace("&#39;", "'")
    answer = change(client, rows)
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True).replace("&#39;", "'")
    assert statuses(rows) == ["approved"] * 2
    dates = db.session.scalars(db.select(Occurrence).where(
        Occurrence.activity_id == activity.id)).all()
    assert {d.room_id for d in dates} == {room.id}
    assert new_bookings(org, rows) == []


def test_another_organisation_and_unknown_series_get_404(client, factories, auth):
    room, small, org = setup(factories)
    rows = book(room, org, thursdays(2))
    [single] = book(room, org, thursdays(1, first_week=4))
    other = factories.organisation(name="Fotbollsklubben")
    factories.user(email="b@example.se", organisation=other)
    auth.login("b@example.se")
    assert change(client, rows, follow=False).status_code == 404
    assert change(client, [single], follow=False).status_code == 404
    for unknown in ("no-such-series", "booking-999999", f"booking-{rows[0].id}"):
        assert client.post(f"/manage/bookings/series/{unknown}/change",
                           data={"start_time": "10:00", "end_time": "12:00"}
                           ).status_code == 404
    assert statuses([*rows, single]) == ["approved"] * 3


def test_bad_times_answer_422_beside_the_field_with_the_typed_values(client, factories, auth):
    room, small, org = setup(factories)
    rows = book(room, org, thursdays(2))
    auth.login("a@example.se")
    answer = change(client, rows, "18:00", "17:00", follow=False)
    assert answer.status_code == 422
    text = answer.get_data(as_text=True)
    field = text[text.index(f'id="change-end_time-{key(rows)}"'):]
    assert 'aria-invalid="true"' in field[:300]
    assert "The end must be after the start." in field
    assert 'value="18:00"' in text and 'value="17:00"' in text
    missing = change(client, rows, "", "", follow=False)
    assert missing.status_code == 422
    assert missing.get_data(as_text=True).count("Write a time as HH:MM.") == 2
    nonsense = change(client, rows, "kl 5", "19:00", room="x", follow=False)
    assert nonsense.status_code == 422
    assert statuses(rows) == ["approved"] * 2
    assert new_bookings(org, rows) == []
