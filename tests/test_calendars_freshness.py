"""A feed's ETag and Last-Modified follow what it shows, and are known before it is
built: a current copy answers 304 without the calendar being written; archiving the
organisation, ending a series, renaming a room changes them."""

from datetime import time, timedelta

import icalendar
import pytest
from sqlalchemy import event

from directory.activities.editing import end_activity
from directory.common.time import local_today, utcnow
from directory.extensions import db
from directory.organisations.services import decide
from directory.venues.management import ROOM_FIELDS, save_room


@pytest.fixture
def world(factories):
    org = factories.organisation(name="Läxhjälpen Gårdsten")
    venue = factories.venue()
    series = factories.activity(org, title="Läxhjälp", room=venue.rooms[0],
                                starts_on=local_today() - timedelta(days=20),
                                until=local_today() + timedelta(days=200))
    staff = factories.user("samordnare@example.se", role="staff")
    # Everything was written a while ago, so a change now is a later second.
    earlier = utcnow() - timedelta(minutes=5)
    for row in [org, venue, series, *series.occurrences]:
        row.updated_at = earlier
    series.parts_changed_at = earlier
    db.session.commit()
    return {"org": org, "venue": venue, "series": series, "staff": staff}


def paths(world):
    return [f"/organisations/{world['org'].slug}/calendar.ics",
            f"/venues/{world['venue'].slug}/calendar.ics",
            f"/activities/{world['series'].id}/calendar.ics",
            "/activities/calendar.ics?q=läxhjälp"]


def validators(response):
    return {"If-None-Match": response.headers["ETag"],
            "If-Modified-Since": response.headers["Last-Modified"]}


def statements_of(request):
    """The SQL statements the app runs to answer `request()`."""
    seen = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)
    event.listen(db.engine, "before_cursor_execute", note)
    try:
        response = request()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return response, seen


def test_a_current_copy_is_answered_304_without_building(client, world):
    first = {path: client.get(path) for path in paths(world)}
    for path, response in first.items():
        assert response.status_code == 200, path
        assert "BEGIN:VEVENT" in response.get_data(as_text=True), path
    for path, response in first.items():
        _, built = statements_of(lambda: client.get(path))
        for headers in (validators(response),
                        {"If-None-Match": response.headers["ETag"]},
                        {"If-Modified-Since": response.headers["Last-Modified"]}):
            again, asked = statements_of(lambda: client.get(path, headers=headers))
            assert again.status_code == 304, (path, headers)
            assert again.data == b""
            assert again.headers["ETag"] == response.headers["ETag"]
            # Answered from the data version (common.caching) or the validators' few
            # counts, before any row of the feed is read.
            assert len(asked) <= min(len(built), 5), (path, len(asked), len(built))


def _changes_with(client, world, change):
    before = {path: client.get(path) for path in paths(world)}
    change()
    db.session.commit()
    return {path: (response, client.get(path, headers=validators(response)))
            for path, response in before.items()}


def test_archiving_the_organisation_changes_its_feeds(client, world):
    answers = _changes_with(client, world, lambda: decide(
        world["org"], "archived", "Slutat", world["staff"]))
    org_path, venue_path, activity_path, search_path = paths(world)
    assert answers[org_path][1].status_code == 404
    assert answers[activity_path][1].status_code == 404
    for path in (venue_path, search_path):
        before, after = answers[path]
        assert after.status_code == 200, path
        assert "Läxhjälp" in before.get_data(as_text=True)
        assert "Läxhjälp" not in after.get_data(as_text=True)
        assert after.headers["ETag"] != before.headers["ETag"]
        assert after.last_modified > before.last_modified
        # The new validators are current in turn.
        assert client.get(path, headers=validators(after)).status_code == 304


def test_ending_the_series_changes_its_feeds(client, world):
    answers = _changes_with(client, world, lambda: end_activity(
        world["series"], world["staff"]))
    for path, (before, after) in answers.items():
        assert after.status_code == 200, path
        assert after.headers["ETag"] != before.headers["ETag"], path
        assert after.last_modified > before.last_modified, path
        cal = icalendar.Calendar.from_ical(after.data)
        rules = [e["RRULE"] for e in cal.walk("VEVENT") if "RRULE" in e]
        assert rules and all("UNTIL" in r for r in rules), path


@pytest.mark.parametrize("change", ["rename-room", "cancel-date", "move-date"])
def test_what_a_date_shows_changes_the_validators(client, world, change):
    series, venue = world["series"], world["venue"]
    coming = [o for o in series.occurrences if o.starts_at > utcnow() + timedelta(days=3)]

    def act():
        if change == "rename-room":
            room = venue.rooms[0]
            data = {name: getattr(room, name) for name in ROOM_FIELDS}
            save_room(venue, {**data, "name": "Lilla salen"}, world["staff"], room)
        elif change == "cancel-date":
            coming[0].cancel("Sjuk")
        else:
            coming[1].move(coming[1].starts_at + timedelta(hours=1),
                           coming[1].ends_at + timedelta(hours=1))
    answers = _changes_with(client, world, act)
    for path, (before, after) in answers.items():
        assert after.status_code == 200, (change, path)
        assert after.data != before.data, (change, path)
        assert after.headers["ETag"] != before.headers["ETag"], (change, path)


def test_a_partner_feed_answers_304_and_changes_with_its_content(client, world, factories):
    partner = factories.partner()
    _, token = factories.feed(partner, filters={"org": [world["org"].slug]})
    path = f"/feeds/{token}.ics"
    first = client.get(path)
    assert first.status_code == 200 and "Läxhjälp" in first.get_data(as_text=True)
    assert first.headers["Cache-Control"].startswith("private")
    assert client.get(path, headers=validators(first)).status_code == 304
    decide(world["org"], "archived", "Slutat", world["staff"])
    db.session.commit()
    after = client.get(path, headers=validators(first))
    assert after.status_code == 200 and "Läxhjälp" not in after.get_data(as_text=True)


def test_the_language_is_part_of_the_validator(client, world):
    path = paths(world)[0]
    swedish = client.get(path + "?lang=sv")
    arabic = client.get(path + "?lang=ar", headers={"If-None-Match": swedish.headers["ETag"]})
    assert arabic.status_code == 200
    assert arabic.headers["ETag"] != swedish.headers["ETag"]


def test_an_ended_series_has_no_dates_after_its_end_in_the_rule(app, factories):
    from directory.activities.editing import ended_schedule_until
    series = factories.activity(starts_on=local_today() - timedelta(days=30),
                                until=local_today() + timedelta(days=100),
                                start_time=time(17), end_time=time(18))
    now = utcnow()
    until = ended_schedule_until(series.schedule, now)
    begun = [o for o in series.occurrences if o.starts_at <= now]
    assert until == max(o.starts_at for o in begun).astimezone(
        __import__("zoneinfo").ZoneInfo("Europe/Stockholm")).date()
    not_yet = factories.activity(starts_on=local_today() + timedelta(days=8),
                                 until=local_today() + timedelta(days=100))
    assert ended_schedule_until(not_yet.schedule, now) < not_yet.starts_on
