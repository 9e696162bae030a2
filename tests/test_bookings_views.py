"""Organisations request rooms date by date; coordinators decide with reasons."""

from datetime import time, timedelta

from babel.dates import format_date

from directory.activities.models import Occurrence
from directory.bookings.models import RoomBooking
from directory.common.time import local_today, to_local
from directory.extensions import db
from directory.venues.models import Closure
from directory.messages.delivery import deliver_due



def booking_world(factories, min_notice_hours=24, room_name="Barnrummet", capacity=15):
    """A meeting place with one room, an organisation with a member (a@example.se) and a
    coordinator (staff@example.se): who asks for rooms and who decides."""
    venue = factories.venue(rooms=[(room_name, capacity)])
    room = venue.rooms[0]
    room.min_notice_hours = min_notice_hours
    org = factories.organisation(name="Läxhjälpen", email="info@laxhjalpen.example.se")
    factories.user(email="a@example.se", organisation=org)
    factories.user(email="staff@example.se", role="staff")
    db.session.commit()
    return venue, room, org


def setup(factories):
    venue, room, org = booking_world(factories)
    db.session.add(Closure(venue=venue, starts_on=local_today() + timedelta(days=17),
                           ends_on=local_today() + timedelta(days=17), reason="Julafton"))
    db.session.commit()
    return venue, room, org


def request_form(the_room, **overrides):
    day = local_today() + timedelta(days=3)
    data = {"room": str(the_room.id), "day": day.isoformat(), "start_time": "17:00",
            "end_time": "19:00", "repeat_until": (day + timedelta(days=21)).isoformat(),
            "activity": "0", "purpose": "Läxhjälp", "action": "check"}
    data.update(overrides)
    return data


def test_check_then_request_the_dates_that_work(client, factories, auth):
    venue, room, org = setup(factories)
    auth.login("a@example.se")
    url = f"/manage/organisations/{org.slug}/bookings"
    checked = client.post(url, data=request_form(room)).get_data(as_text=True)
    assert checked.count("not possible") == 1 and "Julafton" in checked
    assert "Nothing is saved yet." in checked
    assert '<caption id="room-week">' in checked and "Barnrummet" in checked
    assert db.session.scalar(db.select(db.func.count()).select_from(RoomBooking)) == 0
    client.post(url, data=request_form(room, action="request"))
    bookings = db.session.scalars(db.select(RoomBooking).order_by(RoomBooking.starts_at)).all()
    assert len(bookings) == 3 and {b.status for b in bookings} == {"pending"}
    assert {to_local(b.starts_at).hour for b in bookings} == {17}


def test_bad_request_input(client, factories, auth):
    venue, room, org = setup(factories)
    auth.login("a@example.se")
    url = f"/manage/organisations/{org.slug}/bookings"
    for change, message in (({"end_time": "16:00"}, "The end must be after the start."),
                            ({"day": "x"}, "Write a date as YYYY-MM-DD."),
                            ({"repeat_until": "2020-01-01"}, "after the first"),
                            ({"room": "999999"}, "Not a valid choice")):
        response = client.post(url, data=request_form(room, **change))
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(RoomBooking)) == 0


def test_coordinator_approves_a_series_and_the_activity_moves_in(client, factories,
                                                                 smtp_server, app, auth):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    venue, room, org = setup(factories)
    day = local_today() + timedelta(days=3)
    activity = factories.activity(org, title="Läxhjälp", starts_on=day,
                                  weekdays=str(day.weekday()),
                                  until=day + timedelta(days=14))
    auth.login("a@example.se")
    client.post(f"/manage/organisations/{org.slug}/bookings",
                data=request_form(room, activity=str(activity.id), action="request",
                                  end_time="18:30",
                                  repeat_until=(day + timedelta(days=7)).isoformat()))
    auth.logout()
    auth.login("staff@example.se")
    first = db.session.scalar(db.select(RoomBooking).order_by(RoomBooking.starts_at))
    assert "Läxhjälpen" in client.get("/staff/bookings").get_data(as_text=True)
    client.post(f"/staff/bookings/{first.id}/approve", data={"series": "1", "reason": ""})
    db.session.expire_all()
    assert {b.status for b in db.session.scalars(db.select(RoomBooking))} == {"approved"}
    placed = db.session.scalars(db.select(Occurrence).where(
        Occurrence.activity_id == activity.id, Occurrence.room_id == room.id)).all()
    assert len(placed) == 2
    # One message for the series, listing its dates: in Swedish, though the coordinator
    # reads English, with the dates written out.
    deliver_due()  # the worker sends what the decision wrote
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "info@laxhjalpen.example.se"
    assert message["Subject"] == f"Lokalbokningar godkända: {room.name}, 2 datum"
    body = message.get_content()
    assert f"{venue.name} har godkänt er bokning av {room.name} de här datumen:" in body
    for booking in db.session.scalars(db.select(RoomBooking)):
        when = format_date(to_local(booking.starts_at).date(), "full", locale="sv")
        assert f"- {when}, 17:00–18:30" in body
    assert f"/manage/organisations/{org.slug}/bookings" in body
    schedule = client.get(f"/venues/{venue.slug}/schedule?week="
                          f"{day.isocalendar()[0]}-W{day.isocalendar()[1]:02d}")
    assert "Läxhjälp" in schedule.get_data(as_text=True)


