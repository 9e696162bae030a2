"""Who is in a room when, as the organisations and coordinators meet it: every way a date
gets into a room is checked against every other use, and what is in the way is named."""

from datetime import time, timedelta

from directory.activities.models import Activity, Occurrence
from directory.bookings.models import RoomBooking
from directory.common.time import local_today, to_local, utcnow
from directory.extensions import db
from directory.messages.models import Message
from directory.venues.models import Closure
from directory.venues.occupancy import RoomUse
from tests.conftest import next_weekday


def kemistvagen(factories):
    """Kemistvägen with Stora salen (needs approval) and Grupprum 1 (booked at once)."""
    venue = factories.venue(rooms=[("Stora salen", 40), ("Grupprum 1", 8)])
    stora, grupprum = sorted(venue.rooms, key=lambda r: r.name != "Stora salen")
    grupprum.requires_approval = False
    for room in venue.rooms:
        room.min_notice_hours = 1
    db.session.commit()
    return venue, stora, grupprum


def thursday(weeks_ahead=1):
    return next_weekday(3, local_today() + timedelta(days=1)) + timedelta(weeks=weeks_ahead)


def it_hjalp(factories, room):
    """IT-hjälp, Thursdays 14–16 in the room, by Medmänniskor Täby."""
    org = factories.organisation(name="Medmänniskor Täby")
    first = thursday(0)
    return factories.activity(org, title="IT-hjälp", room=room, starts_on=first,
                              weekdays="3", start_time=time(14), end_time=time(16),
                              until=first + timedelta(weeks=8))


def request_form(room, day, start, end, **overrides):
    data = {"room": str(room.id), "day": day.isoformat(), "start_time": start,
            "end_time": end, "repeat_until": (day + timedelta(weeks=3)).isoformat(),
            "activity": "0", "purpose": "Läxhjälp", "action": "check"}
    data.update(overrides)
    return data


def uses_in(room):
    return db.session.scalars(db.select(RoomUse).where(RoomUse.room_id == room.id)
                              .order_by(RoomUse.starts_at)).all()


def test_the_thursday_case_the_check_names_the_activity_already_in_the_room(client,
                                                                            factories, auth):
    venue, stora, _ = kemistvagen(factories)
    it_hjalp(factories, stora)
    org = factories.organisation(name="Läxhjälpen")
    factories.user(email="b@example.se", organisation=org)
    factories.user(email="staff@example.se", role="staff")
    auth.login("b@example.se")
    url = f"/manage/organisations/{org.slug}/bookings"
    page = client.post(url, data=request_form(stora, thursday(), "15:00", "17:00"))
    text = page.get_data(as_text=True)
    # Every one of the four Thursdays is refused, naming what is there.
    assert text.count("The room is in use then: IT-hjälp (Medmänniskor Täby)") == 4
    assert "free</strong>" not in text
    client.post(url, data=request_form(stora, thursday(), "15:00", "17:00",
                                       action="request"))
    assert db.session.scalar(db.select(db.func.count()).select_from(RoomBooking)) == 0
    # Even a request that got in somehow cannot be approved over the activity.
    sneaked = factories.booking(stora, org, thursday(), time(15), time(17))
    auth.logout()
    auth.login("staff@example.se")
    queue = client.get("/staff/bookings").get_data(as_text=True)
    assert "The room is in use then: IT-hjälp" in queue
    answer = client.post(f"/staff/bookings/{sneaked.id}/approve", data={"reason": ""},
                         follow_redirects=True)
    assert "The room is in use then: IT-hjälp (Medmänniskor Täby)" in \
        answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(RoomBooking, sneaked.id).status == "pending"
    week = thursday().isocalendar()
    page = client.get(f"/venues/{venue.slug}/schedule?week={week[0]}-W{week[1]:02d}")
    assert "Overlaps another use" not in page.get_data(as_text=True)


