"""Near me through the app: occurrences at meeting places, the API's order and paging,
the page's one line per activity, notices for bad input, the map's data, the CSP, and a
Nominatim-speaking server that answers, fails, is slow or is asked too often."""

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from directory.activities.models import Activity
from directory.common.time import utcnow
from directory.extensions import db
from directory.geo.distance import distance_km
from directory.venues.models import Room
from tests.factories import make_activity

GARDSTEN = (57.8048, 12.02883)   # the gazetteer's Gårdsten
HAMMARKULLEN = (57.7810, 12.0345)
MOLNDAL = (57.6554, 12.01378)


@pytest.fixture
def spread(factories):
    """An own-address activity in Gårdsten, a meeting place in Hammarkullen with an
    activity that has no coordinates of its own, and one in Mölndal."""
    goteborg = factories.municipality("goteborg")
    org = factories.organisation(name="Grannar i nordost", municipality=goteborg,
                                 latitude=GARDSTEN[0], longitude=GARDSTEN[1])
    near_venue = factories.venue(name="Hammarkullens mötesplats", slug="hammarkullen",
                                 latitude=HAMMARKULLEN[0], longitude=HAMMARKULLEN[1],
                                 municipality=goteborg, rooms=[("Salen", 50)])
    far_venue = factories.venue(name="Mölndals medborgarhus", slug="molndal",
                                latitude=MOLNDAL[0], longitude=MOLNDAL[1],
                                municipality=goteborg, rooms=[("Festsalen", 90)])
    own = factories.activity(org, title="Läxhjälp i Gårdsten", latitude=GARDSTEN[0] + 0.001,
                             longitude=GARDSTEN[1])
    in_room = factories.activity(org, title="Språkcafé på mötesplatsen",
                                 room=near_venue.rooms[0], street_address=None, city=None,
                                 weekdays="3")
    far = factories.activity(org, title="Kör i Mölndal", room=far_venue.rooms[0],
                             latitude=GARDSTEN[0], longitude=GARDSTEN[1], weekdays="4")
    return {"own": own, "in_room": in_room, "far": far, "near_venue": near_venue,
            "far_venue": far_venue}


def api(client, query):
    return client.get("/api/v1/occurrences?" + query).get_json()


def test_occurrences_are_where_their_room_is(client, spread):
    body = api(client, "near=Gårdsten&radius_km=5&per_page=100")
    titles = {i["title"] for i in body["contents"]}
    # The room's meeting place counts, not the activity's own (Mölndal is 16 km away
    # even though that activity's own coordinates are in Gårdsten).
    assert titles == {"Läxhjälp i Gårdsten", "Språkcafé på mötesplatsen"}
    venue_km = distance_km(GARDSTEN, HAMMARKULLEN)
    for item in body["contents"]:
        if item["title"] == "Språkcafé på mötesplatsen":
            assert item["distance_km"] == pytest.approx(venue_km, abs=0.006)
    wide = api(client, "near=Gårdsten&radius_km=20&per_page=100")
    assert "Kör i Mölndal" in {i["title"] for i in wide["contents"]}