def test_reject_with_a_reason_the_organisation_sees(client, factories, smtp_server, app, auth):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    venue, room, org = setup(factories)
    auth.login("a@example.se")
    client.post(f"/manage/organisations/{org.slug}/bookings",
                data=request_form(room, action="request", repeat_until=""))
    auth.logout()
    auth.login("staff@example.se")
    booking = db.session.scalar(db.select(RoomBooking))
    client.post(f"/staff/bookings/{booking.id}/reject",
                data={"reason": "Rummet renoveras den veckan."})
    auth.logout()
    auth.login("a@example.se")
    page = client.get(f"/manage/organisations/{org.slug}/bookings").get_data(as_text=True)
    assert "Rummet renoveras den veckan." in page
    # And by e-mail: one date, its own sentence.
    deliver_due()  # the worker sends what the decision wrote
    [message] = smtp_server.messages
    when = format_date(to_local(booking.starts_at).date(), "full", locale="sv")
    assert message["Subject"] == f"Lokalbokning inte godkänd: {room.name}, {when}"
    body = message.get_content()
    assert (f"{venue.name} kunde inte godkänna er bokning av {room.name} {when}, "
            "17:00–19:00.") in body
    assert "Skäl: Rummet renoveras den veckan." in body


def test_cancelling_frees_the_room_and_the_linked_date_shows_cancelled(client, factories, auth):
    venue, room, org = setup(factories)
    room.requires_approval = False
    db.session.commit()
    day = local_today() + timedelta(days=3)
    activity = factories.activity(org, title="Läxhjälp", starts_on=day,
                                  weekdays=str(day.weekday()), until=day + timedelta(days=1))
    auth.login("a@example.se")
    client.post(f"/manage/organisations/{org.slug}/bookings",
                data=request_form(room, activity=str(activity.id), action="request",
                                  end_time="18:30", repeat_until=""))
    booking = db.session.scalar(db.select(RoomBooking))
    assert booking.status == "approved"
    client.post(f"/manage/bookings/{booking.id}/cancel")
    db.session.expire_all()
    assert db.session.get(RoomBooking, booking.id).status == "cancelled"
    occurrence = db.session.scalar(db.select(Occurrence).where(
        Occurrence.activity_id == activity.id))
    assert occurrence.status == "cancelled"


def test_50_parallel_http_approvals_through_two_server_processes(app, factories,
                                                                  server_processes):
    """Coordinators in two browsers on two server processes approve 50 overlapping
    requests at once: exactly one is approved, every other answer says it was taken."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from directory.common.time import combine_local

    venue, room, org = setup(factories)
    day = local_today() + timedelta(days=5)
    ids = []
    for i in range(50):
        start = combine_local(day, time(17, (i % 6) * 5))
        booking = RoomBooking(room=room, organisation=org, starts_at=start,
                              ends_at=start + timedelta(hours=1))
        db.session.add(booking)
        db.session.flush()
        ids.append(booking.id)
    db.session.commit()
    bases = server_processes(2)

    def approve(i):
        session = requests.Session()
        base = bases[i % 2]
        session.post(base + "/login", data={"email": "staff@example.se",
                                            "password": "ett långt lösenord"})
        response = session.post(f"{base}/staff/bookings/{ids[i]}/approve",
                                data={"reason": ""}, headers={"Accept-Language": "en"})
        return response.status_code, response.text
    with ThreadPoolExecutor(max_workers=25) as pool:
        answers = list(pool.map(approve, range(50)))
    assert {status for status, _ in answers} == {200}
    decided = sum("Approved: 1." in text for _, text in answers)
    # Each other one was rejected by the approved one, or refused as taken.
    taken = sum("This request has already been decided." in text
                or "Could not be approved: 1." in text for _, text in answers)
    assert (decided, taken) == (1, 49)
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(RoomBooking).where(
        RoomBooking.status == "approved")) == 1


def test_series_like_activities_and_too_many_dates(client, factories, auth):
    venue, room, org = setup(factories)
    auth.login("a@example.se")
    url = f"/manage/organisations/{org.slug}/bookings"
    day = local_today() + timedelta(days=3)
    weekdays = sorted({day.weekday(), (day.weekday() + 2) % 7})
    response = client.post(url, data=request_form(room, repeat_until="", count="4",
                                                  interval="2",
                                                  weekdays=[str(d) for d in weekdays]))
    assert response.get_data(as_text=True).count("<li><time") == 4
    too_many = client.post(url, data=request_form(room, repeat_until="", count="500"))
    assert too_many.status_code == 422
    assert "Write a number from 1 to 60." in too_many.get_data(as_text=True)


def test_the_queue_shows_what_approving_would_reject(client, factories, auth):
    venue, room, org = setup(factories)
    other = factories.organisation(name="Fotbollsklubben")
    from directory.bookings.services import request_booking
    from directory.common.time import combine_local
    import datetime as dt
    day = local_today() + timedelta(days=3)
    request_booking(room, org, [(combine_local(day, dt.time(17)),
                                 combine_local(day, dt.time(19)))], None)
    request_booking(room, other, [(combine_local(day, dt.time(18)),
                                   combine_local(day, dt.time(20)))], None)
    db.session.commit()
    auth.login("staff@example.se")
    page = client.get("/staff/bookings").get_data(as_text=True)
    assert page.count("Approving this rejects:") == 2 and "Fotbollsklubben 18:00" in page
