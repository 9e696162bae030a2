"""A coordinator limited to a municipality cannot take over a wider account: no password
link for the county-wide coordinator, a partner, another municipality's coordinator or a
member of another municipality's organisation; the accounts page lists only their own."""

import re

from directory.accounts.models import User
from directory.audit.models import AuditEvent
from directory.extensions import db
from tests.conftest import login


def test_a_municipal_coordinator_cannot_make_a_link_for_a_wider_account(client, factories):
    taby = factories.municipality("taby")
    goteborg = factories.municipality("goteborg")
    county = factories.user(email="lan@example.se", role="staff")
    local = factories.user(email="taby@example.se", role="staff")
    local.municipality_id = taby.id
    other_local = factories.user(email="gbg@example.se", role="staff")
    other_local.municipality_id = goteborg.id
    partner = factories.user(email="partner@example.se", role="partner")
    taby_member = factories.user(email="medlem@taby.example.se",
                                 organisation=factories.organisation(municipality=taby))
    gbg_member = factories.user(email="medlem@gbg.example.se",
                                organisation=factories.organisation(
                                    name="Angered IK", municipality=goteborg))
    db.session.commit()
    login(client, "taby@example.se")
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
    client.post("/logout")
    login(client, "lan@example.se")
    for account in (local, other_local, partner, gbg_member):
        assert client.post(f"/staff/users/{account.id}/password-link").status_code == 200
    assert db.session.get(User, county.id).role == "staff"
