"""Owners manage their members (remove, change a role, hand over ownership, leave) and
access taken away ends at once: removed members, deactivated accounts and sessions
made before a password change."""

import pytest
from sqlalchemy import select

from directory.accounts.models import User
from directory.accounts.services import (AccountError, deactivate, make_password_token,
                                         reactivate)
from directory.audit.models import AuditEvent
from directory.extensions import db
from directory.organisations.models import Membership
from directory.organisations.members import (change_member_role, remove_member,
                                             transfer_ownership)
from directory.organisations.services import OrganisationError
from tests.conftest import AuthActions

NEW_PASSWORD = "en helt annan mening att minnas"


@pytest.fixture
def org(factories):
    """An organisation with an owner and an editor; both can log in."""
    org = factories.organisation(name="Språkcafé Näsby")
    factories.user(email="owner@example.se", organisation=org, owner=True)
    factories.user(email="editor@example.se", organisation=org, owner=False)
    return org


def membership(org, email):
    return db.session.scalar(select(Membership).join(Membership.user).where(
        Membership.organisation_id == org.id, User.email == email))


def roles(org):
    db.session.expire_all()
    return {m.user.email: m.role for m in db.session.scalars(
        select(Membership).where(Membership.organisation_id == org.id))}


def actions(org):
    return [e.action for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "Organisation",
                                 AuditEvent.object_id == org.id,
                                 AuditEvent.action.like("membership.%"))
        .order_by(AuditEvent.id))]


