"""ical.js and recurring-ical-events read what the database holds: an ended series
(its rule carries UNTIL, no phantom dates), dates on both nights the clocks change,
and a subscription made from an Arabic page (Arabic titles, an Arabic feed name)."""

import html
import re
from datetime import date, time, timedelta
from urllib.parse import urlsplit

import icalendar
import pytest

from directory.activities.editing import end_activity
from directory.activities.models import Occurrence
from directory.common.time import local_today, to_local, utcnow
from directory.extensions import db
from tests.test_calendars_feeds import _iso, database, icaljs, python_parser, window


def _both_parsers(body, ids):
    start, end = window()
    expected = database(ids, start, end)
    assert icaljs(body, start, end) == expected
    assert python_parser(body, start, end) == expected
    return expected


def test_an_ended_series_stops_in_every_parser(client, factories):
    today = local_today()
    org = factories.organisation()
    series = factories.activity(org, title="Språkcafé", starts_on=today - timedelta(days=50),
                                until=today + timedelta(days=250), weekdays="0,3")
    staff = factories.user("samordnare@example.se", role="staff")
    end_activity(series, staff)
    db.session.commit()
    body = client.get(f"/organisations/{org.slug}/calendar.ics").data
    master = next(e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")
                  if "RRULE" in e)
    assert "UNTIL" in master["RRULE"] and "COUNT" not in master["RRULE"]
    expected = _both_parsers(body, [series.id])
    assert expected and all(start < _iso(utcnow()) for start, _, _ in expected)
    # No date starting after the end in either parser, however far ahead one looks (a
    # date under way when the series ended stays: run at its hour, it is in the range).
    now, far = utcnow(), utcnow() + timedelta(days=700)
    assert not {s for s, _, _ in icaljs(body, now, far) if s > _iso(now)}
    assert not {s for s, _, _ in python_parser(body, now, far) if s > _iso(now)}


def _change_days(today):
    """The last Sundays of March and October nearest ahead of `today` (within the feed
    window: from a month back)."""
    found = {}
    for year in (today.year - 1, today.year, today.year + 1):
        for month in (3, 10):
            last = date(year, month, 31)
            sunday = last - timedelta(days=(last.weekday() - 6) % 7)
            if sunday >= today - timedelta(days=40):
                found.setdefault(month, sunday)
    return found[3], found[10]


@pytest.mark.parametrize("start, end", [(time(1), time(1, 45)), (time(3, 30), time(4, 30))])
def test_dates_on_both_clock_change_nights(client, factories, start, end):
    spring, autumn = _change_days(local_today())
    first, last = min(spring, autumn), max(spring, autumn)
    series = factories.activity(title="Nattvandring", weekdays="6",
                                starts_on=first - timedelta(days=14),
                                until=last + timedelta(days=14),
                                start_time=start, end_time=end)
    body = client.get(f"/activities/{series.id}/calendar.ics").data
    expected = _both_parsers(body, [series.id])
    rows = db.session.scalars(db.select(Occurrence).where(
        Occurrence.activity_id == series.id)).all()
    by_day = {to_local(o.starts_at).date(): o for o in rows}
    for day in (spring, autumn):
        occ = by_day[day]
        # The wall-clock times hold on both nights, and both parsers read them so.
        assert (to_local(occ.starts_at).time(), to_local(occ.ends_at).time()) == (start, end)
        assert (_iso(occ.starts_at), _iso(occ.ends_at), "Nattvandring") in expected
    assert len({to_local(o.starts_at).utcoffset() for o in rows}) == 2


