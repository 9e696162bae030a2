"""Owners and coordinators invite members; password links by e-mail or by hand."""

import re
from datetime import timedelta

import pytest

from directory.accounts.models import User
from directory.common.time import utcnow
from directory.extensions import db
from directory.messages.delivery import deliver_due
from tests.conftest import free_port

LINK = re.compile(r"https?://[^/\s]+(/account/password/[^\s<\"]+)")


def test_owner_invites_without_mail_and_the_link_works_once(client, factories, auth):
    org = factories.organisation(name="Kvinnor tillsammans")
    factories.user(email="owner@example.se", organisation=org, owner=True)
    auth.login("owner@example.se")
    page = client.post(f"/manage/organisations/{org.slug}/members",
                       data={"email": "ny@example.se", "role": "editor"})
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "It works once, for 48 hours" in body
    path = LINK.search(body).group(1)
    auth.logout()
    client.post(path, data={"password": "ett långt lösenord",
                            "confirm": "ett långt lösenord"})
    assert client.get(path).status_code == 404
    auth.login("ny@example.se")
    assert client.get(f"/manage/organisations/{org.slug}").status_code == 200
    # An editor may edit but not invite.
    assert client.get(f"/manage/organisations/{org.slug}/members").status_code == 404


def invite_by_mail(app, client, factories, smtp_server, auth, organisation_name):
    """An owner of `organisation_name` invites syster@example.se with mail set up; the
    one message that arrived."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    org = factories.organisation(name=organisation_name)
    factories.user(email="owner@example.se", organisation=org)
    auth.login("owner@example.se")
    response = client.post(f"/manage/organisations/{org.slug}/members",
                           data={"email": "syster@example.se", "role": "owner"})
    assert response.status_code == 303
    assert smtp_server.messages == []  # written in the request, sent by the worker
    deliver_due()
    [message] = smtp_server.messages
    return message


def test_invitation_is_mailed_when_mail_is_set_up(app, client, factories, smtp_server, auth):
    message = invite_by_mail(app, client, factories, smtp_server, auth, "Systrar i Gårdsten")
    assert message["To"] == "syster@example.se"
    path = LINK.search(message.get_content()).group(1)
    auth.logout()
    assert client.get(path).status_code == 200


def test_password_reset_by_mail_never_says_whether_the_account_exists(app, client, factories,
                                                                      smtp_server, auth):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    factories.user(email="medlem@example.se")
    known = client.post("/account/reset", data={"email": "medlem@example.se"},
                        follow_redirects=True).get_data(as_text=True)
    unknown = client.post("/account/reset", data={"email": "ingen@example.se"},
                          follow_redirects=True).get_data(as_text=True)
    assert "a link is on its way" in known and "a link is on its way" in unknown
    deliver_due()
    [message] = smtp_server.messages
    path = LINK.search(message.get_content()).group(1)
    client.post(path, data={"password": "ett nytt långt lösenord",
                            "confirm": "ett nytt långt lösenord"})
    assert auth.login("medlem@example.se", "ett nytt långt lösenord").status_code == 303


def test_a_mail_server_that_is_down_delays_the_invitation(app, client, factories, auth,
                                                          smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    org = factories.organisation()
    factories.user(email="owner@example.se", organisation=org)
    auth.login("owner@example.se")
    answer = client.post(f"/manage/organisations/{org.slug}/members",
                         data={"email": "ny@example.se", "role": "editor"},
                         follow_redirects=True)
    assert "The invitation is sent by e-mail." in answer.get_data(as_text=True)
    assert deliver_due().retrying == 1
    app.config.update(MAIL_PORT=smtp_server.port)
    assert deliver_due(now=utcnow() + timedelta(minutes=2)).sent == 1
    [message] = smtp_server.messages
    assert message["To"] == "ny@example.se" and LINK.search(message.get_content())


def test_mail_not_set_up_shows_the_link_instead(client, factories, auth):
    org = factories.organisation()
    factories.user(email="owner@example.se", organisation=org)
    auth.login("owner@example.se")
    body = client.post(f"/manage/organisations/{org.slug}/members",
                       data={"email": "ny@example.se", "role": "editor"}
                       ).get_data(as_text=True)
    assert LINK.search(body)


def test_coordinator_makes_a_password_link(client, factories, auth):
    factories.user(email="staff@example.se", role="staff")
    member = factories.user(email="glomsk@example.se")
    auth.login("staff@example.se")
    body = client.post(f"/staff/users/{member.id}/password-link").get_data(as_text=True)
    assert "glomsk@example.se" in body and LINK.search(body)


@pytest.mark.parametrize("email,message", [("", "Write an e-mail address."),
                                           ("inte-en-adress", "not an e-mail address")])
def test_bad_invitation_input(client, factories, email, message, auth):
    org = factories.organisation()
    factories.user(email="owner@example.se", organisation=org)
    auth.login("owner@example.se")
    response = client.post(f"/manage/organisations/{org.slug}/members",
                           data={"email": email, "role": "editor"})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1


def test_a_line_break_in_the_organisations_name_never_breaks_the_mail(app, client, factories,
                                                                       smtp_server, auth):
    message = invite_by_mail(app, client, factories, smtp_server, auth,
                             "Systrar i\r\nGårdsten\nBcc: alla@example.se")
    assert message["Bcc"] is None and message["To"] == "syster@example.se"
    assert "\n" not in message["Subject"]
