"""Near me: places found offline or through a Nominatim-speaking server, distances
checked by hand, radius edges, and bad input that never breaks a page."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from directory.geo.distance import bounding_box, distance_km
from directory.geo.geocoder import OfflineGeocoder, parse_coordinates

# Distances from Gårdsten's gazetteer point, worked by hand on a local flat grid
# (Δlat × 111.32 km, Δlon × 111.32 km × cos lat): Angered 4.62, Mölndal 16.65, Täby 395.
GARDSTEN = (57.8048, 12.02883)
PLACES = {"Gårdsten": (57.8048, 12.02883), "Angered": (57.78628, 12.09852),
          "Mölndal": (57.6554, 12.01378), "Täby": (59.4439, 18.06872)}


def test_offline_gazetteer_knows_the_districts():
    coder = OfflineGeocoder()
    for name in ("Angered", "Gårdsten", "Hammarkullen", "Bergsjön", "Mölndal", "Täby",
                 "GÖTEBORG", "göteborg"):
        assert coder.geocode(name) is not None, name
    assert "Angered" in coder.suggestions("Angerd")


def test_postcodes_are_found_at_their_postal_town(client, places):
    """Offline, a postcode is placed in the middle of its postal town (424 65 is
    Angered's, 183 79 Täby's)."""
    coder = OfflineGeocoder()
    angered = coder.geocode("424 65")
    assert angered.name == "424 65 Angered"
    town = coder.geocode("Angered")
    assert (angered.latitude, angered.longitude) == (town.latitude, town.longitude)
    assert coder.geocode("SE-18379").name == "183 79 Täby"
    assert coder.geocode("999 99") is None
    body = client.get("/api/v1/occurrences?near=424 65&radius_km=2").get_json()
    assert {i["title"] for i in body["contents"]} == {"Språkcafé Gårdsten"}
    page = client.get("/activities?near=183 79&radius_km=5").get_data(as_text=True)
    assert "Språkcafé Täby" in page and "Nearest first, from 183 79 Täby" in page


def test_distances_and_boxes():
    assert distance_km(GARDSTEN, PLACES["Angered"]) == pytest.approx(4.62, abs=0.03)
    assert distance_km(GARDSTEN, PLACES["Mölndal"]) == pytest.approx(16.65, abs=0.1)
    assert distance_km(GARDSTEN, PLACES["Täby"]) == pytest.approx(395, abs=3)
    lat0, lat1, lon0, lon1 = bounding_box(*GARDSTEN, 5)
    assert lat0 < GARDSTEN[0] < lat1 and lon0 < GARDSTEN[1] < lon1
    assert parse_coordinates("57.80,12.03") is not None
    assert parse_coordinates("999,999") is None


@pytest.fixture
def places(factories):
    made = {}
    for name, (lat, lon) in PLACES.items():
        org = factories.organisation(name=f"Förening i {name}", latitude=lat, longitude=lon)
        made[name] = factories.activity(org, title=f"Språkcafé {name}", latitude=lat,
                                        longitude=lon)
    return made


def test_near_orders_by_distance_with_the_distance_shown(client, places):
    body = client.get("/api/v1/occurrences?near=Gårdsten&radius_km=20&per_page=100"
                      ).get_json()
    titles = []
    for item in body["contents"]:
        if item["title"] not in titles:
            titles.append(item["title"])
    assert titles == ["Språkcafé Gårdsten", "Språkcafé Angered", "Språkcafé Mölndal"]
    distances = {i["title"]: i["distance_km"] for i in body["contents"]}
    assert distances["Språkcafé Angered"] == pytest.approx(4.62, abs=0.03)
    page = client.get("/activities?near=Gårdsten&radius_km=5").get_data(as_text=True)
    assert "Språkcafé Angered" in page and "Mölndal" not in page
    assert "4.6 km away" in page
    swedish = client.get("/activities?near=Gårdsten&radius_km=5",
                         headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert "4,6 km" in swedish
    orgs = client.get("/api/v1/organizations?near=57.8048,12.02883&radius_km=5").get_json()
    assert [o["name"] for o in orgs["contents"]] == ["Förening i Gårdsten",
                                                     "Förening i Angered"]
    assert orgs["contents"][1]["distance_km"] == pytest.approx(4.62, abs=0.03)


def test_radius_edges(client, places):
    inside = client.get("/api/v1/occurrences?near=Gårdsten&radius_km=4.7").get_json()
    outside = client.get("/api/v1/occurrences?near=Gårdsten&radius_km=4.6").get_json()
    assert "Språkcafé Angered" in {i["title"] for i in inside["contents"]}
    assert "Språkcafé Angered" not in {i["title"] for i in outside["contents"]}


@pytest.mark.parametrize("query", ["near=", "near=Atlantis", "near=999,999",
                                   "near=Angered&radius_km=-3", "near=Angered&radius_km=abc",
                                   "near=Angered&radius_km=100000", "near=" + "x" * 500])
def test_bad_near_input_never_breaks(client, places, query):
    for path in ("/activities", "/organisations", "/api/v1/occurrences",
                 "/api/v1/organizations"):
        assert client.get(f"{path}?{query}").status_code == 200, (path, query)


def test_unknown_place_suggests_names(client, places):
    body = client.get("/activities?near=Angerd").get_data(as_text=True)
    assert "We could not find the place" in body and "Angered" in body


class Nominatim(BaseHTTPRequestHandler):
    """Speaks Nominatim's JSON: `answer(query)` gives the places found (here always
    Angered); 500 when asked to fail. Keeps the queries it was asked in `asked`."""

    fail = False
    asked = []

    def answer(self, query):
        return [{"lat": "57.78628", "lon": "12.09852",
                 "display_name": "Angered, Göteborg, Sverige"}]

    def do_GET(self):  # noqa: N802
        query = parse_qs(urlparse(self.path).query).get("q", [""])[0]
        type(self).asked.append(query)
        if type(self).fail:
            self.send_response(500)
            self.end_headers()
            return
        body = json.dumps([dict(place, place_id=1, osm_type="node", osm_id=1,
                                boundingbox=["57.7", "57.8", "12.0", "12.1"],
                                importance=0.5) for place in self.answer(query)])
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


def serve(handler):
    """(server, its host:port) on 127.0.0.1, serving in a thread."""
    server = HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    handler.fail = False
    handler.asked = []
    return server, f"127.0.0.1:{server.server_port}"


@pytest.fixture
def nominatim():
    server, address = serve(Nominatim)
    yield address
    server.shutdown()


def test_nominatim_path_and_its_failure(app, client, places, nominatim):
    from directory.extensions import db
    from directory.geo.models import GeocodeCache
    app.config.update(GEOCODER="nominatim", NOMINATIM_DOMAIN=nominatim,
                      NOMINATIM_SCHEME="http")
    body = client.get("/api/v1/occurrences?near=Storgatan 1 Angered&radius_km=1").get_json()
    assert {i["title"] for i in body["contents"]} == {"Språkcafé Angered"}
    assert db.session.scalar(db.select(GeocodeCache)).latitude == pytest.approx(57.78628)
    Nominatim.fail = True
    page = client.get("/activities?near=Någon annan gata")
    assert page.status_code == 200
    assert "The place search is not answering just now" in page.get_data(as_text=True)


def test_an_activity_and_an_organisation_show_where_they_are(client, places):
    import re as regex
    activity = places["Angered"]

    def points(path):
        body = client.get(path).get_data(as_text=True)
        block = regex.search(r'<script type="application/json" id="map-points">(.*?)</script>',
                             body, regex.S)
        return json.loads(block.group(1))["points"]
    marks = points(f"/activities/{activity.id}")
    assert [(p["lat"], p["lon"]) for p in marks] == [PLACES["Angered"]]
    assert all(i["url"].startswith("/occurrences/") for i in marks[0]["items"])
    marks = points(f"/organisations/{activity.organisation.slug}")
    assert {i["title"] for p in marks for i in p["items"]} >= {"Förening i Angered"}
    assert {(p["lat"], p["lon"]) for p in marks} == {PLACES["Angered"]}


def test_the_organisation_list_maps_its_page(client, places):
    import re as regex
    body = client.get("/organisations?near=Gårdsten&radius_km=20").get_data(as_text=True)
    data = json.loads(regex.search(r'id="map-points">(.*?)</script>', body, regex.S).group(1))
    assert data["centre"]["label"] == "Gårdsten" and data["radius_km"] == 20
    assert {i["title"] for p in data["points"] for i in p["items"]} == {
        "Förening i Gårdsten", "Förening i Angered", "Förening i Mölndal"}
