"""Logging in and out, and the one-time set-password link."""

import re

import pytest

from directory.accounts.services import make_password_token



def test_create_user_prints_a_link_that_sets_the_password_once(app, client, auth):
    result = app.test_cli_runner().invoke(args=["create-user", "ny@example.se",
                                                "--role", "staff"])
    assert result.exit_code == 0, result.output
    path = re.search(r"https?://[^/]+(/account/password/\S+)", result.output).group(1)
    assert client.get(path).status_code == 200
    short = client.post(path, data={"password": "kort", "confirm": "kort"})
    assert short.status_code == 422
    assert "at least 10 characters" in short.get_data(as_text=True)
    common = client.post(path, data={"password": "password123", "confirm": "password123"})
    assert "too common" in common.get_data(as_text=True)
    for guessable in ("qwertyuiop12", "ny@example.se2026", "Samverkan2026!"):
        weak = client.post(path, data={"password": guessable, "confirm": guessable})
        assert weak.status_code == 422
        assert "That password is easy to guess." in weak.get_data(as_text=True), guessable
    differ = client.post(path, data={"password": "ett långt lösenord",
                                     "confirm": "ett annat lösenord"})
    assert "not the same" in differ.get_data(as_text=True)
    ok = client.post(path, data={"password": "ett långt lösenord",
                                 "confirm": "ett långt lösenord"})
    assert ok.status_code == 303
    reused = client.get(path)
    assert reused.status_code == 404
    assert "already been used" in reused.get_data(as_text=True)
    assert auth.login("ny@example.se").status_code == 303


def test_tampered_link_is_refused(client, factories):
    user = factories.user()
    token = make_password_token(user)
    assert client.get(f"/account/password/{token[:-2]}xx").status_code == 404


def test_login_and_logout(client, factories, auth):
    factories.user(email="medlem@example.se")
    response = auth.login("MEDLEM@example.se")
    assert response.status_code == 303 and response.location.endswith("/account")
    home = client.get("/account")
    assert home.status_code == 200 and "medlem@example.se" in home.get_data(as_text=True)
    assert home.headers["Cache-Control"] == "no-store"
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 303
    assert client.get("/account").status_code == 302


def test_same_message_for_unknown_email_and_wrong_password(client, factories, auth):
    factories.user(email="medlem@example.se")
    wrong = auth.login("medlem@example.se", "fel lösenord här")
    unknown = auth.login("ingen@example.se", "fel lösenord här")
    assert wrong.status_code == unknown.status_code == 401
    message = "The e-mail or the password is wrong."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert 'value="medlem@example.se"' in wrong.get_data(as_text=True)


def test_next_goes_only_to_this_site(client, factories, auth):
    factories.user()
    for target, expected in (("/activities?q=x", "/activities?q=x"),
                             ("https://evil.example/", "/account"),
                             ("//evil.example/", "/account"),
                             ("/\\evil.example", "/account")):
        auth.logout()
        response = auth.login("medlem@example.se", next=target)
        assert response.location == expected, target


def test_login_page_is_not_cached_and_asks_for_login_behind_it(client):
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    response = client.get("/account")
    assert response.status_code == 302 and "/login?next=" in response.location


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_ten_failed_logins_per_account_then_429(client, factories, auth):
    factories.user(email="medlem@example.se")
    for i in range(10):
        response = auth.login("medlem@example.se", "fel lösenord här",
                              environ_base={"REMOTE_ADDR": f"10.0.0.{i}"})
        assert response.status_code == 401
    blocked = auth.login("medlem@example.se", environ_base={"REMOTE_ADDR": "10.0.1.1"})
    assert blocked.status_code == 429


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_failed_logins_lock_the_guessed_account_not_the_neighbours(client, factories, auth):
    factories.user(email="medlem@example.se")
    for _ in range(12):  # successes do not count
        assert auth.login("medlem@example.se").status_code == 303
        auth.logout()
    for i in range(10):  # others mistyping on the same Wi-Fi
        assert auth.login(f"ingen{i}@example.se", "fel lösenord här").status_code == 401
    assert auth.login("medlem@example.se").status_code == 303
    auth.logout()
    for _ in range(10):
        assert auth.login("medlem@example.se", "fel lösenord här").status_code == 401
    assert auth.login("medlem@example.se").status_code == 429


def test_session_is_renewed_at_login(client, factories, auth):
    factories.user()
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    auth.login("medlem@example.se")
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert "_user_id" in sess
