"""Freshness with a frozen clock: eleven months after its details were last confirmed an
organisation's owners are asked to confirm them (once); at twelve months it is on the
coordinator's list; unconfirmed at thirteen it leaves every public list, and its owners
are told; confirming, or a coordinator extending it, brings it back. The public page
and the API say when it was last reviewed."""

from datetime import datetime, timedelta, timezone

import pytest
from dateutil.relativedelta import relativedelta

from directory.common.time import utcnow
from directory.extensions import db
from directory.messages.models import Message
from directory.organisations.freshness import check_freshness
from directory.organisations.models import Organisation
from directory.organisations.services import organisations_with_status
from directory.staff.attention import coordinator_attention
from directory.worker import freshness


@pytest.fixture
def channels(app, smtp_server, sms_provider):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port,
                      MAIL_FROM="samverkan@example.se", **sms_provider.settings())
    return smtp_server


@pytest.fixture
def listing(factories):
    """Språkcafé Täby, last confirmed a little over thirteen months ago (a day of the
    month every month has, so month arithmetic is exact), with an activity, an owner who
    reads Arabic, an editor and an owner whose account is closed."""
    base = utcnow() - relativedelta(months=13)
    confirmed = base.replace(day=min(base.day, 28), hour=0, minute=0, second=0,
                             microsecond=0)
    org = factories.organisation(name="Språkcafé Täby", email="info@sprakcafe.se",
                                 confirmed_at=confirmed)
    factories.activity(org, title="Språkcafé på torsdagar")
    owner = factories.user(email="amina@example.se", organisation=org)
    owner.language = "ar"
    factories.user(email="redaktor@example.se", organisation=org, owner=False)
    closed = factories.user(email="stangd@example.se", organisation=org)
    closed.active = False
    factories.user(email="taby@example.se", role="staff", municipality=org.municipality)
    factories.user(email="gbg@example.se", role="staff",
                   municipality=factories.municipality("goteborg"))
    db.session.commit()
    return org, confirmed


def messages():
    return db.session.scalars(db.select(Message).order_by(Message.id)).all()


def public_everywhere(client, org):
    """Whether the organisation and its activity are in each public list."""
    return {
        "organisations": org.name in client.get("/organisations").get_data(as_text=True),
        "page": client.get(f"/organisations/{org.slug}").status_code == 200,
        "api": org.slug in [o["slug"] for o in
                            client.get("/api/v1/organizations").get_json()["contents"]],
        "activities": "Språkcafé på torsdagar" in client.get("/activities").get_data(
            as_text=True),
    }


def test_ten_eleven_twelve_thirteen_months(client, auth, listing, channels):
    org, confirmed = listing
    shown = dict.fromkeys(("organisations", "page", "api", "activities"), True)

    # Ten months: nothing.
    assert check_freshness(confirmed + relativedelta(months=10)) == (0, 0)
    assert messages() == [] and public_everywhere(client, org) == shown

    # Eleven months: the organisation's address and its active owner are asked, each in
    # their language, once.
    asked_at = confirmed + relativedelta(months=11)
    assert freshness(asked_at) == (1, 0)
    assert check_freshness(asked_at + timedelta(days=1)) == (0, 0)
    assert [(m.language, m.kind, m.status) for m in messages()] == [
        ("sv", "organisation.confirm", "sent"), ("ar", "organisation.confirm", "sent")]
    assert [m["To"] for m in channels.messages] == ["info@sprakcafe.se",
                                                    "amina@example.se"]
    assert "/manage/organisations/sprakcafe-taby" in channels.messages[0].get_content()
    assert public_everywhere(client, org) == shown
    assert organisations_with_status("verified", org.municipality_id, asked_at) == []

    # Twelve months: on the coordinator's list (their municipality's only), still public.
    twelve = confirmed + relativedelta(months=12)
    assert check_freshness(twelve) == (0, 0)
    assert [o.name for o in organisations_with_status(
        "verified", org.municipality_id, twelve)] == ["Språkcafé Täby"]
    assert coordinator_attention(org.municipality_id, twelve).stale == 1
    assert public_everywhere(client, org) == shown
    auth.login("taby@example.se")
    stale_list = client.get("/staff/organisations?status=verified&stale=1").get_data(
        as_text=True)
    assert "Språkcafé Täby" in stale_list and "Extend a year" in stale_list
    auth.login("gbg@example.se")
    assert "Språkcafé Täby" not in client.get(
        "/staff/organisations?status=verified&stale=1").get_data(as_text=True)
    client.post("/logout")

    # Thirteen months: gone from every public list, the owners told, once.
    thirteen = confirmed + relativedelta(months=13)
    assert freshness(thirteen) == (0, 1)
    assert check_freshness(thirteen + timedelta(days=1)) == (0, 0)
    assert public_everywhere(client, org) == dict.fromkeys(shown, False)
    assert client.get(f"/api/v1/organizations/{org.uuid}").status_code == 404
    assert [(m.language, m.status) for m in messages()
            if m.kind == "organisation.lapsed"] == [("sv", "sent"), ("ar", "sent")]
    assert [m["To"] for m in channels.messages[2:]] == ["info@sprakcafe.se",
                                                        "amina@example.se"]
    assert "visas inte längre öppet" in channels.messages[2]["Subject"]  # Swedish
    # Still the coordinator's to extend, and the owner sees why.
    auth.login("amina@example.se")
    manage = client.get(f"/manage/organisations/{org.slug}").get_data(as_text=True)
    assert "not shown publicly" in manage and "Our details are still right" in manage
    assert "its details have not been confirmed" in client.get("/account").get_data(
        as_text=True)

    # Confirming brings it back at once, and a new period begins.
    response = client.post(f"/manage/organisations/{org.slug}/confirm")
    assert response.status_code == 303
    assert public_everywhere(client, org) == shown
    db.session.expire_all()
    assert org.confirm_asked_at is None and org.lapsed_at is None
    assert check_freshness(utcnow() + relativedelta(months=10)) == (0, 0)
    assert check_freshness(utcnow() + relativedelta(months=11, days=1)) == (1, 0)


