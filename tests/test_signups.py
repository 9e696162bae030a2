"""Signing up without an account: a place or the queue, a personal link, and personal
data that goes away on time."""

import csv
import io
import re
from datetime import timedelta

import pytest

from directory.activities.models import Occurrence
from directory.audit.models import AuditEvent
from directory.common.time import utcnow
from directory.extensions import db
from directory.signups.models import Signup


PERSONAL = re.compile(r"^/signups/[A-Za-z0-9_-]+$")


@pytest.fixture
def occ(factories):
    activity = factories.activity(title="Läxhjälp", registration_required=True,
                                  default_capacity=2)
    return next(o for o in activity.occurrences if o.starts_at > utcnow())


def form_signup(client, occ, name="Amina", contact="070-123 45 67", **extra):
    """Post the form and follow the redirect: a new sign-up lands on its personal page."""
    return client.post(f"/occurrences/{occ.id}/signup",
                       data={"name": name, "contact": contact, **extra},
                       follow_redirects=True)


def link_of(response):
    """The personal page a sign-up landed on."""
    path = response.request.path
    assert PERSONAL.match(path), path
    return path


def count(model=Signup):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_place_then_queue_with_personal_links(client, occ):
    first = form_signup(client, occ)
    assert first.history[0].status_code == 303 and first.status_code == 200
    body = first.get_data(as_text=True)
    assert "You have a place." in body and "Läxhjälp" in body
    assert "We have sent this page" in body
    assert f"/occurrences/{occ.id}.ics" in body
    form_signup(client, occ, "Bashir", "bashir@example.se")
    third = form_signup(client, occ, "Carin", "+46 70 765 43 21")
    assert "number 1 on the waiting list" in third.get_data(as_text=True)
    # Someone waiting is not offered "add to my calendar".
    assert f"/occurrences/{occ.id}.ics" not in third.get_data(as_text=True)
    mine = client.get(link_of(third))
    assert "number 1 on the waiting list" in mine.get_data(as_text=True)
    assert mine.headers["Cache-Control"] == "no-store"


def test_signing_up_twice_gives_a_friendly_answer(client, occ):
    form_signup(client, occ)
    again = form_signup(client, occ, "Amina igen", "0701234567")
    assert again.status_code == 200
    assert again.request.path == f"/occurrences/{occ.id}/signup/sent"
    assert "we have sent the personal link" in again.get_data(as_text=True)
    assert count() == 1


@pytest.mark.parametrize("name,contact,message", [
    ("", "070-123 45 67", "Write a first name"),
    ("Amina", "", "Write a phone number or an e-mail address."),
    ("Amina", "hello", "Write a phone number (e.g."),
    ("A" * 5000, "070-123 45 67", "at most 80 characters"),
    ("Amina", "x" * 5000 + "@example.se", "Write a phone number (e.g."),
])
def test_bad_input_is_explained_beside_the_field_and_nothing_stored(client, occ, name,
                                                                      contact, message):
    response = form_signup(client, occ, name, contact)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and message in body
    if len(name) < 100:
        assert f'value="{name}"' in body
    assert count() == 0
    db.session.refresh(occ)
    assert occ.confirmed_count == 0


def test_honeypot_stores_nothing(client, occ):
    response = form_signup(client, occ, website="http://spam.example")
    assert response.status_code == 200 and count() == 0
    assert response.request.path == f"/occurrences/{occ.id}/signup/sent"


def test_api_signup(client, occ):
    url = f"/api/v1/occurrences/{occ.id}/signups"
    first = client.post(url, json={"name": "Amina", "contact": "amina@example.se",
                                   "language": "ar"})
    assert first.status_code == 201
    body = first.get_json()
    assert body["status"] == "confirmed" and body["position"] is None
    assert "/signups/" in body["cancel_url"] and body["cancel_url"].endswith("/cancel")
    client.post(url, json={"name": "B", "contact": "b@example.se"})
    third = client.post(url, json={"name": "C", "contact": "c@example.se"}).get_json()
    assert third["status"] == "waitlisted" and third["position"] == 1
    bad = client.post(url, json={"name": "", "contact": "nope"})
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"name", "contact"}
    twice = client.post(url, json={"name": "Amina", "contact": "AMINA@example.se"})
    # The same answer as the first, without the link: it is sent to the contact.
    assert twice.status_code == 200
    assert twice.get_json() == {"status": "confirmed", "position": None,
                                "occurrence_id": occ.id, "link_sent": True}
    assert client.post("/api/v1/occurrences/999999/signups",
                       json={"name": "A", "contact": "a@example.se"}).status_code == 404
    assert client.post(url, data="not json").status_code == 400
    assert client.post(url, json={"name": 5, "contact": []}).status_code == 422


def test_cancelled_past_and_drop_in_dates_refuse_sign_ups(client, factories, occ):
    occ.status = "cancelled"
    db.session.commit()
    url = f"/api/v1/occurrences/{occ.id}/signups"
    data = {"name": "Amina", "contact": "amina@example.se"}
    assert client.post(url, json=data).get_json()["error"]["code"] == "cancelled"
    past = db.session.scalars(db.select(Occurrence).where(
        Occurrence.activity_id == occ.activity_id, Occurrence.ends_at < utcnow())).first()
    if past is not None:
        response = client.post(f"/api/v1/occurrences/{past.id}/signups", json=data)
        assert response.status_code == 409 and response.get_json()["error"]["code"] == "past"
    drop_in = factories.activity(title="Språkcafé")
    future = next(o for o in drop_in.occurrences if o.starts_at > utcnow())
    response = client.post(f"/api/v1/occurrences/{future.id}/signups", json=data)
    assert response.status_code == 409
    assert count() == 0


