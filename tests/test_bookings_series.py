"""A series of room bookings as one thing: the organisation sees its dates written out
with their statuses and cancels the whole series or one date; the coordinator decides a
series on one card (all, the free dates only, or none) with one reason, and stale or
wrong forms get a message, never a 500."""

import re
from datetime import time, timedelta

from babel.dates import format_date

from directory.activities.models import Occurrence
from directory.bookings.models import RoomBooking
from directory.common.time import local_today, utcnow
from directory.extensions import db
from directory.messages.delivery import deliver_due
from tests.conftest import AuthActions, make_booking, make_series, next_weekday
from tests.test_bookings_views import booking_world


def thursdays(count, first_week=1):
    first = next_weekday(3, local_today() + timedelta(days=1))
    return [first + timedelta(weeks=first_week + i) for i in range(count)]


def written(day):
    """A date as the (English) pages write it out."""
    return format_date(day, "full", locale="en_GB")


def setup(factories):
    venue, room, org = booking_world(factories, min_notice_hours=1, room_name="Stora salen",
                                     capacity=40)
    factories.user(email="staff2@example.se", role="staff")
    return venue, room, org


def ask(room, org, days, start=time(17), end=time(19), purpose="Läxhjälp",
        status="pending", series=True):
    """The organisation's request for `days` (one series), as stored."""
    if series:
        return make_series(room, org, days, start, end, purpose=purpose, status=status)
    return [make_booking(room, org, day, start, end, purpose=purpose, status=status)
            for day in days]


def statuses(rows):
    db.session.expire_all()
    return [db.session.get(RoomBooking, b.id).status for b in rows]


def card_of(page, booking):
    """The HTML of the queue card that holds `booking`."""
    key = booking.series_key or f"booking-{booking.id}"
    start = page.index(f'id="card-{key}"')
    end = page.find('<li class="card"', start)
    return page[start:end if end != -1 else len(page)]


def decide(client, rows, decision, reason="", follow=True):
    """The coordinator's card form for `rows`, sent with one of its buttons."""
    return client.post(f"/staff/bookings/{rows[0].id}/{decision}",
                       data={"series": "1", "date": [str(b.id) for b in rows],
                             "reason": reason}, follow_redirects=follow)


# ------------------------------------------------------------ the organisation's page

def test_the_organisation_sees_its_bookings_by_series_with_dates_written_out(client,
                                                                           factories, auth):
    venue, room, org = setup(factories)
    days = thursdays(3)
    series = ask(room, org, days)
    single = ask(room, org, [days[0] + timedelta(days=1)], start=time(10), end=time(11),
                 purpose="Styrelsemöte", series=False)[0]
    series[0].approve(None)
    series[1].reject("Rummet målas.", None)
    db.session.commit()
    auth.login("a@example.se")
    page = client.get(f"/manage/organisations/{org.slug}/bookings").get_data(as_text=True)
    listed = page[page.index("Your bookings"):]
    # Two series: the three Thursdays together, and the single date on its own.
    assert listed.count('<section class="card"') == 2
    assert f"{venue.name}, Stora salen · Läxhjälp" in listed
    assert "Thursday 17:00–19:00 · 3 dates" in listed
    assert "Friday 10:00–11:00 · 1 date" in listed and "Styrelsemöte" in listed
    for day in days:
        assert f"{written(day)}, 17:00–19:00" in listed
    assert f"{written(days[0])}, 17:00–19:00</time>:\n      <strong>Approved</strong>" in listed
    assert "<strong>Rejected</strong>: Rummet målas." in listed
    assert f"{written(days[2])}, 17:00–19:00</time>:\n      <strong>Waiting for a decision" \
        in listed
    # Each coming date that waits or is approved can be cancelled, named by its date;
    # the series at once. No internal ids are shown.
    assert f"Cancel {written(days[0])}" in listed and f"Cancel {written(days[2])}" in listed
    assert f"Cancel {written(days[1])}" not in listed
    assert "Cancel the 2 coming dates of the series" in listed
    assert "Cancel booking" not in page
    for booking in (*series, single):
        assert not re.search(rf"(booking|#)\s*{booking.id}\b", listed, re.IGNORECASE)