def test_a_subscription_from_an_arabic_page_is_arabic(client, factories):
    org = factories.organisation(name="Läxhjälpen Gårdsten")
    series = factories.activity(org, title="Läxhjälp", focus=["utbildning"],
                                translations={"ar": {"title": "مساعدة في الواجبات"}})
    client.set_cookie("lang", "ar")  # the page is Arabic; no spoken language is asked
    page = html.unescape(client.get("/activities?focus=utbildning").get_data(as_text=True))
    assert 'lang="ar"' in page
    webcal = re.search(r'href="(webcal://[^"]+/activities/calendar\.ics[^"]*)"', page)[1]
    parts = urlsplit(webcal)
    assert "lang=ar" in parts.query and "focus=utbildning" in parts.query
    client.set_cookie("lang", "sv")  # the calendar's own requests: no Arabic cookie
    body = client.get(f"{parts.path}?{parts.query}").data
    cal = icalendar.Calendar.from_ical(body)
    assert str(cal["X-WR-CALNAME"]) == str(cal["NAME"]) == "الأنشطة · التعليم واللغة"
    start, end = window()
    expected = {(s, e, "مساعدة في الواجبات") for s, e, _ in database([series.id], start, end)}
    assert expected
    assert icaljs(body, start, end) == expected
    assert python_parser(body, start, end) == expected
    # The page's language is not a spoken-language filter of the feed.
    assert "spoken=&" in parts.query or parts.query.endswith("spoken=")


def test_feed_names_say_what_they_hold(client, factories):
    org = factories.organisation(name="Läxhjälpen Gårdsten")
    venue = factories.venue()
    factories.activity(org, title="Läxhjälp", focus=["utbildning"], room=venue.rooms[0])
    name = lambda path: str(icalendar.Calendar.from_ical(  # noqa: E731
        client.get(path).data)["X-WR-CALNAME"])
    # (In Swedish "Aktiviteter · Utbildning och språk · nära Gårdsten", once the
    # catalogues hold the new pieces.)
    assert name("/activities/calendar.ics?focus=utbildning&near=Gårdsten&spoken=&lang=en") == \
        "Activities · Education and language · near Gårdsten"
    assert name("/activities/calendar.ics?spoken=&lang=en") == "Activities"
    # `lang` alone is the interface language and the spoken filter, as on the page.
    arabic = name("/activities/calendar.ics?lang=ar")
    assert arabic.startswith("الأنشطة · ") and arabic.endswith("العربية")
    assert name(f"/activities/calendar.ics?venue={venue.slug}&org={org.slug}&spoken=&lang=en") == \
        f"Activities · {org.name} · at {venue.name}"
    assert name(f"/organisations/{org.slug}/calendar.ics") == org.name
    assert name(f"/venues/{venue.slug}/calendar.ics") == venue.name
    partner = factories.partner()
    _, token = factories.feed(partner, name="Arbete i Täby")
    assert name(f"/feeds/{token}.ics") == "Arbete i Täby"


def test_after_a_series_edit_only_dates_that_differ_are_overrides(client, factories):
    from directory.activities.editing import move_occurrence, update_activity
    today = local_today()
    tuesday = today - timedelta(days=today.weekday()) + timedelta(days=8)
    series = factories.activity(title="Läxhjälp", starts_on=tuesday, weekdays="1",
                                until=tuesday + timedelta(weeks=20))
    dates = series.occurrences.all()
    move_occurrence(dates[2], to_local(dates[2].starts_at).date() + timedelta(days=1),
                    time(16), time(17), None)
    db.session.commit()
    data = {"title": "Läxhjälp", "recurrence": "weekly", "starts_on": tuesday,
            "start_time": time(18), "end_time": time(19, 30), "weekdays": [1],
            "until": series.until, "interval": 1}
    update_activity(series, data, None, confirmed=True)
    db.session.commit()
    assert all(o.sequence for o in series.occurrences)  # every date was re-timed
    body = client.get(f"/activities/{series.id}/calendar.ics").data
    overrides = [e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")
                 if "RECURRENCE-ID" in e]
    moved = db.session.get(Occurrence, dates[2].id)
    assert len(overrides) == 1  # the moved date; the others are just the new rule
    assert overrides[0]["DTSTART"].dt == to_local(moved.starts_at)
    _both_parsers(body, [series.id])