def browser(app):
    """Another browser, asking for English pages like the `client` fixture."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def member_url(org, m, action):
    return f"/manage/organisations/{org.slug}/members/{m.id}/{action}"


def test_removed_editor_loses_access_and_sessions_on_the_next_request(app, org):
    editor, owner = browser(app), browser(app)
    assert AuthActions(editor).login("editor@example.se").status_code == 303
    assert editor.get(f"/manage/organisations/{org.slug}").status_code == 200
    AuthActions(owner).login("owner@example.se")
    response = owner.post(member_url(org, membership(org, "editor@example.se"), "remove"))
    assert response.status_code == 303
    assert "editor@example.se is no longer a member." in owner.get(
        response.location).get_data(as_text=True)
    # The editor's session cookie is the same; removal ended it: the organisation's pages
    # ask for a login, and logging in again shows no organisation.
    pages = f"/manage/organisations/{org.slug}"
    for page in (pages, pages + "/activities", "/account"):
        assert "/login" in editor.get(page).location
    assert AuthActions(editor).login("editor@example.se").status_code == 303
    assert editor.get(f"/manage/organisations/{org.slug}").status_code == 404
    assert roles(org) == {"owner@example.se": "owner"}
    assert actions(org) == ["membership.remove"]


def test_owner_changes_a_role_and_steps_down_when_another_owner_stays(client, org, auth):
    auth.login("owner@example.se")
    editor = membership(org, "editor@example.se")
    response = client.post(member_url(org, editor, "role"), data={"role": "owner"})
    assert response.status_code == 303
    assert roles(org) == {"owner@example.se": "owner", "editor@example.se": "owner"}
    # Now two owners: the first may step down, and then manages members no more.
    response = client.post(member_url(org, membership(org, "owner@example.se"), "role"),
                           data={"role": "editor"})
    assert response.status_code == 303
    assert response.location.endswith(f"/manage/organisations/{org.slug}")
    assert roles(org) == {"owner@example.se": "editor", "editor@example.se": "owner"}
    assert client.get(f"/manage/organisations/{org.slug}/members").status_code == 404
    assert actions(org) == ["membership.role", "membership.role"]
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.before == {"role": "owner"} and event.after == {
        "role": "editor", "about": {"organisation": org.name}}  # named in the log


def test_unknown_role_is_answered_beside_the_member(client, org, auth):
    auth.login("owner@example.se")
    editor = membership(org, "editor@example.se")
    response = client.post(member_url(org, editor, "role"), data={"role": "admin"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f'id="member-{editor.id}-error"' in body and "Unknown role." in body
    assert roles(org)["editor@example.se"] == "editor"


def test_transfer_ownership_then_the_old_owner_leaves(client, org, auth):
    auth.login("owner@example.se")
    response = client.post(member_url(org, membership(org, "editor@example.se"),
                                      "transfer"))
    assert response.status_code == 303
    assert roles(org) == {"owner@example.se": "editor", "editor@example.se": "owner"}
    page = client.get(response.location).get_data(as_text=True)
    assert "editor@example.se is now an owner." in page
    assert "You are now an editor of Språkcafé Näsby." in page
    response = client.post(f"/manage/organisations/{org.slug}/leave")
    assert response.status_code == 303 and response.location.endswith("/account")
    assert roles(org) == {"editor@example.se": "owner"}
    assert client.get(f"/manage/organisations/{org.slug}").status_code == 404
    assert actions(org) == ["membership.transfer", "membership.leave"]


def test_the_last_owner_is_never_removed_demoted_or_gone(client, org, auth):
    auth.login("owner@example.se")
    mine = membership(org, "owner@example.se")
    for url, data in ((member_url(org, mine, "role"), {"role": "editor"}),
                      (member_url(org, mine, "remove"), {}),
                      (f"/manage/organisations/{org.slug}/leave", {})):
        response = client.post(url, data=data)
        assert response.status_code == 422, url
        body = response.get_data(as_text=True)
        assert "owner@example.se is the last owner. Make another member owner first." in body
        assert f'id="member-{mine.id}-error"' in body
    # Handing over to oneself is no hand-over.
    assert client.post(member_url(org, mine, "transfer")).status_code == 422
    assert roles(org) == {"owner@example.se": "owner", "editor@example.se": "editor"}
    assert actions(org) == []


def test_a_member_leaves(client, org, auth):
    auth.login("editor@example.se")
    response = client.post(f"/manage/organisations/{org.slug}/leave")
    assert response.status_code == 303
    assert "You are no longer a member of Språkcafé Näsby." in client.get(
        "/account").get_data(as_text=True)
    assert roles(org) == {"owner@example.se": "owner"}
    assert client.post(f"/manage/organisations/{org.slug}/leave").status_code == 404


def test_editors_and_other_organisations_cannot_touch_the_members(client, factories, org, auth):
    other = factories.organisation(name="Läxhjälp Tibble")
    factories.user(email="other@example.se", organisation=other, owner=True)
    theirs = membership(other, "other@example.se")
    editor = membership(org, "editor@example.se")
    owner = membership(org, "owner@example.se")
    auth.login("other@example.se")
    for action in ("remove", "role", "transfer"):
        assert client.post(member_url(org, editor, action),
                           data={"role": "owner"}).status_code == 404
    assert client.post(f"/manage/organisations/{org.slug}/leave").status_code == 404
    auth.logout()
    auth.login("owner@example.se")
    # Another organisation's member through this organisation's address, an unknown id.
    assert client.post(member_url(org, theirs, "remove")).status_code == 404
    assert client.post(f"/manage/organisations/{org.slug}/members/99999/role",
                       data={"role": "owner"}).status_code == 404
    auth.logout()
    auth.login("editor@example.se")
    assert client.post(member_url(org, owner, "remove")).status_code == 404
    assert client.post(member_url(org, editor, "role"),
                       data={"role": "owner"}).status_code == 404
    assert roles(org) == {"owner@example.se": "owner", "editor@example.se": "editor"}
    assert roles(other) == {"other@example.se": "owner"}


def test_a_coordinator_manages_members(client, factories, org, auth):
    factories.user(email="staff@example.se", role="staff")
    auth.login("staff@example.se")
    editor = membership(org, "editor@example.se")
    assert client.post(member_url(org, editor, "transfer")).status_code == 303
    assert roles(org) == {"owner@example.se": "owner", "editor@example.se": "owner"}
    assert client.post(member_url(org, membership(org, "owner@example.se"),
                                  "remove")).status_code == 303
    assert client.post(member_url(org, membership(org, "editor@example.se"),
                                  "remove")).status_code == 422
    assert roles(org) == {"editor@example.se": "owner"}
    assert client.post(f"/manage/organisations/{org.slug}/leave").status_code == 404


def test_member_services_without_http(org):
    owner = db.session.scalar(select(User).filter_by(email="owner@example.se"))
    with pytest.raises(OrganisationError) as error:
        change_member_role(org, membership(org, "editor@example.se"), "chief", owner)
    assert error.value.field == "role"
    with pytest.raises(OrganisationError) as error:
        remove_member(org, membership(org, "owner@example.se"), owner)
    assert error.value.field == "member"
    db.session.rollback()
    transfer_ownership(org, membership(org, "editor@example.se"), owner)
    db.session.commit()
    assert roles(org) == {"owner@example.se": "editor", "editor@example.se": "owner"}


# ------------------------------------------------------------------ sessions

def test_deactivated_account_is_logged_out_and_cannot_log_in(client, org, auth):
    assert auth.login("editor@example.se").status_code == 303
    assert client.get("/account").status_code == 200
    staff = User(email="staff@example.se", role="staff")
    db.session.add(staff)
    editor = db.session.scalar(select(User).filter_by(email="editor@example.se"))
    deactivate(editor, staff)
    db.session.commit()
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.location
    assert client.get(f"/manage/organisations/{org.slug}").status_code == 302
    assert auth.login("editor@example.se").status_code == 401
    event = db.session.scalars(select(AuditEvent).filter_by(
        action="account.deactivate")).one()
    assert event.user_id == staff.id and event.object_id == editor.id
    with pytest.raises(AccountError):
        deactivate(editor, staff)
    with pytest.raises(AccountError):
        deactivate(staff, staff)
    # Reactivated, it logs in again.
    reactivate(editor, staff)
    db.session.commit()
    assert auth.login("editor@example.se").status_code == 303
    assert client.get("/account").status_code == 200


def test_an_old_cookie_stops_working_after_deactivation_even_when_reactivated(app, org):
    first = browser(app)
    AuthActions(first).login("editor@example.se")
    editor = db.session.scalar(select(User).filter_by(email="editor@example.se"))
    deactivate(editor, None)
    reactivate(editor, None)
    db.session.commit()
    assert first.get("/account").status_code == 302


def test_password_change_ends_other_sessions_but_keeps_this_one(app, org):
    here, elsewhere = browser(app), browser(app)
    assert AuthActions(here).login("editor@example.se").status_code == 303
    assert AuthActions(elsewhere).login("editor@example.se").status_code == 303
    editor = db.session.scalar(select(User).filter_by(email="editor@example.se"))
    path = f"/account/password/{make_password_token(editor)}"
    response = here.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303 and response.location.endswith("/account")
    assert here.get("/account").status_code == 200
    assert here.get(f"/manage/organisations/{org.slug}").status_code == 200
    response = elsewhere.get("/account")
    assert response.status_code == 302 and "/login" in response.location
    assert AuthActions(elsewhere).login("editor@example.se").status_code == 401
    assert AuthActions(elsewhere).login("editor@example.se", NEW_PASSWORD).status_code == 303
    assert elsewhere.get("/account").status_code == 200


def test_a_password_set_by_link_while_logged_out_ends_every_session(app, org):
    first, link_user = browser(app), browser(app)
    AuthActions(first).login("owner@example.se")
    owner = db.session.scalar(select(User).filter_by(email="owner@example.se"))
    path = f"/account/password/{make_password_token(owner)}"
    response = link_user.post(path, data={"password": NEW_PASSWORD,
                                          "confirm": NEW_PASSWORD})
    assert response.status_code == 303 and response.location.endswith("/login")
    assert first.get("/account").status_code == 302


def test_a_cookie_from_before_the_stamp_or_with_a_forged_one_is_no_session(app, org):
    client = browser(app)
    AuthActions(client).login("owner@example.se")
    owner = db.session.scalar(select(User).filter_by(email="owner@example.se"))
    with client.session_transaction() as sess:
        assert sess["_user_id"] == f"{owner.id}:{owner.session_stamp}"
        sess["_user_id"] = str(owner.id)  # what sessions held before stamps
    assert client.get("/account").status_code == 302
    with client.session_transaction() as sess:
        sess["_user_id"] = f"{owner.id}:{'0' * 32}"
    assert client.get("/account").status_code == 302


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_the_members_page_forms_carry_their_token(client, org, auth):
    import re
    auth.login("owner@example.se")
    editor = membership(org, "editor@example.se")
    page = client.get(f"/manage/organisations/{org.slug}/members").get_data(as_text=True)
    form = re.search(r'action="([^"]*/members/%d/role)"[^>]*>\s*<input type="hidden" '
                     r'name="csrf_token" value="([^"]+)"' % editor.id, page)
    assert client.post(form.group(1), data={"role": "owner"}).status_code == 400
    assert client.post(form.group(1), data={"role": "owner",
                                            "csrf_token": form.group(2)}).status_code == 303
    assert roles(org)["editor@example.se"] == "owner"


def test_migration_gives_every_existing_account_its_own_stamp(tmp_path, worker_id):
    import os

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import create_engine, text

    from directory import create_app
    from directory.config import database_uri
    from tests.conftest import config_for_tests
    url = os.environ.get("DATABASE_URL")
    if url:
        name = f"samverkan_stamp_migration_{worker_id}"
        admin = create_engine(database_uri(url), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        uri = database_uri(url).rsplit("/", 1)[0] + "/" + name
    else:
        uri = "sqlite:///" + str(tmp_path / "before-stamps.sqlite")
    app = create_app(config_for_tests(uri))
    with app.app_context():
        upgrade(revision="0006")
        with db.engine.begin() as conn:
            for email in ("a@example.se", "b@example.se"):
                conn.execute(text(
                    "INSERT INTO \"user\" (email, name, role, active, created_at) "
                    "VALUES (:email, '', 'member', :active, :now)"),
                    {"email": email, "active": True, "now": "2026-01-01 00:00:00"})
        upgrade()
        with db.engine.connect() as conn:
            stamps = conn.execute(text('SELECT session_stamp FROM "user"')).scalars().all()
        assert len(stamps) == 2 and len(set(stamps)) == 2
        assert all(len(s) == 32 for s in stamps)
        downgrade(revision="0006")
        with db.engine.connect() as conn:
            assert conn.execute(text('SELECT count(*) FROM "user"')).scalar() == 2
        db.session.remove()
        db.engine.dispose()
