"""A coordinator limited to a municipality cannot take over a wider account: no password
link for the county-wide coordinator, a partner, another municipality's coordinator or a
member of another municipality's organisation; the accounts page lists only their own."""

import re

from directory.accounts.models import User
from directory.audit.models import AuditEvent
from directory.extensions import db
from tests.conftest import AuthActions


def test_a_municipal_coordinator_cannot_make_a_link_for_a_wider_account(client, factories, auth):
    taby = factories.municipality("taby")
    goteborg = factories.municipality("goteborg")
    county = factories.user(email="lan@example.se", role="staff")
    local = factories.user(email="taby@example.se", role="staff", municipality=taby)
    other_local = factories.user(email="gbg@example.se", role="staff", municipality=goteborg)
    partner = factories.user(email="partner@example.se", role="partner")
    taby_member = factories.user(email="medlem@taby.example.se",
                                 organisation=factories.organisation(municipality=taby))
    gbg_member = factories.user(email="medlem@gbg.example.se",
                                organisation=factories.organisation(
                                    name="Angered IK", municipality=goteborg))
    db.session.commit()
    auth.login("taby@example.se")
    page = client.get("/staff/users").get_data(as_text=True)
    listed = set(re.findall(r"<td>([^<]+@[^<]+)</td>", page))
    assert listed == {"taby@example.se", "medlem@taby.example.se"}
    for account in (county, other_local, partner, gbg_member):
        answer = client.post(f"/staff/users/{account.id}/password-link")
        assert answer.status_code == 404, account.email
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "user.password_link")) == 0
    answer = client.post(f"/staff/users/{taby_member.id}/password-link")
    assert answer.status_code == 200 and "/account/password/" in answer.get_data(as_text=True)
    # The county-wide coordinator reaches every account.
    auth.logout()
    auth.login("lan@example.se")
    for account in (local, other_local, partner, gbg_member):
        assert client.post(f"/staff/users/{account.id}/password-link").status_code == 200
    assert db.session.get(User, county.id).role == "staff"


def test_a_municipal_coordinator_sees_and_decides_only_their_own_room_requests(client,
                                                                               factories, auth):
    from datetime import timedelta

    from directory.bookings.models import RoomBooking
    from directory.common.time import utcnow
    taby, goteborg = factories.municipality("taby"), factories.municipality("goteborg")
    kemistvagen = factories.venue(municipality=taby)
    angered = factories.venue(name="Angereds mötesplats", slug="angered",
                              municipality=goteborg, rooms=[("Samlingssalen", 60)])
    org = factories.organisation(name="Läxhjälpen")
    start = utcnow().replace(microsecond=0) + timedelta(days=5)
    here = factories.booking(kemistvagen.rooms[0], org, starts_at=start,
                             ends_at=start + timedelta(hours=1), purpose="Läxhjälp i Täby")
    there = factories.booking(angered.rooms[0], org, starts_at=start,
                              ends_at=start + timedelta(hours=1),
                              purpose="Läxhjälp i Angered")
    local = factories.user(email="taby@example.se", role="staff", municipality=taby)
    db.session.commit()
    auth.login("taby@example.se")
    queue = client.get("/staff/bookings").get_data(as_text=True)
    assert "Läxhjälp i Täby" in queue and "Läxhjälp i Angered" not in queue
    assert client.post(f"/staff/bookings/{there.id}/approve",
                       data={"reason": ""}).status_code == 404
    assert db.session.get(RoomBooking, there.id).status == "pending"
    assert client.post(f"/staff/bookings/{here.id}/approve",
                       data={"reason": ""}).status_code == 303


def test_a_municipal_coordinator_reads_their_own_part_of_the_audit_log(client, factories, auth):
    from directory.audit.services import record
    taby, goteborg = factories.municipality("taby"), factories.municipality("goteborg")
    local = factories.user(email="taby@example.se", role="staff", municipality=taby)
    colleague = factories.user(email="kollega@taby.example.se", role="staff", municipality=taby)
    far = factories.user(email="gbg@example.se", role="staff", municipality=goteborg)
    county = factories.user(email="lan@example.se", role="staff")
    org = factories.organisation(municipality=taby)
    record(colleague, "organisation.verified", org, "Täby-beslutet")
    record(far, "organisation.verified", org, "Göteborgs-beslutet")
    record(county, "partner.create", org, "Länets-beslutet")
    db.session.commit()
    auth.login("taby@example.se")
    page = client.get("/staff/audit").get_data(as_text=True)
    assert "Täby-beslutet" in page
    assert "Göteborgs-beslutet" not in page and "Länets-beslutet" not in page
    assert "gbg@example.se" not in page and "lan@example.se" not in page
    assert "Focus areas and target groups" not in client.get("/account").get_data(
        as_text=True)


def test_deactivating_an_account_in_scope_ends_its_sessions(app, client, factories, auth):
    taby = factories.municipality("taby")
    org = factories.organisation(municipality=taby)
    member = factories.user(email="medlem@taby.example.se", organisation=org)
    county = factories.user(email="lan@example.se", role="staff")
    local = factories.user(email="taby@example.se", role="staff", municipality=taby)
    db.session.commit()
    member_browser = app.test_client()
    AuthActions(member_browser).login("medlem@taby.example.se")
    assert member_browser.get("/account").status_code == 200
    auth.login("taby@example.se")
    assert client.post(f"/staff/users/{county.id}/deactivate").status_code == 404
    assert client.post(f"/staff/users/{member.id}/deactivate").status_code == 303
    assert member_browser.get("/account").status_code == 302  # logged out at once
    assert AuthActions(member_browser).login("medlem@taby.example.se").status_code != 303
    client.post(f"/staff/users/{member.id}/reactivate")
    assert AuthActions(member_browser).login("medlem@taby.example.se").status_code == 303


def test_log_out_everywhere_else_keeps_this_browser(app, client, factories, auth):
    factories.user(email="a@example.se", organisation=factories.organisation())
    other = app.test_client()
    AuthActions(other).login("a@example.se")
    auth.login("a@example.se")
    assert client.post("/account/sessions/end").status_code == 303
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
