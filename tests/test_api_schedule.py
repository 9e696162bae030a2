"""Room use as open data: the API's week of a venue holds what the venue's week page
shows (names only for public organisations, requests never to anonymous), across a
summer-time change; and for the demo data every venue's feed holds the dates the API
lists at the venue."""

from collections import Counter
from datetime import date, time, timedelta
from html.parser import HTMLParser

import icalendar
import pytest
import recurring_ical_events

from directory.common.time import combine_local, isoformat_local, local_day_bounds, local_today
from directory.extensions import db
from directory.venues.models import Venue


def summer_time_week(after):
    """The Monday of the next week (at least a week after `after`) in which Swedish
    clocks change: the last Sunday of March or October."""
    year = after.year
    while True:
        for month in (3, 10):
            last = date(year, month, 31)
            sunday = last - timedelta(days=(last.weekday() + 1) % 7)
            if sunday - timedelta(days=6) > after + timedelta(days=7):
                return sunday - timedelta(days=6)
        year += 1


def label(monday):
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


class WeekTable(HTMLParser):
    """Reads the rooms × days tables of a page: {(room, day index): [(classes, text)]}."""

    def __init__(self):
        super().__init__()
        self.cells, self.room, self.day, self.slot, self.where = {}, None, -1, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr":
            self.room, self.day = None, -1
        elif tag == "th" and attrs.get("scope") == "row":
            self.where = "room"
            self.room = ""
        elif tag == "td" and self.room is not None:
            self.day += 1
            self.cells.setdefault((self.room, self.day), [])
        elif tag == "p" and "slot" in (attrs.get("class") or "").split():
            self.slot = [attrs["class"], ""]

    def handle_endtag(self, tag):
        if tag == "th" and self.where == "room":
            self.where = None
        elif tag == "p" and self.slot is not None:
            self.cells[(self.room, self.day)].append(
                (self.slot[0], " ".join(self.slot[1].split())))
            self.slot = None

    def handle_data(self, data):
        if self.where == "room":
            self.room += data.strip()
        elif self.slot is not None:
            self.slot[1] += data


def page_slots(body):
    table = WeekTable()
    table.feed(body)
    return table.cells


@pytest.fixture
def busy_week(factories):
    """A venue in a week when the clocks change: a public activity on Mondays and
    Sundays in the big room (one date cancelled), a booking of its own in the small
    room, a request not yet decided, and a date of an organisation not yet public."""
    monday = summer_time_week(local_today())
    sunday = monday + timedelta(days=6)
    venue = factories.venue(rooms=[("Grupprum 1", 12), ("Stora salen", 40)])
    small, big = venue.rooms
    public = factories.organisation(name="Läxhjälpen")
    other = factories.organisation(name="Kvinnoföreningen")
    hidden = factories.organisation(name="Hemliga klubben", status="pending")
    activity = factories.activity(public, title="Läxhjälp", room=big, starts_on=monday,
                                  until=sunday, weekdays="0,6", start_time=time(17),
                                  end_time=time(18, 30))
    factories.activity(hidden, title="Hemlig träff", room=small, starts_on=sunday,
                       until=sunday, weekdays="6", start_time=time(12),
                       end_time=time(13))
    first = min(activity.occurrences, key=lambda o: o.starts_at)
    first.cancel("Sjuk ledare")
    factories.booking(small, public, monday + timedelta(days=2), time(10), time(12),
                      status="approved", purpose="Styrelsemöte", commit=False)
    factories.booking(small, other, monday + timedelta(days=3), time(14), time(15),
                      purpose="Syjunta")
    return venue, monday, activity


def api_week(client, venue, monday):
    response = client.get(f"/api/v1/venues/{venue.slug}/schedule",
                          query_string={"week": label(monday)})
    assert response.status_code == 200
    return response.get_json()


def test_the_api_lists_every_use_of_the_week_with_stockholm_times(client, busy_week):
    venue, monday, activity = busy_week
    body = api_week(client, venue, monday)
    assert body["venue"] == venue.slug and body["week"] == label(monday)
    assert body["links"]["previous"].endswith(f"week={label(monday - timedelta(days=7))}")
    assert body["links"]["next"].endswith(f"week={label(monday + timedelta(days=7))}")
    rooms = {room["name"]: room["entries"] for room in body["rooms"]}
    big, small = rooms["Stora salen"], rooms["Grupprum 1"]
    sunday = monday + timedelta(days=6)
    # Summer time changes in the night to the Sunday: the offset changes, 17:00 stays.
    offsets = {e["starts_at"][-6:] for e in big}
    assert len(offsets) == 2 and all(e["starts_at"][11:16] == "17:00" for e in big)
    cancelled, scheduled = big
    assert cancelled["status"] == "cancelled" and cancelled["starts_at"].startswith(
        monday.isoformat())
    assert scheduled == {
        "starts_at": isoformat_local(combine_local(sunday, time(17))),
        "ends_at": isoformat_local(combine_local(sunday, time(18, 30))),
        "status": "scheduled", "organization": "Läxhjälpen", "title": "Läxhjälp",
        "activity_id": activity.id, "occurrence_id": scheduled["occurrence_id"],
        "overlaps": False, "outside_opening_hours": False}
    assert scheduled["occurrence_id"] in {o.id for o in activity.occurrences}
    # The booking of its own, then the hidden organisation's date: busy, without a name.
    assert [e["status"] for e in small] == ["approved", "scheduled"]
    assert small[0]["organization"] == "Läxhjälpen" and small[0]["occurrence_id"] is None
    assert small[1] == {**small[1], "organization": None, "title": None,
                        "activity_id": None, "occurrence_id": None}
    text = str(body)
    assert "Syjunta" not in text and "Kvinnoföreningen" not in text
    assert "Hemlig" not in text and "pending" not in text