def test_an_activity_form_places_dates_in_a_room_and_refuses_a_taken_one(client,
                                                                         factories, auth):
    venue, stora, grupprum = kemistvagen(factories)
    org = factories.organisation(name="Språkvänner")
    factories.user(email="a@example.se", organisation=org)
    auth.login("a@example.se")
    first = thursday()
    form = {"title": "Språkcafé", "languages": ["sv"], "recurrence": "weekly",
            "starts_on": first.isoformat(), "start_time": "15:00", "end_time": "16:00",
            "interval": "1", "weekdays": ["3"],
            "until": (first + timedelta(weeks=3)).isoformat(),
            "room_id": str(grupprum.id), "action": "save"}
    page = client.get(f"/manage/organisations/{org.slug}/activities/new")
    text = page.get_data(as_text=True)
    assert "Grupprum 1" in text and "Stora salen" not in text  # approval rooms: ask
    assert client.post(f"/manage/organisations/{org.slug}/activities/new",
                       data=form).status_code == 303
    first_activity = db.session.scalar(db.select(Activity))
    assert len(uses_in(grupprum)) == 4
    # Another organisation, the same room and an overlapping time: refused, named,
    # nothing saved.
    other = factories.organisation(name="Kvinnor tillsammans")
    factories.user(email="c@example.se", organisation=other)
    auth.logout()
    auth.login("c@example.se")
    refused = client.post(f"/manage/organisations/{other.slug}/activities/new",
                          data=dict(form, title="Kvinnogrupp", start_time="15:30",
                                    end_time="17:00"))
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "4 dates cannot be in Mötesplats Kemistvägen, Grupprum 1" in text
    assert "Språkcafé (Språkvänner)" in text
    assert db.session.scalar(db.select(db.func.count()).select_from(Activity)) == 1
    # A room that needs approval cannot be chosen from the form.
    refused = client.post(f"/manage/organisations/{other.slug}/activities/new",
                          data=dict(form, title="Kvinnogrupp", room_id=str(stora.id)))
    assert refused.status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(Activity)) == 1
    # After it: fine.
    assert client.post(f"/manage/organisations/{other.slug}/activities/new",
                       data=dict(form, title="Kvinnogrupp", start_time="16:00",
                                 end_time="17:00")).status_code == 303
    assert len(uses_in(grupprum)) == 8
    assert first_activity.id


def test_moving_cancelling_and_restoring_dates_keep_the_room_true(client, factories, auth):
    venue, stora, _ = kemistvagen(factories)
    it = it_hjalp(factories, stora)
    org = factories.organisation(name="Läxhjälpen")
    factories.user(email="a@example.se", organisation=org)
    laxhjalp = factories.activity(org, title="Läxhjälp", room=stora, starts_on=thursday(0),
                                  weekdays="3", start_time=time(17), end_time=time(18),
                                  until=thursday(0) + timedelta(weeks=8))
    auth.login("a@example.se")
    date = next(o for o in laxhjalp.occurrences if o.starts_at > utcnow() + timedelta(days=1))
    day = to_local(date.starts_at).date()
    # Moving into IT-hjälp's time: refused, named, unchanged.
    refused = client.post(f"/manage/occurrences/{date.id}/move",
                          data={"day": day.isoformat(), "start_time": "15:00",
                                "end_time": "16:00"})
    assert refused.status_code == 422
    assert "IT-hjälp (Medmänniskor Täby)" in refused.get_data(as_text=True)
    db.session.refresh(date)
    assert to_local(date.starts_at).hour == 17
    # Moving to a free time: the room goes with it.
    assert client.post(f"/manage/occurrences/{date.id}/move",
                       data={"day": day.isoformat(), "start_time": "18:00",
                             "end_time": "19:00"}).status_code == 303
    use = db.session.scalar(db.select(RoomUse).where(RoomUse.occurrence_id == date.id))
    assert to_local(use.starts_at).hour == 18
    # IT-hjälp's date that day is cancelled: its room is free, and someone can take it.
    it_date = db.session.scalar(db.select(Occurrence).where(
        Occurrence.activity_id == it.id, Occurrence.starts_at >= date.starts_at -
        timedelta(hours=5), Occurrence.starts_at < date.starts_at))
    it_date.cancel("Ledaren är sjuk")
    db.session.commit()
    assert db.session.scalar(db.select(RoomUse).where(
        RoomUse.occurrence_id == it_date.id)) is None
    assert client.post(f"/manage/occurrences/{date.id}/move",
                       data={"day": day.isoformat(), "start_time": "14:30",
                             "end_time": "15:30"}).status_code == 303
    # Restoring IT-hjälp's date now is refused, naming Läxhjälp.
    from directory.activities.editing import restore_occurrence
    from directory.activities.models import ActivityError
    db.session.refresh(it_date)
    try:
        restore_occurrence(it_date, None)
    except ActivityError as error:
        assert "Läxhjälp (Läxhjälpen)" in str(error.message)
    else:
        raise AssertionError("restored into a taken room")
    db.session.rollback()
    assert db.session.get(Occurrence, it_date.id).status == "cancelled"