def test_the_coordinator_extends_a_lapsed_listing_by_a_year(client, auth, listing):
    org, confirmed = listing
    check_freshness(confirmed + relativedelta(months=11))
    check_freshness(confirmed + relativedelta(months=13))
    db.session.commit()
    assert client.get(f"/organisations/{org.slug}").status_code == 404
    auth.login("gbg@example.se")  # another municipality's coordinator
    assert client.post(f"/staff/organisations/{org.id}/extend").status_code == 404
    auth.login("taby@example.se")
    response = client.post(f"/staff/organisations/{org.id}/extend", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Språkcafé Täby is listed for another year." in page
    assert client.get(f"/organisations/{org.slug}").status_code == 200
    db.session.expire_all()
    assert org.confirmed_at > utcnow() - timedelta(minutes=1) and org.lapsed_at is None
    audit = client.get("/staff/audit?what=organisations").get_data(as_text=True)
    assert "extended the listing of Språkcafé Täby by a year" in audit


def test_a_pending_listing_cannot_be_extended(client, auth, factories):
    org = factories.organisation(name="Väntande förening", status="pending")
    factories.user(email="lan@example.se", role="staff")
    auth.login("lan@example.se")
    page = client.post(f"/staff/organisations/{org.id}/extend",
                       follow_redirects=True).get_data(as_text=True)
    assert "Only a verified listing can be extended." in page


def test_a_listing_old_before_freshness_began_is_asked_before_it_is_hidden(listing):
    """Thirteen months old the first time the task runs: asked, and hidden only two
    months later."""
    org, confirmed = listing
    first = confirmed + relativedelta(months=20)
    assert check_freshness(first) == (1, 0)
    assert check_freshness(first + relativedelta(months=2) - timedelta(days=1)) == (0, 0)
    assert check_freshness(first + relativedelta(months=2)) == (0, 1)


def test_saving_the_profile_or_a_review_confirms_the_details(client, auth, factories):
    org = factories.organisation(name="Läxhjälpen", confirmed_at=datetime(
        2024, 1, 10, tzinfo=timezone.utc))
    factories.user(email="agare@example.se", organisation=org)
    auth.login("agare@example.se")
    form = {"name": org.name, "kind": "forening", "description": "Läxhjälp för alla.",
            "municipality": org.municipality_id, "languages": ["sv"]}
    assert client.post(f"/manage/organisations/{org.slug}", data=form).status_code == 303
    db.session.expire_all()
    assert org.confirmed_at > utcnow() - timedelta(minutes=1)

    pending = factories.organisation(name="Ny förening", status="pending",
                                     confirmed_at=datetime(2024, 1, 10, tzinfo=timezone.utc))
    factories.user(email="lan@example.se", role="staff")
    auth.login("lan@example.se")
    client.post(f"/staff/organisations/{pending.id}/verified", data={"reason": ""})
    db.session.expire_all()
    assert pending.confirmed_at > utcnow() - timedelta(minutes=1)


@pytest.mark.parametrize("language, expected", [("en", "Reviewed 3 March 2026"),
                                                ("sv", "3 mars 2026")])
def test_the_public_page_and_the_api_say_when_it_was_last_reviewed(client, factories,
                                                                  language, expected):
    # 23:30 UTC on 2 March is already 3 March in Stockholm.
    org = factories.organisation(name="Språkcafé Täby",
                                 confirmed_at=datetime(2026, 3, 2, 23, 30,
                                                       tzinfo=timezone.utc))
    page = client.get(f"/organisations/{org.slug}",
                      headers={"Accept-Language": language}).get_data(as_text=True)
    assert expected in page
    body = client.get(f"/api/v1/organizations/{org.slug}").get_json()
    assert body["last_reviewed"] == "2026-03-03"
    listed = client.get("/api/v1/organizations").get_json()["contents"]
    assert [o["last_reviewed"] for o in listed] == ["2026-03-03"]


def test_an_organisation_registered_today_is_confirmed_today(factories):
    org = factories.organisation(name="Ny förening")
    assert db.session.get(Organisation, org.id).confirmed_at > utcnow() - timedelta(
        minutes=1)
