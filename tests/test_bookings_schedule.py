"""The venue's week as a table: public programme, pending requests only for those
who may see them, and clear answers to a bad week."""

from datetime import time, timedelta

import pytest

from directory.bookings.schedule import parse_week
from directory.common.time import local_today



@pytest.fixture
def week(factories):
    venue = factories.venue(rooms=[("Barnrummet", 15), ("Köket", 12)])
    org = factories.organisation(name="Läxhjälpen")
    factories.activity(org, title="Läxhjälp", room=venue.rooms[0])
    day = local_today() + timedelta(days=2)
    factories.booking(venue.rooms[1], org, day, time(12), time(13), purpose="Matlagning")
    monday = day - timedelta(days=day.weekday())
    year, number, _ = monday.isocalendar()
    return venue, org, f"{year}-W{number:02d}"


def test_public_week_is_a_table_with_headers(client, week):
    venue, _, label = week
    body = client.get(f"/venues/{venue.slug}/schedule?week={label}").get_data(as_text=True)
    assert "<caption" in body and '<th scope="row">Barnrummet</th>' in body
    assert body.count('<th scope="col">') == 8
    assert "Läxhjälp" in body
    assert "(requested)" not in body
    assert 'rel="next"' in body and 'rel="prev"' in body


def test_coordinators_and_the_organisation_also_see_requests(client, factories, week, auth):
    venue, org, label = week
    factories.user(email="staff@example.se", role="staff")
    auth.login("staff@example.se")
    assert "(requested)" in client.get(f"/venues/{venue.slug}/schedule?week={label}"
                                       ).get_data(as_text=True)
    auth.logout()
    factories.user(email="a@example.se", organisation=org)
    auth.login("a@example.se")
    assert "(requested)" in client.get(f"/venues/{venue.slug}/schedule?week={label}"
                                       ).get_data(as_text=True)


@pytest.mark.parametrize("value", ["2026-W99", "x", "2026-13", "9999-W01", "'--"])
def test_bad_week_is_explained(client, week, value):
    venue, _, _ = week
    response = client.get(f"/venues/{venue.slug}/schedule", query_string={"week": value})
    assert response.status_code == 200
    assert "was not understood" in response.get_data(as_text=True)


def test_week_parsing():
    assert parse_week("2026-W01")[0].isoformat() == "2025-12-29"
    assert parse_week("2025-W53") == (parse_week(None)[0], False)  # 2025 has 52 weeks
    assert parse_week("2026-W53")[0].isoformat() == "2026-12-28"
    assert parse_week("2020-W53")[0].isoformat() == "2020-12-28"


def test_coordinators_see_every_venue_with_requests(client, factories, week, auth):
    venue, _, label = week
    factories.venue(name="Angereds mötesplats", slug="angered", rooms=[("Salen", 60)])
    factories.user(email="staff@example.se", role="staff")
    auth.login("staff@example.se")
    body = client.get(f"/staff/schedule?week={label}").get_data(as_text=True)
    assert venue.name in body and "Angereds mötesplats" in body
    assert "(requested)" in body and body.count("<caption") == 2