def test_the_api_and_the_page_show_the_same_week(client, busy_week):
    venue, monday, _ = busy_week
    body = api_week(client, venue, monday)
    page = page_slots(client.get(f"/venues/{venue.slug}/schedule?week={label(monday)}")
                      .get_data(as_text=True))
    from_api = Counter()
    for room in body["rooms"]:
        for e in room["entries"]:
            day = (date.fromisoformat(e["starts_at"][:10]) - monday).days
            times = f"{e['starts_at'][11:16]}–{e['ends_at'][11:16]}"
            shown = " ".join(p for p in (e["title"] or "Booked", e["organization"]) if p)
            from_api[(room["name"], day, times, e["status"], shown)] += 1
    from_page = Counter()
    for (room, day), slots in page.items():
        for classes, text in slots:
            status = next(c[5:] for c in classes.split() if c.startswith("slot-"))
            times, _, rest = text.partition(" ")
            title = rest.replace("(cancelled)", "").strip()
            from_page[(room, day, times, status, title)] += 1
    assert from_api == from_page
    assert sum(from_page.values()) == 4  # the request is not shown to anyone anonymous


def test_requests_are_in_the_week_of_those_who_may_see_them_but_never_in_the_api(
        client, factories, busy_week, auth):
    venue, monday, _ = busy_week
    factories.user(email="staff@example.se", role="staff")
    auth.login("staff@example.se")
    assert "Syjunta" in client.get(f"/venues/{venue.slug}/schedule?week={label(monday)}"
                                   ).get_data(as_text=True)
    assert "Syjunta" not in str(api_week(client, venue, monday))


@pytest.mark.parametrize("value", ["2026-W99", "x", "2026-13", "9999-W01", "'--"])
def test_a_week_that_is_not_understood_is_a_400_in_the_api_shape(client, busy_week, value):
    venue, _, _ = busy_week
    response = client.get(f"/api/v1/venues/{venue.slug}/schedule",
                          query_string={"week": value})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request" and "YYYY-Www" in error["message"]
    assert "week" in error["fields"]


def test_without_a_week_it_is_this_week(client, busy_week):
    venue, _, _ = busy_week
    today = local_today()
    body = client.get(f"/api/v1/venues/{venue.slug}/schedule").get_json()
    assert body["week"] == label(today - timedelta(days=today.weekday()))


def test_an_unknown_or_closed_venue_is_a_404_in_json(client, factories):
    factories.venue(slug="stangd", name="Stängd", active=False)
    for slug in ("finns-inte", "stangd"):
        response = client.get(f"/api/v1/venues/{slug}/schedule?week=2026-W48")
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


def test_closures_and_hours_outside_opening_time_are_in_the_api(client, factories,
                                                                busy_week):
    from directory.venues.models import Closure
    venue, monday, _ = busy_week
    small = venue.rooms[0]
    db.session.add(Closure(venue=venue, starts_on=monday + timedelta(days=4),
                           ends_on=monday + timedelta(days=4), reason="Storstädning"))
    factories.booking(small, busy_week[2].organisation, monday + timedelta(days=1),
                      time(6), time(7), status="approved")
    body = api_week(client, venue, monday)
    room = next(r for r in body["rooms"] if r["name"] == "Grupprum 1")
    assert room["closures"] == [{"date": (monday + timedelta(days=4)).isoformat(),
                                 "reason": "Storstädning"}]
    early = next(e for e in room["entries"] if e["starts_at"][11:16] == "06:00")
    assert early["outside_opening_hours"] is True
    assert not any(e["outside_opening_hours"] for e in room["entries"] if e is not early)


# ------------------------------------------------------- one definition of "at this venue"

def api_dates(client, slug, first, last):
    found, page = Counter(), 1
    while True:
        body = client.get("/api/v1/occurrences", query_string={
            "venue": slug, "from": first.isoformat(), "to": last.isoformat(),
            "per_page": 100, "page": page}).get_json()
        found.update((o["starts_at"], o["ends_at"], o["title"]) for o in body["contents"]
                     if o["status"] == "scheduled")
        if body["last_page"]:
            return found
        page += 1


def feed_dates(client, slug, first, last):
    calendar = icalendar.Calendar.from_ical(client.get(f"/venues/{slug}/calendar.ics").data)
    start, _ = local_day_bounds(first)
    _, end = local_day_bounds(last)
    return Counter((isoformat_local(e["DTSTART"].dt), isoformat_local(e["DTEND"].dt),
                    str(e["SUMMARY"]))
                   for e in recurring_ical_events.of(calendar).between(start, end)
                   if str(e.get("STATUS", "")) != "CANCELLED")


def test_for_the_demo_every_venue_feed_holds_the_dates_the_api_lists_there(client):
    from directory.demo.seed import seed_demo
    seed_demo()
    db.session.commit()
    first = local_today()
    last = first + timedelta(weeks=20)  # across a change of summer time
    venues = db.session.scalars(db.select(Venue).where(Venue.active.is_(True))).all()
    assert venues
    total = 0
    for venue in venues:
        from_api = api_dates(client, venue.slug, first, last)
        assert from_api == feed_dates(client, venue.slug, first, last), venue.slug
        total += sum(from_api.values())
    assert total > 50