def test_a_booked_date_moves_with_its_booking_and_frees_the_old_time(client, factories, auth):
    venue, stora, _ = kemistvagen(factories)
    org = factories.organisation(name="Läxhjälpen")
    factories.user(email="a@example.se", organisation=org)
    factories.user(email="staff@example.se", role="staff")
    day = thursday()
    activity = factories.activity(org, title="Läxhjälp", starts_on=day, weekdays="3",
                                  start_time=time(15), end_time=time(17),
                                  until=day + timedelta(days=1))
    auth.login("a@example.se")
    client.post(f"/manage/organisations/{org.slug}/bookings",
                data=request_form(stora, day, "15:00", "17:00", repeat_until="",
                                  activity=str(activity.id), action="request"))
    booking = db.session.scalar(db.select(RoomBooking))
    assert booking.occurrence_id is not None
    auth.logout()
    auth.login("staff@example.se")
    client.post(f"/staff/bookings/{booking.id}/approve", data={"reason": ""})
    auth.logout()
    auth.login("a@example.se")
    date = db.session.get(Occurrence, booking.occurrence_id)
    assert date.room_id == stora.id
    client.post(f"/manage/occurrences/{date.id}/move",
                data={"day": day.isoformat(), "start_time": "18:00", "end_time": "20:00"})
    db.session.expire_all()
    booking = db.session.get(RoomBooking, booking.id)
    assert to_local(booking.starts_at).hour == 18 and booking.status == "approved"
    # The old time is free for another organisation; the new one is not.
    other = factories.organisation(name="Fritidsgänget")
    free = factories.booking(stora, other, day, time(15), time(17), commit=False)
    taken = factories.booking(stora, other, day, time(18), time(20))
    from directory.bookings.services import BookingConflict, approve_booking
    approve_booking(free, None)
    db.session.commit()
    try:
        approve_booking(taken, None)
    except BookingConflict as error:
        assert "Läxhjälp (Läxhjälpen)" in str(error.message)
    else:
        raise AssertionError("approved into a taken room")
    db.session.rollback()
    # Cancelling the date releases the room and the booking with it.
    client.post(f"/manage/occurrences/{date.id}/cancel", data={"reason": "Höstlov"})
    db.session.expire_all()
    assert db.session.get(RoomBooking, booking.id).status == "cancelled"
    approve_booking(db.session.get(RoomBooking, taken.id), None)
    db.session.commit()


def test_archiving_an_organisation_frees_its_coming_rooms(client, factories, auth):
    venue, stora, _ = kemistvagen(factories)
    activity = it_hjalp(factories, stora)
    factories.user(email="staff@example.se", role="staff")
    assert uses_in(stora)
    auth.login("staff@example.se")
    client.post(f"/staff/organisations/{activity.organisation_id}/archived",
                data={"reason": "Föreningen är nedlagd"})
    db.session.expire_all()
    assert [u for u in uses_in(stora) if u.ends_at > utcnow()] == []


def test_retiming_a_series_into_a_taken_time_is_refused_and_nothing_changes(factories):
    from directory.activities.editing import update_activity
    from directory.activities.models import ActivityError
    venue, stora, _ = kemistvagen(factories)
    it_hjalp(factories, stora)
    org = factories.organisation(name="Läxhjälpen")
    laxhjalp = factories.activity(org, title="Läxhjälp", room=stora, starts_on=thursday(0),
                                  weekdays="3", start_time=time(17), end_time=time(18),
                                  until=thursday(0) + timedelta(weeks=8))
    before = sorted((u.starts_at, u.ends_at) for u in uses_in(stora))
    data = {"title": "Läxhjälp", "recurrence": "weekly", "starts_on": laxhjalp.starts_on,
            "start_time": time(15), "end_time": time(16, 30), "weekdays": [3],
            "until": laxhjalp.until, "interval": 1}
    try:
        update_activity(laxhjalp, data, None, confirmed=True)
    except ActivityError as error:
        assert error.field == "start_time"
        # In Swedish: the service speaks the default language outside a request.
        assert "kan inte vara i Mötesplats Kemistvägen, Stora salen" in str(error.message)
        assert "IT-hjälp (Medmänniskor Täby)" in str(error.message)
    else:
        raise AssertionError("retimed into a taken room")
    db.session.rollback()
    assert sorted((u.starts_at, u.ends_at) for u in uses_in(stora)) == before
    # Retimed to a free hour, every coming date moves and keeps its room.
    update_activity(laxhjalp, dict(data, start_time=time(18), end_time=time(19)), None,
                    confirmed=True)
    db.session.commit()
    coming = [u for u in uses_in(stora) if u.occurrence.activity_id == laxhjalp.id
              and u.ends_at > utcnow()]
    assert coming and all(to_local(u.starts_at).hour == 18 for u in coming)