def test_cancelling_a_whole_series_frees_every_coming_date_and_releases_tied_dates(
        client, factories, auth):
    venue, room, org = setup(factories)
    days = thursdays(4)
    activity = factories.activity(org, title="Läxhjälp", starts_on=days[0], weekdays="3",
                                  start_time=time(17), end_time=time(19),
                                  until=days[-1])
    rows = ask(room, org, days)
    dates = db.session.scalars(db.select(Occurrence).where(
        Occurrence.activity_id == activity.id).order_by(Occurrence.starts_at)).all()
    for booking, date in zip(rows, dates):
        booking.occurrence = date
    rows[0].approve(None)
    dates[0].place_in(room.id)
    rows[3].reject("Stängt.", None)
    db.session.commit()
    assert db.session.get(Occurrence, dates[0].id).room_id == room.id
    auth.login("a@example.se")
    answer = client.post(f"/manage/bookings/series/{rows[0].series_key}/cancel",
                         data={"reason": "Vi har fått en egen lokal."},
                         follow_redirects=True)
    text = answer.get_data(as_text=True)
    assert "3 dates are cancelled and the room is free then." in text
    assert statuses(rows) == ["cancelled", "cancelled", "cancelled", "rejected"]
    assert db.session.get(RoomBooking, rows[1].id).decision_reason == \
        "Vi har fått en egen lokal."
    # The date the booking had put in the room is released and cancelled with it.
    released = db.session.get(Occurrence, dates[0].id)
    assert released.room_id is None and released.status == "cancelled"
    assert text.count("<strong>Cancelled</strong>: Vi har fått en egen lokal.") == 3
    assert "Cancel the" not in text
    # Again: nothing left to cancel, said so.
    again = client.post(f"/manage/bookings/series/{rows[0].series_key}/cancel",
                        follow_redirects=True).get_data(as_text=True)
    assert "Nothing to cancel: every date of the series has been decided" in again


def test_a_series_cancel_leaves_dates_that_have_begun_and_one_date_can_be_cancelled(
        client, factories, auth):
    venue, room, org = setup(factories)
    days = thursdays(3)
    rows = ask(room, org, days)
    # The first date has begun (it started an hour ago).
    now = utcnow()
    rows[0].starts_at = now - timedelta(hours=1)
    rows[0].ends_at = now + timedelta(hours=1)
    db.session.commit()
    auth.login("a@example.se")
    client.post(f"/manage/bookings/{rows[2].id}/cancel")
    assert statuses(rows) == ["pending", "pending", "cancelled"]
    page = client.get(f"/manage/organisations/{org.slug}/bookings").get_data(as_text=True)
    assert "Cancel the" not in page  # only one date of it can still be cancelled
    client.post(f"/manage/bookings/series/{rows[0].series_key}/cancel")
    assert statuses(rows) == ["pending", "cancelled", "cancelled"]


def test_another_organisation_and_unknown_series_get_404(client, factories, auth):
    venue, room, org = setup(factories)
    rows = ask(room, org, thursdays(2))
    other = factories.organisation(name="Fotbollsklubben")
    factories.user(email="b@example.se", organisation=other)
    auth.login("b@example.se")
    assert client.post(f"/manage/bookings/series/{rows[0].series_key}/cancel"
                       ).status_code == 404
    assert client.post("/manage/bookings/series/no-such-series/cancel").status_code == 404
    assert statuses(rows) == ["pending", "pending"]


# ------------------------------------------------------------ the coordinator's queue