def test_api_orders_by_distance_then_time_and_pages_alike(client, spread):
    whole = api(client, "near=Gårdsten&radius_km=20&per_page=100")
    items = whole["contents"]
    assert whole["total_items"] == len(items) > 6
    keys = [(i["distance_km"], i["starts_at"]) for i in items]
    assert keys == sorted(keys)
    assert [i["title"] for i in items][0] == "Läxhjälp i Gårdsten"
    paged = []
    for number in range(1, whole["total_items"] // 4 + 2):
        paged += api(client, f"near=Gårdsten&radius_km=20&per_page=4&page={number}")["contents"]
    assert [i["id"] for i in paged] == [i["id"] for i in items]


def test_the_page_shows_each_activity_once_nearest_first(client, spread):
    page = client.get("/activities?near=Gårdsten&radius_km=20",
                      headers={"Accept-Language": "sv"}).get_data(as_text=True)
    titles = re.findall(r'class="card-title"><a [^>]*>(?:<span[^>]*>)?([^<]+)<', page)
    assert titles == ["Läxhjälp i Gårdsten", "Språkcafé på mötesplatsen", "Kör i Mölndal"]
    distances = re.findall(r'class="distance">([\d,]+) km', page)
    assert distances == ["0,1", "2,7", "16,7"]
    data = json.loads(re.search(r'id="map-points">(.*?)</script>', page).group(1))
    assert len(data["points"]) == 3 and data["centre"]["label"] == "Gårdsten"
    assert {p["label"] for p in data["points"]} >= {"Hammarkullens mötesplats",
                                                     "Mölndals medborgarhus"}


def test_filters_still_apply_near_a_place(client, spread):
    body = api(client, "near=Gårdsten&radius_km=20&q=kör&per_page=100")
    assert {i["title"] for i in body["contents"]} == {"Kör i Mölndal"}
    body = api(client, "near=Gårdsten&radius_km=20&venue=hammarkullen&per_page=100")
    assert {i["title"] for i in body["contents"]} == {"Språkcafé på mötesplatsen"}


def test_a_moved_date_is_where_its_new_room_is(client, spread):
    # A coming date (the first may be today's, already over when run in the evening).
    occurrence = next(o for o in spread["in_room"].occurrences if o.starts_at > utcnow())
    occurrence.room_id = spread["far_venue"].rooms[0].id
    db.session.commit()
    body = api(client, "near=Mölndal&radius_km=1&per_page=100")
    assert occurrence.id in {i["id"] for i in body["contents"]}


@pytest.mark.parametrize("query, notice", [
    ("near=999,999", "not coordinates on Earth"),
    ("near=999 99", "could not find the postcode"),
    ("near=Gardstn", "Did you mean: Gårdsten"),
    ("near=Gårdsten&radius_km=-3", "Distances go from 0.1 to 100 km, so 0.1 km"),
    ("near=Gårdsten&radius_km=100000", "so 100 km is used"),
    ("near=Gårdsten&radius_km=abc", "“abc” was not understood, so 5 km"),
])
def test_bad_input_gets_a_notice(client, spread, query, notice):
    for path in ("/activities", "/organisations"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 200
        text = re.sub(r"<[^>]+>", "", response.get_data(as_text=True))  # names are links
        assert notice in text.replace("&#34;", '"'), (path, query)
    body = api(client, query)
    assert any(notice in n for n in body.get("notices", [])), body.get("notices")


def test_organisations_near_a_place(client, spread, factories):
    factories.organisation(name="Förening i Mölndal", latitude=MOLNDAL[0],
                           longitude=MOLNDAL[1])
    page = client.get("/organisations?near=Gårdsten&radius_km=25",
                      headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert re.findall(r'class="card-title"><a [^>]*>(?:<span[^>]*>)?([^<]+)<', page) == [
        "Grannar i nordost", "Förening i Mölndal"]
    # Under a tenth of a kilometre is "less than 100 m", never "0,0 km".
    assert re.findall(r'class="distance">([\d,]+) km', page) == ["16,7"]
    assert "0,0 km" not in page
    assert 'id="o-near"' in page and 'value="25"' in page


def test_the_csp_allows_the_tile_host_only(app, client, spread):
    csp = client.get("/venues").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in csp
    assert "script-src 'self'" in csp and "https:;" not in csp


def test_the_csp_follows_map_tile_url(spread):
    from directory import create_app
    from tests.conftest import config_for_tests
    other = create_app(config_for_tests(
        db.engine.url.render_as_string(hide_password=False),
        MAP_TILE_URL="https://{s}.tiles.example.se/{z}/{x}/{y}.png"))
    csp = other.test_client().get("/venues").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tiles.example.se;" in csp


def test_pages_without_places_have_no_map(client, factories):
    factories.organisation()
    body = client.get("/venues").get_data(as_text=True)
    assert "map-points" not in body and "leaflet" not in body


class Nominatim(BaseHTTPRequestHandler):
    """Speaks Nominatim's /search JSON; `mode` is ok, fail (500) or slow."""

    mode = "ok"
    asked = []

    def do_GET(self):  # noqa: N802
        Nominatim.asked.append((Nominatim.clock.now, self.path))
        if Nominatim.mode == "slow":
            time.sleep(1.5)
        if Nominatim.mode == "fail":
            self.send_response(500)
            self.end_headers()
            return
        found = [] if "nowhere" in self.path else [{
            "lat": "57.7810", "lon": "12.0345", "display_name": "Hammarkullen, Göteborg",
            "place_id": 1, "osm_type": "node", "osm_id": 1, "class": "place",
            "type": "suburb", "importance": 0.5,
            "boundingbox": ["57.77", "57.79", "12.02", "12.05"]}]
        body = json.dumps(found).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up waiting

    def log_message(self, *args):
        pass


class RateLimiterClock:
    """The clock geopy's rate limiter reads, moved on only by the limiter's own waits:
    how far apart two lookups are is read without the wall clock."""

    def __init__(self):
        self.now = time.monotonic()

    def sleep(self, seconds):
        self.now += seconds


@pytest.fixture
def nominatim(app, monkeypatch):
    from geopy.extra.rate_limiter import RateLimiter
    clock = RateLimiterClock()
    monkeypatch.setattr(RateLimiter, "_clock", lambda limiter: clock.now)
    monkeypatch.setattr(RateLimiter, "_sleep", lambda limiter, seconds: clock.sleep(seconds))
    server = ThreadingHTTPServer(("127.0.0.1", 0), Nominatim)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Nominatim.mode, Nominatim.asked, Nominatim.clock = "ok", [], clock
    app.config.update(GEOCODER="nominatim", NOMINATIM_DOMAIN=f"127.0.0.1:{server.server_port}",
                      NOMINATIM_SCHEME="http", GEOCODER_TIMEOUT=0.5)
    yield Nominatim
    server.shutdown()
    server.server_close()


def test_nominatim_answers_are_cached_and_spaced(client, spread, nominatim):
    from directory.geo.models import GeocodeCache
    body = api(client, "near=Hammarkullen torget&radius_km=1")
    assert {i["title"] for i in body["contents"]} == {"Språkcafé på mötesplatsen"}
    assert "/search?" in nominatim.asked[0][1] and "countrycodes=se" in nominatim.asked[0][1]
    api(client, "near=HAMMARKULLEN TORGET&radius_km=1")
    assert len(nominatim.asked) == 1  # the database cache answered (folded text)
    cached = db.session.scalar(db.select(GeocodeCache))
    assert cached.query == "hammarkullen torget" and cached.latitude == pytest.approx(57.781)
    notice = client.get("/activities?near=nowhere at all").get_data(as_text=True)
    assert "We could not find the place" in notice
    # Two lookups a second apart at least.
    assert nominatim.asked[1][0] - nominatim.asked[0][0] >= 0.95
    # A miss is kept too.
    client.get("/activities?near=nowhere at all")
    assert len(nominatim.asked) == 2


@pytest.mark.parametrize("mode", ["fail", "slow"])
def test_nominatim_down_or_slow_never_breaks_a_page(client, spread, nominatim, mode):
    nominatim.mode = mode
    page = client.get("/activities?near=Hammarkullen torget")
    assert page.status_code == 200
    assert "The place search is not answering just now" in page.get_data(as_text=True)
    body = api(client, "near=Hammarkullen torget")
    assert body["total_items"] > 0 and "notices" in body
    # A failure is not cached: once the service is back, it is asked again.
    nominatim.mode = "ok"
    body = api(client, "near=Hammarkullen torget&radius_km=1")
    assert {i["title"] for i in body["contents"]} == {"Språkcafé på mötesplatsen"}


def test_coordinates_never_reach_nominatim(client, spread, nominatim):
    body = api(client, "near=57.7810,12.0345&radius_km=1")
    assert {i["title"] for i in body["contents"]} == {"Språkcafé på mötesplatsen"}
    assert nominatim.asked == []


def test_rooms_fixture_sanity(spread):
    assert db.session.get(Room, spread["in_room"].room_id).venue.slug == "hammarkullen"


def test_the_open_data_lists_near_a_place_come_nearest_first(client, spread):
    """Services, locations and services at locations near Gårdsten: each nearest first,
    as the dates and the organisations are (by title or name without `near`). An
    activity is as near as its own place or the nearest meeting place of its dates."""
    org = spread["own"].organisation
    make_activity(org, title="Akvarell i Mölndal", room=spread["far_venue"].rooms[0],
                  street_address=None, city=None, weekdays="5")
    query = "near=Gårdsten&radius_km=20&per_page=50"

    def names(path):
        return client.get(f"/api/v1/{path}?{query}",
                          headers={"Accept-Language": "sv"}).get_json()

    services = [s["name"] for s in names("services")["contents"]]
    # Kör i Mölndal has its own place in Gårdsten (0 km) besides its room in Mölndal.
    assert services == ["Kör i Mölndal", "Läxhjälp i Gårdsten", "Språkcafé på mötesplatsen",
                        "Akvarell i Mölndal"]
    locations = [loc["name"] for loc in names("locations")["contents"]]
    assert locations == ["Kör i Mölndal", "Läxhjälp i Gårdsten", "Hammarkullens mötesplats",
                         "Mölndals medborgarhus"]
    pairs = [(s["service_id"], s["location"]["name"])
             for s in names("service_at_locations")["contents"]]
    uuid = {a.uuid: a.title for a in db.session.scalars(db.select(Activity))}
    assert [(uuid[s], where) for s, where in pairs] == [
        ("Kör i Mölndal", "Kör i Mölndal"), ("Läxhjälp i Gårdsten", "Läxhjälp i Gårdsten"),
        ("Språkcafé på mötesplatsen", "Hammarkullens mötesplats"),
        ("Akvarell i Mölndal", "Mölndals medborgarhus"),
        ("Kör i Mölndal", "Mölndals medborgarhus")]
    # Paged, the same order.
    paged = []
    for number in (1, 2, 3):
        body = client.get(f"/api/v1/services?near=Gårdsten&radius_km=20&per_page=2"
                          f"&page={number}", headers={"Accept-Language": "sv"}).get_json()
        paged += [s["name"] for s in body["contents"]]
        assert body["total_items"] == 4
    assert paged == services