def test_a_new_date_its_room_cannot_hold_is_made_without_it_and_the_organisation_told(
        app, client, factories):
    """The rolling window moves on: the series' next Thursdays are made in Grupprum 1,
    but on one of them another organisation has the room. That date is made without the
    room (the room is never used twice, its page and the API agree) and the
    organisation is told which date and why, with where to cancel it."""
    venue, stora, grupprum = kemistvagen(factories)
    activity = it_hjalp(factories, grupprum)
    activity.until = local_today() + timedelta(days=500)
    activity.organisation.email = "it@example.se"
    db.session.commit()
    horizon = max(o.starts_at for o in activity.occurrences)
    taken_day = to_local(horizon).date() + timedelta(weeks=2)
    other = factories.organisation(name="Kvinnor tillsammans")
    factories.booking(grupprum, other, taken_day, time(13), time(15), status="approved")

    result = app.test_cli_runner().invoke(args=["extend-occurrences", "--days", "400"])
    assert result.exit_code == 0, result.output
    new = db.session.scalars(db.select(Occurrence).where(
        Occurrence.activity_id == activity.id, Occurrence.starts_at > horizon)).all()
    assert len(new) >= 3
    unplaced = [o for o in new if to_local(o.starts_at).date() == taken_day]
    assert len(unplaced) == 1 and unplaced[0].room_id is None
    assert all(o.room_id == grupprum.id for o in new if o not in unplaced)
    that_day = [u for u in uses_in(grupprum) if to_local(u.starts_at).date() == taken_day]
    assert [u.occurrence_id for u in that_day] == [None]  # the booking alone
    body = client.get(f"/api/v1/occurrences/{unplaced[0].id}").get_json()
    assert body["place"]["venue"] is None

    told = db.session.scalars(db.select(Message).where(
        Message.kind == "activity.unplaced")).all()
    assert [m.recipient for m in told] == ["it@example.se"]
    assert "IT-hjälp" in told[0].subject and "Grupprum 1" in told[0].subject
    assert "Kvinnor tillsammans" in told[0].body  # what is in the way, named
    assert f"/manage/activities/{activity.id}/dates" in told[0].body
    assert f"/manage/organisations/{activity.organisation.slug}/bookings" in told[0].body
    # Nothing new to make: nothing more is said.
    app.test_cli_runner().invoke(args=["extend-occurrences", "--days", "400"])
    assert db.session.scalar(db.select(db.func.count()).select_from(Message).where(
        Message.kind == "activity.unplaced")) == 1


def test_a_date_cancelled_by_a_closure_says_why_in_each_readers_language(client, factories):
    """The meeting place is closed one Thursday: IT-hjälp's date that day is made
    cancelled, and the reason is one sentence written in each reader's language around
    the coordinator's own words, on the date's page and in the API."""
    venue, stora, grupprum = kemistvagen(factories)
    db.session.add(Closure(venue=venue, starts_on=thursday(2), ends_on=thursday(2),
                           reason="Julstängt"))
    db.session.commit()
    activity = it_hjalp(factories, grupprum)
    date = next(o for o in activity.occurrences
                if to_local(o.starts_at).date() == thursday(2))
    assert date.status == "cancelled" and date.room_id == grupprum.id
    sentences = {"sv": "Mötesplatsen är stängd den dagen (Julstängt).",
                 "en": "The meeting place is closed that day (Julstängt).",
                 "ar": "مكان اللقاء مغلق في ذلك اليوم (Julstängt)."}
    for lang, sentence in sentences.items():
        headers = {"Accept-Language": lang}
        body = client.get(f"/api/v1/occurrences/{date.id}", headers=headers).get_json()
        assert body["cancel_reason"] == sentence
        page = client.get(f"/occurrences/{date.id}", headers=headers)
        assert sentence in page.get_data(as_text=True)


def test_many_new_dates_without_their_room_are_counted_and_the_first_named(app, factories):
    """The meeting place now closes at noon on Thursdays: every new Thursday of the
    series is made without the room, and the one message counts them all and names the
    first twenty."""
    venue, stora, grupprum = kemistvagen(factories)
    activity = it_hjalp(factories, grupprum)
    activity.until = local_today() + timedelta(days=500)
    activity.organisation.email = "it@example.se"
    for hours in venue.opening_hours:
        if hours.weekday == 3:
            hours.closes = time(12)
    db.session.commit()
    app.test_cli_runner().invoke(args=["extend-occurrences", "--days", "400"])
    unplaced = db.session.scalars(db.select(Occurrence).where(
        Occurrence.activity_id == activity.id, Occurrence.room_id.is_(None))).all()
    assert len(unplaced) > 20
    told = db.session.scalars(db.select(Message).where(
        Message.kind == "activity.unplaced")).all()
    assert len(told) == 1
    assert told[0].subject.startswith(f"{len(unplaced)} ")
    named = [line for line in told[0].body.splitlines() if line.startswith("- ")]
    assert len(named) == 21 and named[-1] == "- …"
