"""Kept answers served before Flask (common.answers): the same bytes as the page built
anew, in every encoding, for HEAD and 304; per language; never for a logged-in visitor,
a page with a form or a flashed message, nor an answer that sets a cookie."""

import gzip

import brotli
import pytest
from flask import session

from directory.common.time import utcnow
from tests.test_answers import _statements

# Kept answers are kept per minute: start each test well inside one.
pytestmark = pytest.mark.usefixtures("clear_of_a_minute_turn")


def test_a_kept_answer_is_the_same_bytes_as_a_fresh_one_in_every_encoding(client, factories):
    factories.activity(title="Språkcafé")
    plain, asked = _statements(client, "/activities")
    assert plain.status_code == 200 and asked and "Content-Encoding" not in plain.headers
    for encoding, decompress in (("gzip", gzip.decompress), ("br", brotli.decompress)):
        built, asked = _statements(client, "/activities", {"Accept-Encoding": encoding})
        assert asked and built.headers["Content-Encoding"] == encoding
        kept, asked = _statements(client, "/activities", {"Accept-Encoding": encoding})
        assert asked == []  # from the kept answer: no view, no query
        assert kept.data == built.data and kept.headers == built.headers
        assert decompress(kept.data) == plain.data
    again, asked = _statements(client, "/activities")
    assert asked == [] and again.data == plain.data and again.headers == plain.headers


def test_a_304_or_a_head_from_a_kept_answer(client, factories):
    factories.activity(title="Språkcafé")
    page = client.get("/activities")
    head, asked = _statements(client, "/activities", method="HEAD")
    assert asked == [] and head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == str(len(page.data))
    assert head.headers["ETag"] == page.headers["ETag"]
    current, asked = _statements(client, "/activities", {"If-None-Match": page.headers["ETag"]})
    assert asked == [] and current.status_code == 304 and current.data == b""
    assert "Content-Length" not in current.headers and "Content-Type" not in current.headers
    other, _ = _statements(client, "/activities", {"If-None-Match": 'W/"something-else"'})
    assert other.status_code == 200 and other.data == page.data


def test_each_language_is_kept_apart(client, factories):
    factories.activity(title="Läxhjälp")
    for _ in range(2):
        swedish = client.get("/activities", headers={"Accept-Language": "sv-SE,sv;q=0.9"})
        arabic = client.get("/activities", headers={"Accept-Language": "ar"})
        english = client.get("/activities", headers={"Cookie": "lang=en",
                                                     "Accept-Language": "sv"})
        assert 'lang="sv"' in swedish.get_data(as_text=True)
        assert 'lang="ar"' in arabic.get_data(as_text=True)
        assert 'lang="en"' in english.get_data(as_text=True)


def test_a_language_asked_for_is_remembered_by_every_new_visitor(client, factories):
    factories.activity(title="Läxhjälp")
    first = client.get("/activities?lang=en")
    assert "lang=en" in first.headers["Set-Cookie"]
    # The kept answer holds no cookie: a visitor who has it already gets the page...
    kept, asked = _statements(client, "/activities?lang=en", {"Cookie": "lang=en"})
    assert asked == [] and "Set-Cookie" not in kept.headers and kept.data == first.data
    # ...and a new one gets the same page with the cookie set anew.
    client.delete_cookie("lang")
    again = client.get("/activities?lang=en")
    assert "lang=en" in again.headers["Set-Cookie"] and again.data == first.data


def test_an_answer_that_sets_a_cookie_or_the_session_is_never_kept(app, client):
    @app.get("/cookie-test")
    def cookie_test():
        response = app.make_response("a page that sets a cookie " * 40)
        response.set_cookie("seen", "1")
        return response

    @app.get("/session-test")
    def session_test():
        session["seen"] = True
        return "a page that writes the session " * 40

    for path, cookie in (("/cookie-test", "seen=1"), ("/session-test", "session=")):
        for _ in range(2):
            response, _ = _statements(client, path, {"Cookie": ""})
            assert cookie in response.headers["Set-Cookie"]
            client._cookies.clear()


def test_a_logged_in_visitor_or_a_waiting_message_never_gets_a_kept_page(
        client, auth, factories):
    activity = factories.activity(title="Språkcafé")
    kept = client.get("/activities")
    assert client.get("/activities").data == kept.data  # kept for anonymous visitors
    with client.session_transaction() as waiting:
        waiting["_flashes"] = [("message", "Sparat för dig")]
    flashed, asked = _statements(client, "/activities")
    assert asked and "ETag" not in flashed.headers  # built for this visitor
    factories.user(email="medlem@example.se", organisation=activity.organisation)
    auth.login("medlem@example.se")
    mine, asked = _statements(client, "/activities")
    assert asked and "Log out" in mine.get_data(as_text=True) and "ETag" not in mine.headers
    assert mine.headers["Cache-Control"] == "no-store"


def test_a_page_with_a_form_is_never_kept(client, factories):
    activity = factories.activity(registration_required=True)
    occ = next(o for o in activity.occurrences if o.starts_at > utcnow())
    for _ in range(2):
        form, asked = _statements(client, f"/occurrences/{occ.id}/signup")
        assert asked and "ETag" not in form.headers
        client._cookies.clear()
