"""The weeks show trouble, in words: uses that overlap, requests not yet decided, days a
room is closed and uses outside the opening hours; and coordinators choose the
municipality and meeting place of /staff/schedule, within their own."""

import re
from datetime import time, timedelta

import pytest
from sqlalchemy import update

from directory.common.time import combine_local, local_today
from directory.extensions import db
from directory.venues.models import Closure
from directory.venues.occupancy import RoomUse



def label(monday):
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def cell(body, venue_slug, room, day_index):
    """The text of one day's cell in a room's row of a venue's table (tags dropped)."""
    table = body.split(f'id="week-{venue_slug}"', 1)[1].split("</table>", 1)[0] \
        if f'id="week-{venue_slug}"' in body else \
        body.split('id="schedule-caption"', 1)[1].split("</table>", 1)[0]
    row = table.split(f'<th scope="row">{room}</th>', 1)[1].split("</tr>", 1)[0]
    cells = row.split("<td")[1:]
    return " ".join(re.sub(r"<[^>]+>", " ", cells[day_index].split(">", 1)[1]).split())


def venues_shown(body):
    return re.findall(r"<h2>([^<]+)</h2>", body)


@pytest.fixture
def weeks(factories):
    monday = local_today() - timedelta(days=local_today().weekday()) + timedelta(days=7)
    taby, goteborg = factories.municipality("taby"), factories.municipality("goteborg")
    kemist = factories.venue(rooms=[("Grupprum 1", 12), ("Stora salen", 40)],
                             municipality=taby)
    angered = factories.venue(name="Angereds mötesplats", slug="angered",
                              rooms=[("Salen", 60)], municipality=goteborg)
    org = factories.organisation(name="Läxhjälpen")
    small, big = kemist.rooms

    def book(room, day, start, end, status="approved", purpose=""):
        return factories.booking(room, org, monday + timedelta(days=day), start, end,
                                 status=status, purpose=purpose, commit=False)

    # Two uses of Stora salen on Monday that overlapped before the rule: kept as legacy.
    first = book(big, 0, time(14), time(16))
    second = book(big, 0, time(16), time(17))
    db.session.execute(update(RoomUse).where(RoomUse.booking_id.in_([first.id, second.id]))
                       .values(legacy=True))
    later = combine_local(monday, time(15))
    db.session.execute(update(RoomUse).where(RoomUse.booking_id == second.id)
                       .values(starts_at=later))
    book(small, 1, time(18), time(19), status="pending", purpose="Syjunta")
    book(small, 2, time(6), time(7))      # before the venue opens at 8
    book(small, 2, time(10), time(11))
    book(small, 6, time(10), time(11))   # on a day the venue is closed
    db.session.add_all([
        Closure(venue=kemist, starts_on=monday + timedelta(days=6),
                ends_on=monday + timedelta(days=6), reason="Storstädning"),
        Closure(venue=kemist, room=big, starts_on=monday + timedelta(days=3),
                ends_on=monday + timedelta(days=4), reason="Nytt golv"),
    ])
    db.session.commit()
    return monday, kemist, angered, taby


@pytest.fixture
def coordinator(client, factories, auth):
    factories.user(email="staff@example.se", role="staff")
    auth.login("staff@example.se")
    return client


def staff_week(client, monday, **filters):
    response = client.get("/staff/schedule", query_string={"week": label(monday), **filters})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_overlapping_uses_are_said_on_both(coordinator, weeks):
    monday, kemist, _, _ = weeks
    body = staff_week(coordinator, monday)
    monday_cell = cell(body, kemist.slug, "Stora salen", 0)
    assert monday_cell.count("Overlaps another use of the room") == 2
    assert "Overlaps" not in cell(body, kemist.slug, "Grupprum 1", 2)
    public = coordinator.get(f"/venues/{kemist.slug}/schedule?week={label(monday)}")
    assert "Overlaps another use of the room" in public.get_data(as_text=True)


def test_requests_are_provisional_in_words(coordinator, weeks):
    monday, kemist, _, _ = weeks
    text = cell(staff_week(coordinator, monday), kemist.slug, "Grupprum 1", 1)
    assert "18:00–19:00" in text and "Syjunta" in text
    assert "(requested)" in text and "Provisional: not yet decided" in text