def test_cancel_promotes_the_first_in_the_queue_and_tells_them(client, occ):
    links = []
    for i, name in enumerate(["A", "B", "C", "D"]):
        links.append(link_of(form_signup(client, occ, name, f"{name.lower()}@example.se")))
    assert client.post(links[0] + "/cancel").status_code == 303
    assert "You have a place." in client.get(links[2]).get_data(as_text=True)
    assert "number 1 on the waiting list" in client.get(links[3]).get_data(as_text=True)
    db.session.refresh(occ)
    assert (occ.confirmed_count, occ.waitlist_count) == (2, 1)


def test_participant_deletes_their_own_data(client, occ):
    link = link_of(form_signup(client, occ))
    client.post(link + "/delete")
    row = db.session.scalar(db.select(Signup))
    db.session.refresh(row)
    assert row.name is None and row.contact is None and row.status == "cancelled"
    assert "deleted" in client.get(link).get_data(as_text=True)
    assert client.get("/signups/not-a-token").status_code == 404


def test_organisation_sees_the_list_exports_it_and_both_are_audited(client, factories, occ, auth):
    form_signup(client, occ)
    factories.user(email="a@example.se", organisation=occ.activity.organisation)
    other = factories.organisation(name="Annan förening")
    factories.user(email="b@example.se", organisation=other)
    auth.login("a@example.se")
    page = client.get(f"/manage/occurrences/{occ.id}/signups").get_data(as_text=True)
    assert "Amina" in page and "+46701234567" in page
    exported = client.get(f"/manage/occurrences/{occ.id}/signups.csv")
    text = exported.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel reads UTF-8 only with the mark
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Name", "Contact", "Language", "Status", "Signed up"]
    assert rows[1][:2] == ["Amina", "+46701234567"] and rows[1][3] == "Has a place"
    actions = [e.action for e in db.session.scalars(db.select(AuditEvent))]
    assert actions.count("signups.view") == 1 and actions.count("signups.export") == 1
    auth.logout()
    auth.login("b@example.se")
    assert client.get(f"/manage/occurrences/{occ.id}/signups").status_code == 404
    assert client.get(f"/manage/occurrences/{occ.id}/signups.csv").status_code == 404


def test_more_places_promote_at_once(client, factories, occ, auth):
    for name in "ABCD":
        form_signup(client, occ, name, f"{name.lower()}@example.se")
    factories.user(email="a@example.se", organisation=occ.activity.organisation)
    auth.login("a@example.se")
    response = client.post(f"/manage/occurrences/{occ.id}/signups",
                           data={"form": "capacity", "cap-capacity": "3"})
    assert response.status_code == 303
    db.session.refresh(occ)
    assert (occ.confirmed_count, occ.waitlist_count) == (3, 1)
    client.post(f"/manage/occurrences/{occ.id}/signups",
                data={"form": "attendance", "att-attended": "3"})
    db.session.refresh(occ)
    assert occ.attended_count == 3


def test_purge_across_the_retention_boundary(app, factories):
    activity = factories.activity(title="Läxhjälp", registration_required=True,
                                  default_capacity=1)
    future = [o for o in activity.occurrences if o.starts_at > utcnow()][:3]
    for i, occ in enumerate(future):
        factories.signup(occ, "Amina", f"amina{i}@example.se")
        factories.signup(occ, "Bashir", f"bashir{i}@example.se")
    old, edge, fresh = future
    now = utcnow()
    # Move the dates back in time: 31 and 29 days ago, and yesterday.
    for occ, days in ((old, 31), (edge, 29), (fresh, 1)):
        length = occ.ends_at - occ.starts_at
        occ.ends_at = now - timedelta(days=days)
        occ.starts_at = occ.ends_at - length
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["purge-personal-data"])
    assert "of 2 sign-ups" in result.output
    rows = db.session.scalars(db.select(Signup).order_by(Signup.id)).all()
    erased = [r for r in rows if r.name is None]
    assert {r.occurrence_id for r in erased} == {old.id}
    assert all(r.contact is None and r.contact_key is None for r in erased)
    db.session.refresh(old)
    assert (old.confirmed_count, old.waitlist_count) == (1, 1)
    assert sorted(r.status for r in erased) == ["confirmed", "waitlisted"]
    again = runner.invoke(args=["purge-personal-data"])
    assert "of 0 sign-ups" in again.output


def test_the_export_never_hands_a_spreadsheet_a_formula(client, factories, occ, auth):
    for name, contact in (("=HYPERLINK(\"http://x\")", "=2+3@example.org"),
                          ("+cmd|' /C calc'!A0", "ett@example.se"),
                          ("@SUM(1+1)", "två@example.se"), ("-1+2", "tre@example.se")):
        assert form_signup(client, occ, name, contact).status_code in (200, 422)
    factories.user(email="a@example.se", organisation=occ.activity.organisation)
    auth.login("a@example.se")
    text = client.get(f"/manage/occurrences/{occ.id}/signups.csv").get_data(as_text=True)
    cells = [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
             for cell in row[:2]]
    assert "'=HYPERLINK(\"http://x\")" in cells and "'=2+3@example.org" in cells
    assert "'+cmd|' /C calc'!A0" in cells and "'@SUM(1+1)" in cells and "'-1+2" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
