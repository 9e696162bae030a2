"""Messages that reach people: written in the transaction that causes them, delivered
after commit by the worker's delivery (a real SMTP server and a local SMS provider
here), in the recipient's language, never lost when a server is down."""

import re
from datetime import timedelta

import pytest
from flask import current_app

from directory.activities.models import Occurrence
from directory.common.time import utcnow
from directory.extensions import db
from directory.messages.delivery import deliver_due
from directory.messages.models import Message
from directory.messages.sms import segments
from directory.signups.models import Signup
from directory.signups.notices import send_reminders
from directory.signups.services import purge_personal_data, sign_up

PERSONAL = re.compile(r"https?://[^/\s]+(/signups/[A-Za-z0-9_-]+)")


@pytest.fixture
def channels(app, smtp_server, sms_provider):
    """The app sending e-mail to the local SMTP server and SMS to the local provider."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port,
                      MAIL_FROM="samverkan@example.se", **sms_provider.settings())
    return smtp_server, sms_provider


@pytest.fixture
def occ(factories):
    activity = factories.activity(title="Läxhjälp", registration_required=True,
                                  default_capacity=1,
                                  translations={"ar": {"title": "مساعدة في الواجبات"}})
    return next(o for o in activity.occurrences if o.starts_at > utcnow() + timedelta(days=2))


def outbox(**where):
    return db.session.scalars(db.select(Message).filter_by(**where)
                              .order_by(Message.id)).all()


def test_signing_up_by_phone_sends_an_sms_with_the_personal_link(client, channels, occ):
    mail, sms = channels
    client.post(f"/occurrences/{occ.id}/signup",
                data={"name": "Amina", "contact": "070-123 45 67"})
    assert sms.messages == []  # nothing leaves during the request
    assert deliver_due().sent == 1
    [text] = sms.messages
    assert text["to"] == "+46701234567" and text["from"] == "Samverkan"
    assert "Läxhjälp" in text["message"] and segments(text["message"]) <= 2
    link = PERSONAL.search(text["message"]).group(1)
    page = client.get(link).get_data(as_text=True)
    assert "You have a place." in page and "Läxhjälp" in page
    [row] = outbox()
    # Sent: the outbox keeps the status, not the words or the number.
    assert (row.status, row.recipient, row.body, row.subject) == ("sent", None, None, None)
    assert mail.messages == []


def test_signing_up_by_e_mail_sends_what_when_where_and_the_link(client, channels, occ):
    mail, sms = channels
    client.post(f"/occurrences/{occ.id}/signup",
                data={"name": "Bashir", "contact": "bashir@example.se"})
    deliver_due()
    [message] = mail.messages
    assert message["To"] == "bashir@example.se"
    assert "Läxhjälp" in message["Subject"]
    body = message.get_content()
    assert "Hello Bashir," in body and "Storgatan 1" in body
    assert client.get(PERSONAL.search(body).group(1)).status_code == 200
    assert sms.messages == []


def test_a_cancelled_date_tells_everyone_in_their_language(client, auth, factories,
                                                           channels, occ):
    mail, sms = channels
    sign_up(occ.id, "Amina", "amina@example.se", "ar")
    sign_up(occ.id, "Sven", "070-111 22 33", "sv")  # on the waiting list (one place)
    db.session.commit()
    deliver_due()
    mail.messages.clear()
    sms.messages.clear()
    owner = factories.user(email="agare@example.se", organisation=occ.activity.organisation)
    db.session.commit()
    auth.login(owner.email)
    client.post(f"/manage/occurrences/{occ.id}/cancel", data={"reason": "Ledaren är sjuk"})
    assert deliver_due().sent == 2
    [arabic] = mail.messages
    assert "مساعدة في الواجبات" in arabic["Subject"] and "أُلغي" in arabic["Subject"]
    assert "Ledaren är sjuk" in arabic.get_content()
    [swedish] = sms.messages
    assert "inställt" in swedish["message"] and "Ledaren är sjuk" in swedish["message"]
    # The personal page says only that the date is cancelled, and why.
    page = client.get(PERSONAL.search(swedish["message"]).group(1) + "?lang=sv")
    text = page.get_data(as_text=True)
    assert "Ledaren är sjuk" in text and "reservlistan" not in text


def test_a_moved_date_tells_the_new_time(client, auth, factories, channels, occ):
    mail, _ = channels
    sign_up(occ.id, "Amina", "amina@example.se", "en")
    db.session.commit()
    deliver_due()
    mail.messages.clear()
    owner = factories.user(email="agare@example.se", organisation=occ.activity.organisation)
    db.session.commit()
    auth.login(owner.email)
    new_day = occ.starts_at.date() + timedelta(days=1)
    client.post(f"/manage/occurrences/{occ.id}/move",
                data={"day": new_day.isoformat(), "start_time": "18:00", "end_time": "19:00"})
    deliver_due()
    [message] = mail.messages
    assert "New time or place" in message["Subject"]
    assert "18:00–19:00" in message.get_content()


def test_a_place_from_the_waiting_list_is_told_with_date_place_and_link(client, channels,
                                                                        occ):
    mail, sms = channels
    _, first = sign_up(occ.id, "Amina", "amina@example.se", "en")
    sign_up(occ.id, "Sven", "070-111 22 33", "sv")
    db.session.commit()
    deliver_due()
    sms.messages.clear()
    client.post(f"/signups/{first}/cancel")
    deliver_due()
    [text] = sms.messages
    assert "fått en plats" in text["message"] and "Läxhjälp" in text["message"]
    page = client.get(PERSONAL.search(text["message"]).group(1))
    assert "You have a place." in page.get_data(as_text=True)


def test_a_reminder_the_day_before_once_and_only_if_wanted(client, channels, occ):
    mail, _ = channels
    signed_up_at = occ.starts_at - timedelta(days=3)
    _, wants = sign_up(occ.id, "Amina", "amina@example.se", "en", now=signed_up_at)
    occ.capacity = 5
    _, declines = sign_up(occ.id, "Bo", "bo@example.se", "en", now=signed_up_at)
    db.session.commit()
    client.post(f"/signups/{declines}/reminders", data={"reminders": "off"})
    deliver_due(now=signed_up_at + timedelta(minutes=1))
    assert len(mail.messages) == 2  # the confirmations
    mail.messages.clear()
    day_before = occ.starts_at - timedelta(hours=23)
    assert send_reminders(now=occ.starts_at - timedelta(hours=30)) == 0  # too early
    assert send_reminders(now=day_before) == 1
    assert send_reminders(now=day_before + timedelta(minutes=15)) == 0  # once
    db.session.commit()
    deliver_due(now=day_before)
    [message] = mail.messages
    assert message["To"] == "amina@example.se" and "Reminder" in message["Subject"]


def test_an_sms_provider_that_is_down_delays_the_message_and_it_arrives_once(
        client, auth, factories, channels, occ):
    _, sms = channels
    sign_up(occ.id, "Sven", "070-111 22 33", "sv")
    db.session.commit()
    deliver_due()
    sms.messages.clear()
    sms.stop()
    owner = factories.user(email="agare@example.se", organisation=occ.activity.organisation)
    db.session.commit()
    auth.login(owner.email)
    answer = client.post(f"/manage/occurrences/{occ.id}/cancel", data={"reason": "Storm"})
    assert answer.status_code == 303  # the person cancelling never sees the outage
    outcome = deliver_due()
    assert (outcome.sent, outcome.retrying) == (0, 1)
    [waiting] = outbox(kind="signup.cancelled")
    assert waiting.status == "pending" and waiting.attempts == 1 and waiting.last_error
    assert deliver_due().sent == 0  # not due again yet (backoff)
    sms.start()
    later = utcnow() + timedelta(minutes=2)
    assert deliver_due(now=later).sent == 1
    assert deliver_due(now=later + timedelta(hours=1)).sent == 0
    assert len(sms.messages) == 1 and "Storm" in sms.messages[0]["message"]


def test_a_refused_number_or_address_is_given_up_with_a_reason(client, auth, factories,
                                                               channels, occ):
    mail, sms = channels
    sms.answer = 400
    mail.refuse = "550 5.1.1 no such user"
    occ.capacity = 5
    sign_up(occ.id, "Sven", "070-111 22 33", "sv")
    sign_up(occ.id, "Amina", "amina@example.se", "en")
    db.session.commit()
    outcome = deliver_due()
    assert outcome.failed == 2
    assert {m.last_error for m in outbox()} == {"SMS provider refused (400)",
                                               "address refused (550)"}
    staff = factories.user(email="samordnare@example.se", role="staff")
    db.session.commit()
    auth.login(staff.email)
    page = client.get("/staff/messages").get_data(as_text=True)
    assert "SMS provider refused (400)" in page and "070" not in page


def test_nothing_is_sent_when_the_change_rolls_back(client, channels, occ):
    mail, sms = channels
    sign_up(occ.id, "Amina", "amina@example.se", "en")
    db.session.rollback()
    assert deliver_due().sent == 0
    assert outbox() == [] and mail.messages == [] and sms.messages == []


def test_the_link_again_answers_the_same_and_sends_only_to_a_signed_up_contact(
        client, channels, occ):
    mail, sms = channels
    sign_up(occ.id, "Amina", "amina@example.se", "en")
    db.session.commit()
    deliver_due()
    mail.messages.clear()
    known = client.post(f"/occurrences/{occ.id}/resend", data={"contact": "AMINA@example.se"},
                        follow_redirects=True)
    unknown = client.post(f"/occurrences/{occ.id}/resend",
                          data={"contact": "nobody@example.se"}, follow_redirects=True)
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    deliver_due()
    [message] = mail.messages
    assert message["To"] == "amina@example.se"
    assert client.get(PERSONAL.search(message.get_content()).group(1)).status_code == 200
    # Signing up again with the same contact sends the link again too.
    again = client.post(f"/occurrences/{occ.id}/signup",
                        data={"name": "Amina", "contact": "amina@example.se"},
                        follow_redirects=True)
    assert again.request.path == f"/occurrences/{occ.id}/signup/sent"
    deliver_due()
    assert len(mail.messages) == 2
    assert db.session.scalar(db.select(db.func.count()).select_from(Signup)) == 1


def test_the_purge_removes_contacts_from_the_outbox(client, app, occ):
    # No channels set up: the message waits in the outbox with its recipient.
    sign_up(occ.id, "Amina", "amina@example.se", "en")
    db.session.commit()
    [waiting] = outbox()
    assert waiting.recipient == "amina@example.se"
    purge_personal_data(0, now=occ.ends_at + timedelta(days=1))
    db.session.commit()
    db.session.refresh(waiting)
    assert (waiting.recipient, waiting.body) == (None, None)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)
    assert deliver_due().failed == 1
    db.session.refresh(waiting)
    assert waiting.status == "failed" and waiting.last_error == "recipient deleted"


def test_sms_texts_fit_two_segments_in_every_language(app, occ):
    long_title = "Läxhjälp och samtal om skolan för föräldrar och barn i Täby kyrkby " * 2
    occ.activity.title = long_title
    occ.activity.translations = {"ar": {"title": "مساعدة في الواجبات المدرسية " * 4}}
    db.session.commit()
    for language in current_app.config["LANGUAGES"]:
        signup, _ = sign_up(occ.id, "Amina", f"070-123 45 6{len(language)}", language)
    db.session.commit()
    for message in outbox(channel="sms"):
        assert segments(message.body) <= 2, message.body
        assert PERSONAL.search(message.body), message.body


def test_room_decisions_reach_the_organisation_in_its_language(app, factories, channels):
    from directory.bookings.series import decide_series
    mail, _ = channels
    org = factories.organisation(email="styrelsen@example.se", preferred_language="ar")
    venue = factories.venue()
    room = venue.rooms[0]
    staff = factories.user(email="samordnare@example.se", role="staff")
    booking = factories.booking(room, org)
    decide_series([booking], "approve", "", staff)
    db.session.commit()
    deliver_due()
    [message] = mail.messages
    assert message["To"] == "styrelsen@example.se"
    assert room.name in message["Subject"] and "Room booking" not in message["Subject"]


def test_the_organisation_chooses_the_language_of_its_messages(client, auth, factories):
    org = factories.organisation(email="styrelsen@example.se")
    owner = factories.user(email="agare@example.se", organisation=org)
    db.session.commit()
    auth.login(owner.email)
    page = client.get(f"/manage/organisations/{org.slug}").get_data(as_text=True)
    assert 'name="preferred_language"' in page and 'name="signup_digest"' in page
    data = {"name": org.name, "kind": org.kind, "description": org.description,
            "municipality": org.municipality_id, "email": org.email,
            "preferred_language": "ar", "signup_digest": "y"}
    assert client.post(f"/manage/organisations/{org.slug}", data=data).status_code == 303
    db.session.refresh(org)
    assert (org.preferred_language, org.signup_digest) == ("ar", True)


def test_daily_digests_for_organisations_that_want_them_and_coordinators(app, factories,
                                                                        channels, occ):
    from directory.staff.digests import send_daily_digests
    mail, _ = channels
    org = occ.activity.organisation
    org.email, org.signup_digest = "styrelsen@example.se", True
    occ.capacity = 5
    county = factories.user(email="lan@example.se", role="staff")
    here = factories.user(email="taby@example.se", role="staff",
                          municipality=org.municipality)
    elsewhere = factories.user(email="annan@example.se", role="staff",
                               municipality=factories.municipality("goteborg"))
    factories.organisation(name="Ny förening", status="pending",
                           municipality=org.municipality)
    sign_up(occ.id, "Amina", "amina@example.se", "en")
    sign_up(occ.id, "Bo", "070-111 22 33", "sv")
    db.session.commit()
    deliver_due()
    mail.messages.clear()
    assert send_daily_digests(now=utcnow() + timedelta(minutes=1)) == 3
    db.session.commit()
    deliver_due(now=utcnow() + timedelta(minutes=1))
    by_recipient = {m["To"]: m for m in mail.messages}
    assert set(by_recipient) == {"styrelsen@example.se", county.email, here.email}
    assert elsewhere.email not in by_recipient
    digest = by_recipient["styrelsen@example.se"].get_content()
    assert "Läxhjälp" in digest and ": 2" in digest
    # A coordinator who never logged in reads Swedish; nothing is said of what is not new.
    coordinator = by_recipient[county.email].get_content()
    assert "1 ny organisation väntar på granskning." in coordinator
    assert "lokalförfrågningar" not in coordinator


def test_a_changed_schedule_tells_those_signed_up_their_new_time(client, factories, channels):
    from directory.activities.models import Activity
    from tests.test_activities_manage import member_client, weekly_form
    mail, _ = channels
    org = member_client(client, factories)
    client.post(f"/manage/organisations/{org.slug}/activities/new", data=weekly_form())
    activity = db.session.scalar(db.select(Activity))
    date = next(o for o in activity.occurrences if o.starts_at > utcnow())
    sign_up(date.id, "Amina", "amina@example.se", "en")
    db.session.commit()
    deliver_due()
    mail.messages.clear()
    client.post(f"/manage/activities/{activity.id}",
                data={**weekly_form(start_time="16:00", end_time="17:30"), "confirm": "y"})
    deliver_due()
    [message] = mail.messages
    body = message.get_content()
    assert "The schedule of Läxhjälp i Täby has changed." in body
    assert "16:00–17:30" in body


def test_the_organisation_hears_of_its_registration_and_a_cancelled_booking(
        client, auth, factories, channels):
    mail, _ = channels
    org = factories.organisation(name="Nya föreningen", status="pending",
                                 email="styrelsen@example.se", preferred_language="en")
    room = factories.venue().rooms[0]
    booking = factories.booking(room, org, status="approved")
    factories.user(email="samordnare@example.se", role="staff")
    auth.login("samordnare@example.se")
    client.post(f"/staff/organisations/{org.id}/verified", data={"reason": ""})
    client.post(f"/manage/bookings/{booking.id}/cancel")
    deliver_due()
    subjects = sorted(m["Subject"] for m in mail.messages)
    assert subjects[0] == "Nya föreningen is verified"
    assert subjects[1].startswith("Room booking cancelled: Stora salen")


def test_a_provider_answering_500_is_tried_again(client, channels, occ):
    _, sms = channels
    sms.answer = 500
    sign_up(occ.id, "Sven", "070-111 22 33", "sv")
    db.session.commit()
    assert deliver_due().retrying == 1
    sms.answer = 200
    assert deliver_due(now=utcnow() + timedelta(minutes=2)).sent == 1
    assert len(sms.messages) == 1


def test_the_worker_purges_personal_data_and_the_outbox_on_schedule(app, occ):
    from directory.worker import purge
    signup, _ = sign_up(occ.id, "Amina", "amina@example.se", "en")
    db.session.commit()
    assert purge(now=occ.ends_at + timedelta(days=31)) == 1
    db.session.expire_all()
    assert db.session.get(Signup, signup.id).contact is None
    assert [m.recipient for m in outbox()] == [None]


def test_the_services_own_reasons_reach_each_reader_in_their_language(client, factories,
                                                                     channels, occ):
    from tests.conftest import AuthActions
    mail, _ = channels
    occ.capacity = 5
    _, token = sign_up(occ.id, "Amina", "amina@example.se", "ar")
    owner = factories.user(email="agare@example.se", organisation=occ.activity.organisation)
    db.session.commit()
    deliver_due()
    mail.messages.clear()
    AuthActions(client).login(owner.email)
    client.post(f"/manage/activities/{occ.activity_id}/end")
    deliver_due()
    [message] = mail.messages
    assert "انتهى النشاط." in message.get_content()
    page = client.get(f"/signups/{token}?lang=sv").get_data(as_text=True)
    assert "Aktiviteten har avslutats." in page
    english = client.get(f"/api/v1/occurrences/{occ.id}?lang=en").get_json()
    assert english["cancel_reason"] == "The activity has ended."
