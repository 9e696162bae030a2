"""Calendar feeds read by real parsers (ical.js under node, recurring-ical-events) agree
with the database, across summer time, moved, removed and cancelled dates."""

import json
import re
import subprocess
from datetime import time, timedelta
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events

from directory.activities.models import Occurrence
from directory.common.time import local_today, to_local, utcnow
from directory.extensions import db

ROOT = Path(__file__).resolve().parent.parent
EXPAND = ROOT / "tests" / "js" / "expand.mjs"


def icaljs(body, start, end):
    result = subprocess.run(["node", str(EXPAND), start.isoformat(), end.isoformat()],
                            input=body, capture_output=True, check=True, cwd=ROOT, timeout=60)
    return {(i["start"], i["end"], i["summary"]) for i in json.loads(result.stdout)
            if i["status"] != "CANCELLED"}


def python_parser(body, start, end):
    cal = icalendar.Calendar.from_ical(body)
    found = set()
    for event in recurring_ical_events.of(cal).between(start, end):
        if str(event.get("STATUS", "")) == "CANCELLED":
            continue
        s, e = event["DTSTART"].dt, event["DTEND"].dt
        found.add((_iso(s), _iso(e), str(event["SUMMARY"])))
    return found


def _iso(moment):
    return moment.astimezone(__import__("datetime").timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z")


def database(activity_ids, start, end):
    rows = db.session.scalars(db.select(Occurrence).where(
        Occurrence.activity_id.in_(activity_ids), Occurrence.status == "scheduled",
        Occurrence.ends_at > start, Occurrence.starts_at < end))
    return {(_iso(o.starts_at), _iso(o.ends_at), o.activity.title) for o in rows}


@pytest.fixture
def feed_world(factories):
    today = local_today()
    org = factories.organisation(name="Läxhjälpen Gårdsten", email="info@example.se")
    series = factories.activity(org, title="Läxhjälp för alla åldrar – välkommen",
                                starts_on=today - timedelta(days=60),
                                until=today + timedelta(days=300), weekdays="1",
                                start_time=time(17), end_time=time(18, 30))
    future = [o for o in series.occurrences if o.starts_at > utcnow() + timedelta(days=2)]
    cancelled, moved, removed, longer = future[1], future[3], future[5], future[7]
    cancelled.status, cancelled.cancel_reason = "cancelled", "Höstlov"
    cancelled.sequence += 1
    moved.starts_at += timedelta(days=1, hours=1)
    moved.ends_at += timedelta(days=1, hours=1)
    moved.sequence += 1
    longer.ends_at += timedelta(minutes=30)
    longer.sequence += 1
    db.session.delete(removed)
    ended = factories.activity(org, title="Fotboll (slutat)",
                               starts_on=today - timedelta(days=70),
                               until=today - timedelta(days=10), weekdays="3",
                               start_time=time(18), end_time=time(19))
    once = factories.activity(org, title="Sommarfest", recurrence="once",
                              starts_on=today + timedelta(days=20), weekdays="",
                              start_time=time(14), end_time=time(17), until=None)
    db.session.commit()
    return {"org": org, "series": series, "ended": ended, "once": once,
            "cancelled": cancelled, "moved": moved}


def window():
    now = utcnow()
    return now - timedelta(days=85), now + timedelta(days=355)


def test_parsers_agree_with_the_database(client, feed_world):
    org = feed_world["org"]
    response = client.get(f"/organisations/{org.slug}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.data
    start, end = window()
    ids = [feed_world[k].id for k in ("series", "ended", "once")]
    expected = database(ids, start, end)
    assert len(expected) > 40
    assert icaljs(body, start, end) == expected
    assert python_parser(body, start, end) == expected
    # Both summer-time changes of the coming year are inside, and 17:00 stays 17:00.
    local_hours = {to_local(o.starts_at).utcoffset() for o in feed_world["series"].occurrences}
    assert len(local_hours) == 2


def test_every_kind_of_feed_parses(client, feed_world, factories):
    series = feed_world["series"]
    venue = factories.venue()
    factories.activity(feed_world["org"], title="Barnkul", room=venue.rooms[0])
    barnkul = db.session.scalar(db.select(type(series)).filter_by(title="Barnkul"))
    start, end = window()
    for path, ids in ((f"/activities/{series.id}/calendar.ics", [series.id]),
                      (f"/venues/{venue.slug}/calendar.ics", [barnkul.id]),
                      ("/activities/calendar.ics?q=alla%20åldrar", [series.id]),
                      (f"/occurrences/{feed_world['moved'].id}.ics", None)):
        response = client.get(path)
        assert response.status_code == 200, path
        parsed = icaljs(response.data, start, end)
        assert parsed == python_parser(response.data, start, end), path
        if ids is not None:
            assert parsed == database(ids, start, end), path
    search = client.get("/activities/calendar.ics?q=alla åldrar").data
    assert b"Barnkul" not in search and "Läxhjälp".encode() in search
    assert b"Barnkul" in client.get(f"/venues/{venue.slug}/calendar.ics").data
    single = client.get(f"/occurrences/{feed_world['cancelled'].id}.ics").data.decode()
    assert "STATUS:CANCELLED" in single and "Höstlov" in single


def test_rfc5545_details_parsers_do_not_check(client, feed_world):
    body = client.get(f"/organisations/{feed_world['org'].slug}/calendar.ics").data
    assert b"\n" not in body.replace(b"\r\n", b"")
    lines = body.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    text = body.decode().replace("\r\n ", "")
    tzids = set(re.findall(r"TZID=([^:;]+)", text))
    assert tzids == {"Europe/Stockholm"}
    assert text.count("BEGIN:VTIMEZONE") == 1
    assert text.count("BEGIN:DAYLIGHT") == 1 and text.count("BEGIN:STANDARD") == 1
    cal = icalendar.Calendar.from_ical(body)
    keys = [(str(e["UID"]), e.get("RECURRENCE-ID") and e["RECURRENCE-ID"].to_ical())
            for e in cal.walk("VEVENT")]
    assert len(keys) == len(set(keys))
    for name in ("NAME", "X-WR-CALNAME", "REFRESH-INTERVAL", "X-PUBLISHED-TTL"):
        assert name in cal
    master = next(e for e in cal.walk("VEVENT") if "RRULE" in e and
                  "Läxhjälp" in str(e["SUMMARY"]))
    assert master["RRULE"]["BYDAY"] == ["TU"]
    assert "EXDATE" in master
    assert master["URL"].endswith(f"/activities/{feed_world['series'].id}")
    assert "GEO" in master or "LOCATION" in master


def test_uids_stable_across_fetches_and_edits_and_sequence_grows(client, feed_world):
    path = f"/activities/{feed_world['series'].id}/calendar.ics"
    first = client.get(path)
    second = client.get(path)
    assert first.data == second.data and first.headers["ETag"] == second.headers["ETag"]
    series = db.session.get(type(feed_world["series"]), feed_world["series"].id)
    series.title = "Läxhjälp, ny tid"
    series.sequence += 1
    db.session.commit()
    third = client.get(path)
    uids = lambda r: {str(e["UID"]) for e in icalendar.Calendar.from_ical(r.data)  # noqa: E731
                      .walk("VEVENT")}
    assert uids(first) == uids(third)
    seq = lambda r: max(int(e["SEQUENCE"]) for e in icalendar.Calendar.from_ical(r.data)  # noqa
                        .walk("VEVENT"))
    assert seq(third) > seq(first)
    assert third.headers["ETag"] != first.headers["ETag"]


def test_conditional_requests_answer_304(client, feed_world):
    path = f"/organisations/{feed_world['org'].slug}/calendar.ics"
    first = client.get(path)
    assert first.headers["Last-Modified"] and "max-age" in first.headers["Cache-Control"]
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    since = client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304


def test_text_in_the_requested_language(client, factories):
    activity = factories.activity(title="Läxhjälp",
                                  translations={"ar": {"title": "مساعدة في الواجبات"}})
    body = client.get(f"/activities/{activity.id}/calendar.ics?lang=ar").data.decode()
    assert "مساعدة في الواجبات" in body.replace("\r\n ", "")
    assert max(len(line.encode()) for line in body.split("\r\n")) <= 75


@pytest.mark.parametrize("path", ["/organisations/finns-inte/calendar.ics",
                                  "/venues/finns-inte/calendar.ics",
                                  "/activities/999999/calendar.ics",
                                  "/occurrences/999999.ics"])
def test_unknown_things_are_404(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("query", ["focus=999999", "from=notadate&to=x", "lang=xx",
                                   "kommun=nowhere&page=-1", "q=" + "å" * 500])
def test_junk_filters_give_a_valid_calendar(client, factories, query):
    factories.activity()
    response = client.get(f"/activities/calendar.ics?{query}")
    assert response.status_code == 200
    assert icalendar.Calendar.from_ical(response.data).name == "VCALENDAR"


def test_pages_link_to_their_feeds(client, feed_world, factories):
    org = feed_world["org"]
    body = client.get(f"/organisations/{org.slug}").get_data(as_text=True)
    assert f'href="webcal://localhost/organisations/{org.slug}/calendar.ics?lang=en"' in body
    assert "calendar.google.com/calendar/render?cid=webcal%3A%2F%2Flocalhost" in body
    body = client.get("/activities?focus=utbildning").get_data(as_text=True)
    assert "/activities/calendar.ics?focus=utbildning" in body
    occurrence = feed_world["moved"]
    body = client.get(f"/occurrences/{occurrence.id}").get_data(as_text=True)
    assert f'href="/occurrences/{occurrence.id}.ics"' in body
