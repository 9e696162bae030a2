"""Answers before work: public GETs carry an ETag from the data version and answer 304
or from the cache without running the view; a change is seen by the next request to
any process; nothing personal or with a form is ever served from the cache."""

from datetime import timedelta

import pytest
import requests

from directory.activities.models import Activity
from directory.common.caching import data_version
from directory.common.time import utcnow
from directory.extensions import db

# Kept answers are kept per minute: start each test well inside one.
pytestmark = pytest.mark.usefixtures("clear_of_a_minute_turn")


def test_a_public_page_answers_304_until_its_data_change(client, factories):
    activity = factories.activity(title="Språkcafé")
    first = client.get("/activities")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and "Språkcafé" in first.get_data(as_text=True)
    again = client.get("/activities", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    api = client.get("/api/v1/occurrences")
    assert client.get("/api/v1/occurrences", headers={
        "If-None-Match": api.headers["ETag"]}).status_code == 304
    before = data_version()
    activity.title = "Språkcafé för alla"
    db.session.commit()
    assert data_version() > before  # the database bumped it in the same transaction
    changed = client.get("/activities", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "Språkcafé för alla" in changed.get_data(as_text=True)


def test_a_sign_up_changes_the_places_left_at_once(client, factories):
    activity = factories.activity(registration_required=True, default_capacity=3)
    occ = next(o for o in activity.occurrences if o.starts_at > utcnow() + timedelta(days=1))
    page = client.get(f"/occurrences/{occ.id}")
    assert "3 places left" in page.get_data(as_text=True)
    assert "ETag" in page.headers  # a date's page holds no form: it is kept
    factories.signup(occ, "Amina", "amina@example.se")
    assert "2 places left" in client.get(f"/occurrences/{occ.id}").get_data(as_text=True)


def test_the_language_is_part_of_the_answer(client, factories):
    factories.activity(title="Läxhjälp")
    english = client.get("/activities?lang=en")
    swedish = client.get("/activities?lang=sv")
    assert english.headers["ETag"] != swedish.headers["ETag"]
    assert 'lang="sv"' in client.get("/activities", headers={
        "Cookie": "lang=sv", "Accept-Language": "sv"}).get_data(as_text=True)
    assert "Accept-Language" in english.headers["Vary"]


def test_logged_in_pages_forms_and_flashes_are_never_cached(client, auth, factories):
    activity = factories.activity(registration_required=True)
    occ = next(o for o in activity.occurrences if o.starts_at > utcnow())
    form = client.get(f"/occurrences/{occ.id}/signup")
    assert "ETag" not in form.headers  # it holds a CSRF token
    with client.session_transaction() as session:  # a message waits to be shown
        session["_flashes"] = [("message", "Sparat för dig")]
    assert "ETag" not in client.get("/activities").headers
    factories.user(email="medlem@example.se", organisation=activity.organisation)
    auth.login("medlem@example.se")
    mine = client.get("/activities")
    assert "ETag" not in mine.headers
    assert "Log out" in mine.get_data(as_text=True)


def test_a_change_in_one_process_is_seen_by_the_next_request_to_another(
        app, factories, server_processes):
    activity = factories.activity(title="Språkcafé")
    first, second = server_processes(2)
    for base in (first, second):  # both keep the page in their own cache
        for _ in range(2):
            assert "Språkcafé" in requests.get(base + "/activities", timeout=30).text
    activity = db.session.get(Activity, activity.id)
    activity.title = "Stickcafé"
    db.session.commit()
    for base in (second, first):
        assert "Stickcafé" in requests.get(base + "/activities", timeout=30).text


def test_a_client_that_always_revalidates_is_answered_from_the_first_304(client, factories):
    from directory.common.caching import cache
    org = factories.activity(title="Läxhjälp").organisation
    path = f"/organisations/{org.slug}/calendar.ics"
    etag = client.get(path).headers["ETag"]
    cache.clear()  # as another process, which never built the feed nor read its validators
    client.application.extensions.pop("remembered")
    first, asked = _statements(client, path, {"If-None-Match": etag})
    assert first.status_code == 304 and asked  # the view answered, before any build
    again, asked = _statements(client, path, {"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert asked == []  # answered before Flask: the data version has its own connection
    assert again.headers == first.headers


def _statements(client, path, headers=None, method="GET"):
    """The answer to a request, and what it asked of the app: Flask's start of it and
    the SQL statements run through SQLAlchemy (nothing when it was answered before
    Flask, from a kept answer; statements run past SQLAlchemy, common.db.driver_rows,
    are not seen, so Flask's start is)."""
    from flask import request_started
    from sqlalchemy import event
    seen = []
    note = lambda *args: seen.append(args[2])  # noqa: E731
    started = lambda *args, **extra: seen.append("request started")  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", note)
    request_started.connect(started, client.application)
    try:
        response = client.open(path, method=method, headers=headers or {})
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
        request_started.disconnect(started, client.application)
    return response, seen
