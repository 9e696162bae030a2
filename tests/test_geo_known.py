"""Near the places people know: a street of a saved address, a meeting place's own name,
a town's name in Arabic script; a place not found lists nothing but the names that come
closest, as links; "use my position" is called so, and no distance reads "0.0 km"."""

import re

import pytest

KEMISTVAGEN = (57.7905, 12.0712)   # a meeting place on Kemistvägen, Angered
STORGATAN = (57.6560, 12.0150)     # an organisation's address in Mölndal


@pytest.fixture
def known(factories):
    goteborg = factories.municipality("goteborg")
    org = factories.organisation(name="Grannar i nordost", municipality=goteborg,
                                 street_address="Storgatan 3", postal_code="431 30",
                                 city="Mölndal", latitude=STORGATAN[0],
                                 longitude=STORGATAN[1])
    venue = factories.venue(name="Mötesplats Kemistvägen", slug="kemistvagen",
                            street_address="Kemistvägen 17", postal_code="424 65",
                            city="Angered", latitude=KEMISTVAGEN[0],
                            longitude=KEMISTVAGEN[1], municipality=goteborg,
                            rooms=[("Lilla rummet", 20)])
    factories.activity(org, title="Språkcafé på Kemistvägen", room=venue.rooms[0],
                       street_address=None, city=None)
    factories.activity(org, title="Kör i Mölndal", latitude=STORGATAN[0],
                       longitude=STORGATAN[1])
    return venue


def page(client, query, path="/activities", lang="en"):
    return client.get(f"{path}?{query}", headers={"Accept-Language": lang}
                      ).get_data(as_text=True)


def titles(client, query):
    body = client.get("/api/v1/occurrences?per_page=100&" + query).get_json()
    return {i["title"] for i in body["contents"]}, body.get("notices", [])


@pytest.mark.parametrize("near, name", [
    ("Kemistvägen", "Kemistvägen, Angered"),
    ("KEMISTVAGEN", "Kemistvägen, Angered"),          # no case, no accents
    ("Kemistvägen 40", "Kemistvägen, Angered"),       # a number not saved: the street
    ("Kemistvägen 17", "Kemistvägen 17, Angered"),    # the saved address itself
    ("Mötesplats Kemistvägen", "Mötesplats Kemistvägen"),
    ("motesplats kemistvagen", "Mötesplats Kemistvägen"),
])
def test_a_street_or_a_meeting_place_is_a_place(client, known, near, name):
    body = page(client, f"near={near}&radius_km=1")
    assert f"Nearest first, from {name}" in body
    assert "Språkcafé på Kemistvägen" in body and "Kör i Mölndal" not in body
    assert titles(client, f"near={near}&radius_km=1")[0] == {"Språkcafé på Kemistvägen"}


def test_a_street_of_an_organisation_address(client, known):
    body = page(client, "near=storgatan&radius_km=1", "/organisations")
    assert "Grannar i nordost" in body and "We could not find" not in body
    assert titles(client, "near=Storgatan, Mölndal&radius_km=1")[0] == {"Kör i Mölndal"}


@pytest.mark.parametrize("near", ["غوتنبرغ", "غُوتِنْبِرْغ", "جوتنبرج", "Гетеборг"])
def test_a_town_by_its_name_in_another_script(client, known, near):
    body = page(client, f"near={near}&radius_km=25", lang="ar")
    assert "We could not find" not in body
    assert "Språkcafé på Kemistvägen" in body and "Kör i Mölndal" in body
    english = page(client, f"near={near}&radius_km=25")
    assert "Nearest first, from Göteborg" in english


def test_stockholm_in_arabic_and_persian_script(client, known):
    for near in ("ستوكهولم", "استکهلم"):
        body = client.get(f"/api/v1/occurrences?near={near}").get_json()
        assert not body.get("notices"), near


def test_a_place_not_found_lists_nothing_but_links_to_the_closest_names(client, known):
    for path in ("/activities", "/organisations"):
        body = page(client, "near=Gardstn&radius_km=50&q=", path)
        assert "We could not find the place “Gardstn”" in body.replace("&#34;", '"')
        links = re.findall(r'<a href="([^"]+)"><bdi>Gårdsten</bdi></a>', body)
        assert links == [f"{path}?near=G%C3%A5rdsten&amp;radius_km=50&amp;q="], path
        assert "Språkcafé" not in body and "Grannar i nordost" not in body
        assert "upcoming time" not in body and "No activities match" not in body
    found, notices = titles(client, "near=Gardstn")
    assert found == set() and any("Did you mean: Gårdsten" in n for n in notices)
    assert titles(client, "near=999 99")[0] == set()
    hsds = client.get("/api/v1/services?near=Gardstn").get_json()
    assert hsds["contents"] == [] and hsds["notices"]


def test_a_name_in_arabic_script_suggests_the_town(client, known):
    body = page(client, "near=غوتنبرك", lang="ar")
    assert "Göteborg</bdi></a>" in body and "Språkcafé" not in body


def test_my_position_is_called_so_and_no_distance_reads_zero(client, known):
    near = f"near={KEMISTVAGEN[0]:.5f},{KEMISTVAGEN[1]:.5f}&radius_km=1"
    body = page(client, near)
    assert "Nearest first, from your position" in body
    assert "57.79050, 12.07120" not in body
    assert "Less than 100 m away" in body and "0.0 km" not in body
    orgs = page(client, near.replace("radius_km=1", "radius_km=20"), "/organisations")
    assert re.findall(r'class="distance">([^<]+)<', orgs) == ["15.3 km away"]
    assert "<bdi>your position</bdi>" in orgs    # the folded form's line too
    api = client.get(f"/api/v1/occurrences?{near}").get_json()
    assert all(isinstance(i["distance_km"], float) for i in api["contents"])