def test_the_queue_shows_one_card_per_series_with_what_is_in_the_way(client, factories, auth):
    venue, room, org = setup(factories)
    days = thursdays(4)
    other = factories.organisation(name="Fotbollsklubben")
    blocking = ask(room, other, [days[1], days[3]], start=time(18), end=time(20),
                   purpose="Fotboll", status="approved", series=False)
    rows = ask(room, org, days)
    ask(room, org, [days[0] + timedelta(days=1)], purpose="Styrelsemöte", series=False)
    late = ask(room, factories.organisation(name="Kören"), [days[0]], start=time(18, 30),
               end=time(19, 30), series=False)
    auth.login("staff@example.se")
    page = client.get("/staff/bookings").get_data(as_text=True)
    assert page.count('<li class="card"') == 3
    card = card_of(page, rows[0])
    assert "Läxhjälpen: Mötesplats Kemistvägen, Stora salen" in card
    assert "4 dates wait for a decision, 2 of them free." in card
    for day in days:
        assert f"{written(day)}, 17:00–19:00" in card
    assert card.count("<strong>free</strong>") == 2
    for day in (days[1], days[3]):
        assert ("The room is in use then: Fotboll (Fotbollsklubben), "
                f"{written(day)} ") in card
    assert "Approving this rejects:" in card and "Kören 18:30–19:30" in card
    for button in ("Approve all", "Approve the free dates only", "Reject all"):
        assert f">{button}</button>" in card
    # A single date stays a card of one, with its own two buttons.
    single = card_of(page, late[0])
    assert ">Approve</button>" in single and "Approve all" not in single
    assert blocking[0].status == "approved"


def test_approve_the_free_dates_only_approves_exactly_the_free_half(client, factories,
                                                                   smtp_server, app, auth):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    venue, room, org = setup(factories)
    days = thursdays(4)
    other = factories.organisation(name="Fotbollsklubben")
    ask(room, other, [days[1], days[3]], start=time(18), end=time(20), purpose="Fotboll",
        status="approved", series=False)
    rows = ask(room, org, days)
    auth.login("staff@example.se")
    text = decide(client, rows, "approve-free", "Bara de lediga datumen.").get_data(
        as_text=True)
    assert statuses(rows) == ["approved", "rejected", "approved", "rejected"]
    assert "Approved: 2. Could not be approved: 2. Colliding requests rejected: 0." in text
    assert re.search(rf"{written(days[1])} 17:00–19:00: The room is in use then: "
                     rf"Fotboll \(Fotbollsklubben\), {written(days[1])} 18:00", text)
    assert "Nothing here." in text  # the card is decided and gone
    reason = db.session.get(RoomBooking, rows[1].id).decision_reason
    assert reason.startswith("Bara de lediga datumen. The room is in use then: Fotboll "
                             "(Fotbollsklubben)")
    # The organisation is told once per outcome, each listing its dates.
    deliver_due()  # the worker sends what the decision wrote
    subjects = sorted(m["Subject"] for m in smtp_server.messages)
    assert subjects == ["Lokalbokningar godkända: Stora salen, 2 datum",
                        "Lokalbokningar inte godkända: Stora salen, 2 datum"]
    auth.logout()
    auth.login("a@example.se")
    page = client.get(f"/manage/organisations/{org.slug}/bookings").get_data(as_text=True)
    assert page.count("<strong>Approved</strong>") == 2
    assert page.count("<strong>Rejected</strong>: Bara de lediga datumen. The room "
                      "is in use then: Fotboll (Fotbollsklubben)") == 2


def test_approve_all_approves_what_the_room_allows_and_the_rest_keeps_waiting(
        client, factories, auth):
    venue, room, org = setup(factories)
    days = thursdays(4)
    ask(room, factories.organisation(name="Fotbollsklubben"), [days[1]], start=time(18),
        end=time(20), purpose="Fotboll", status="approved", series=False)
    colliding = ask(room, factories.organisation(name="Kören"), [days[0]],
                    start=time(18, 30), end=time(19, 30), series=False)
    rows = ask(room, org, days)
    auth.login("staff@example.se")
    text = decide(client, rows, "approve").get_data(as_text=True)
    assert statuses(rows) == ["approved", "pending", "approved", "approved"]
    assert statuses(colliding) == ["rejected"]
    card = card_of(text, rows[0])
    # The message stands on the card that is still there, with its waiting date.
    assert "Approved: 3. Could not be approved: 1. Colliding requests rejected: 1." in card
    assert "The room is in use then: Fotboll (Fotbollsklubben)" in card
    assert "The dates that could not be approved are still waiting for a decision." in card
    assert "1 date waits" not in card and card.count("<time") == 1
    assert db.session.get(RoomBooking, colliding[0].id).decision_reason == \
        "Another booking was approved for that time."


