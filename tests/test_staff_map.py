"""The coordinators' map of the offer: where matching activities meet in the coming
weeks, and the towns and districts with the least within walking distance."""

import json
import re
from datetime import timedelta

import pytest

from directory.activities.models import Occurrence
from directory.common.time import local_today
from directory.extensions import db


# The gazetteer's points. Within 1 km of each other: none of these (Gårdsten–Angered
# 1.42 km, Kortedala–Bergsjön 2.09 km, Gårdsten–Lövgärdet 1.4 km).
GARDSTEN = (57.8048, 12.02883)
ANGERED = (57.7975, 12.0484)
BERGSJON = (57.754, 12.072)
KORTEDALA = (57.753, 12.037)


def rows(body):
    """[(place, activities)] of the districts table, in its order."""
    return [(name, int(count)) for name, count in re.findall(
        r'<th scope="row">(.*?)</th>\s*<td>.*?</td>\s*<td>(\d+)</td>', body)]


@pytest.fixture
def offer(factories):
    gbg = factories.municipality("goteborg")
    org = factories.organisation(name="Gårdstens förening", municipality=gbg,
                                 latitude=GARDSTEN[0], longitude=GARDSTEN[1])
    # Kortedala has an organisation but nothing meeting there: part of the area, 0.
    factories.organisation(name="Kortedala IF", municipality=gbg,
                           latitude=KORTEDALA[0], longitude=KORTEDALA[1])
    factories.activity(org, title="Jobbcafé", focus=["arbete"], latitude=GARDSTEN[0],
                       longitude=GARDSTEN[1])
    factories.activity(org, title="Läxhjälp", focus=["utbildning"], latitude=GARDSTEN[0],
                       longitude=GARDSTEN[1])
    factories.activity(org, title="Språkcafé", latitude=ANGERED[0], longitude=ANGERED[1])
    # Only later than the coming four weeks: not in the default window.
    later = local_today() + timedelta(days=42)
    factories.activity(org, title="Sommarläger", recurrence="once", starts_on=later,
                       weekdays="", until=None, latitude=ANGERED[0], longitude=ANGERED[1])
    # An organisation not yet verified: its activity is not part of the offer.
    hidden = factories.organisation(name="Ny förening", municipality=gbg, status="pending")
    factories.activity(hidden, title="Dold", latitude=ANGERED[0], longitude=ANGERED[1])
    # Meeting in a room of a meeting place in Bergsjön: placed at the meeting place.
    venue = factories.venue(name="Träffpunkt Bergsjön", slug="bergsjon", city="Göteborg",
                            municipality=gbg, latitude=BERGSJON[0], longitude=BERGSJON[1])
    in_room = factories.activity(org, title="Syjunta", latitude=None, longitude=None,
                                 street_address=None, city=None)
    for occurrence in in_room.occurrences:
        occurrence.room_id = venue.rooms[0].id
    db.session.commit()
    factories.user(email="samordnare@example.se", role="staff")
    return gbg


def test_districts_are_listed_least_offer_first(client, offer, auth):
    auth.login("samordnare@example.se")
    response = client.get("/staff/map?kommun=goteborg&radius_km=1")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "4 activities meet in these weeks in Göteborg." in body
    found = dict(rows(body))
    assert found["Gårdsten"] == 2 and found["Angered"] == 1 and found["Bergsjön"] == 1
    assert found["Kortedala"] == 0 and found["Hjällbo"] == 0
    counts = [n for _, n in rows(body)]
    assert counts == sorted(counts)  # the least offer first
    assert rows(body)[-1] == ("Gårdsten", 2)

    the_map = json.loads(re.search(r'<script type="application/json" id="map-points">'
                                   r'(.*?)</script>', body, re.S).group(1))
    points = {(p["lat"], p["lon"]): (p["label"], sorted(i["title"] for i in p["items"]))
              for p in the_map["points"]}
    assert points[BERGSJON] == ("Träffpunkt Bergsjön", ["Syjunta"])
    assert points[GARDSTEN][1] == ["Jobbcafé", "Läxhjälp"]
    assert points[ANGERED][1] == ["Språkcafé"] and len(points) == 3
    kortedala = [a for a in the_map["areas"] if a["label"].startswith("Kortedala")]
    assert kortedala[0]["count"] == 0 and the_map["area_radius_km"] == 1
    assert "Kortedala: 0 activities within 1 km" in kortedala[0]["label"]


def test_filters_and_dates_change_what_counts(client, offer, auth):
    auth.login("samordnare@example.se")
    body = client.get("/staff/map?kommun=goteborg&radius_km=1&focus=arbete").get_data(
        as_text=True)
    found = dict(rows(body))
    assert "1 activity meets in these weeks in Göteborg." in body
    assert found["Gårdsten"] == 1 and found["Angered"] == 0
    to = (local_today() + timedelta(days=60)).isoformat()
    body = client.get(f"/staff/map?kommun=goteborg&radius_km=1&to={to}").get_data(
        as_text=True)
    assert dict(rows(body))["Angered"] == 2  # Språkcafé and the summer camp


def test_a_cancelled_date_is_no_offer(client, offer, auth):
    auth.login("samordnare@example.se")
    for occurrence in db.session.scalars(db.select(Occurrence)):
        if occurrence.activity.title == "Språkcafé":
            occurrence.status = "cancelled"
    db.session.commit()
    body = client.get("/staff/map?kommun=goteborg&radius_km=1").get_data(as_text=True)
    assert dict(rows(body))["Angered"] == 0


def test_a_coordinator_of_one_municipality_sees_only_it(client, offer, factories, auth):
    from directory.accounts.services import find_user
    molndal = factories.municipality("molndal")
    find_user("samordnare@example.se").municipality_id = molndal.id
    db.session.commit()
    auth.login("samordnare@example.se")
    body = client.get("/staff/map?kommun=goteborg").get_data(as_text=True)
    assert "in Mölndal." in body and "Gårdsten" not in body


@pytest.mark.parametrize("query", ["radius_km=abc", "radius_km=-3", "radius_km=100000",
                                   "kommun=ingenstans", "focus=nope", "from=igår",
                                   "to=2026-13-45", "lang=xx"])
def test_bad_input_never_breaks_the_page(client, offer, query, auth):
    auth.login("samordnare@example.se")
    response = client.get(f"/staff/map?{query}")
    assert response.status_code == 200
    assert "Towns and districts, the least offer first" in response.get_data(as_text=True)