def test_closed_days_say_so_with_the_reason(coordinator, weeks):
    monday, kemist, _, _ = weeks
    body = staff_week(coordinator, monday)
    sunday = cell(body, kemist.slug, "Grupprum 1", 6)
    assert sunday.startswith("Closed: Storstädning") and "10:00–11:00" in sunday
    assert cell(body, kemist.slug, "Stora salen", 6).startswith("Closed: Storstädning")
    # A room's own closure is only in its row.
    assert cell(body, kemist.slug, "Stora salen", 3) == "Closed: Nytt golv"
    assert cell(body, kemist.slug, "Stora salen", 4) == "Closed: Nytt golv"
    assert "Closed" not in cell(body, kemist.slug, "Grupprum 1", 3)
    assert "Closed" not in cell(body, kemist.slug, "Stora salen", 5)
    public = coordinator.get(f"/venues/{kemist.slug}/schedule?week={label(monday)}")
    assert "Closed: Nytt golv" in public.get_data(as_text=True)


def test_uses_outside_the_opening_hours_are_marked(coordinator, weeks):
    monday, kemist, _, _ = weeks
    text = cell(staff_week(coordinator, monday), kemist.slug, "Grupprum 1", 2)
    early, usual = text.split("10:00–11:00")
    assert "06:00–07:00" in early and "Outside opening hours" in early
    assert "Outside opening hours" not in usual


def test_every_venue_table_has_the_same_columns(coordinator, weeks):
    monday, _, _, _ = weeks
    body = staff_week(coordinator, monday)
    tables = body.split('<table class="schedule">')[1:]
    assert len(tables) == 2
    for table in tables:
        assert '<colgroup><col class="schedule-room"><col span="7"></colgroup>' in table
        assert table.split("</thead>")[0].count('<th scope="col">') == 8


def test_a_municipality_filter_shows_its_venues_and_is_kept_from_week_to_week(
        coordinator, weeks):
    monday, kemist, angered, _ = weeks
    assert venues_shown(staff_week(coordinator, monday)) == [angered.name, kemist.name]
    body = staff_week(coordinator, monday, kommun="goteborg")
    assert venues_shown(body) == [angered.name]
    following = label(monday + timedelta(days=7))
    assert f'href="/staff/schedule?week={following}&amp;kommun=goteborg"' in body
    assert '<option value="goteborg" selected>' in body


def test_a_venue_filter_shows_that_venue_and_is_kept(coordinator, weeks):
    monday, kemist, _, _ = weeks
    body = staff_week(coordinator, monday, venue=kemist.slug)
    assert venues_shown(body) == [kemist.name]
    previous = label(monday - timedelta(days=7))
    assert f'href="/staff/schedule?week={previous}&amp;venue={kemist.slug}"' in body
    body = staff_week(coordinator, monday, kommun="taby", venue=kemist.slug)
    assert venues_shown(body) == [kemist.name]
    assert f"kommun=taby&amp;venue={kemist.slug}" in body


@pytest.mark.parametrize("filters, notice", [
    ({"kommun": "atlantis"}, "There is no municipality “atlantis” among the ones you see."),
    ({"venue": "<b>x</b>"}, "There is no meeting place “&lt;b&gt;x&lt;/b&gt;” among the"),
    ({"kommun": "goteborg", "venue": "kemistvagen"},
     "There is no meeting place “kemistvagen” among the ones you see."),
    ({"kommun": "x" * 5000}, "There is no municipality"),
])
def test_an_unknown_filter_is_explained_not_an_error(coordinator, weeks, filters, notice):
    monday, _, _, _ = weeks
    body = staff_week(coordinator, monday, **filters)
    assert notice in body and "The filter was left out." in body
    assert "<b>x</b>" not in body
    assert "&amp;kommun=atlantis" not in body and "venue=%3Cb" not in body


def test_a_coordinator_of_one_municipality_sees_only_its_venues(client, factories, weeks, auth):
    monday, kemist, angered, taby = weeks
    user = factories.user(email="taby@example.se", role="staff", municipality=taby)
    db.session.commit()
    auth.login("taby@example.se")
    body = staff_week(client, monday)
    assert venues_shown(body) == [kemist.name]
    assert '<option value="goteborg"' not in body and angered.name not in body
    body = staff_week(client, monday, kommun="goteborg")
    assert venues_shown(body) == [kemist.name] and "There is no municipality" in body
    body = staff_week(client, monday, venue="angered")
    assert venues_shown(body) == [kemist.name] and angered.name not in body.split("<h2>")[1]