def test_reject_all_with_one_reason(client, factories, smtp_server, app, auth):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    venue, room, org = setup(factories)
    rows = ask(room, org, thursdays(3))
    auth.login("staff@example.se")
    text = decide(client, rows, "reject", "Salen renoveras i vår.").get_data(as_text=True)
    assert "Not approved: 3." in text
    assert statuses(rows) == ["rejected"] * 3
    assert {db.session.get(RoomBooking, b.id).decision_reason for b in rows} == {
        "Salen renoveras i vår."}
    deliver_due()  # the worker sends what the decision wrote
    [message] = smtp_server.messages
    assert message["Subject"] == "Lokalbokningar inte godkända: Stora salen, 3 datum"
    assert "Skäl: Salen renoveras i vår." in message.get_content()


# ------------------------------------------------------------ bad input

def test_two_coordinators_on_the_same_card(client, app, factories, auth):
    venue, room, org = setup(factories)
    rows = ask(room, org, thursdays(3))
    auth.login("staff@example.se")
    second = app.test_client()
    second.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    AuthActions(second).login("staff2@example.se")
    # Both opened the queue; the first approves, the second then rejects the same card.
    assert decide(client, rows, "approve").status_code == 200
    answer = decide(second, rows, "reject", "Nej.")
    assert answer.status_code == 200
    assert "This request is already approved. To free the room, cancel the booking " \
        "instead." in answer.get_data(as_text=True)
    assert statuses(rows) == ["approved"] * 3
    # Approving it again (a stale form): already decided, nothing changes.
    again = decide(second, rows, "approve").get_data(as_text=True)
    assert "This request has already been decided." in again
    assert statuses(rows) == ["approved"] * 3


def test_a_stale_card_decides_what_still_waits_and_says_what_was_decided(client, factories, auth):
    venue, room, org = setup(factories)
    days = thursdays(3)
    rows = ask(room, org, days)
    auth.login("staff@example.se")
    # Someone rejected one date on its own meanwhile (and the organisation cancelled
    # another).
    client.post(f"/staff/bookings/{rows[0].id}/reject", data={"reason": "Nej."})
    rows[1].cancel("Behövs inte.")
    db.session.commit()
    text = decide(client, rows, "approve").get_data(as_text=True)
    assert "Approved: 1. Could not be approved: 0." in text
    assert "Dates already decided before, left as they were: 2." in text
    assert statuses(rows) == ["rejected", "cancelled", "approved"]


def test_rejecting_an_approved_booking_is_refused(client, factories, auth):
    venue, room, org = setup(factories)
    [booking] = ask(room, org, thursdays(1), series=False)
    booking.approve(None)
    db.session.commit()
    auth.login("staff@example.se")
    answer = client.post(f"/staff/bookings/{booking.id}/reject", data={"reason": "Nej."},
                         follow_redirects=True)
    assert answer.status_code == 200
    assert "This request is already approved. To free the room, cancel the booking " \
        "instead." in answer.get_data(as_text=True)
    assert statuses([booking]) == ["approved"]


def test_bad_ids_and_decisions_answer_404(client, factories, auth):
    venue, room, org = setup(factories)
    rows = ask(room, org, thursdays(2))
    others = ask(room, org, thursdays(2, first_week=5))
    auth.login("staff@example.se")
    assert client.post("/staff/bookings/999999/approve", data={}).status_code == 404
    assert client.post(f"/staff/bookings/{rows[0].id}/maybe", data={}).status_code == 404
    # Dates of another series, unknown or not numbers, on this card's form.
    for dates in ([str(others[0].id)], ["999999"], ["x"]):
        answer = client.post(f"/staff/bookings/{rows[0].id}/approve",
                             data={"series": "1", "date": dates})
        assert answer.status_code == 404
    assert statuses(rows + others) == ["pending"] * 4
