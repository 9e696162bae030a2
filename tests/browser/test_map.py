"""The map beside the lists: markers drawn under the site's real Content-Security-Policy
with tiles unreachable, clusters when there are many, and whole pages without JavaScript."""

import json
import re

import pytest

from directory.common.caching import cache

TILES = re.compile(r"^https?://([a-z0-9-]+\.)*tile\.openstreetmap\.org/")
# A transparent 1×1 PNG, for the test that gives Leaflet tiles.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@pytest.fixture
def strict_page(browser):
    """A page under the site's own CSP (no bypass), tiles refused, errors collected."""
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda msg: page.errors.append(msg.text)
            if msg.type == "error" and not TILES.match(msg.location.get("url") or "")
            else None)
    page.route(TILES, lambda route: route.abort())
    yield page
    context.close()


def map_points(page):
    return json.loads(page.locator("#map-points").text_content())


def test_near_me_map_shows_a_marker_per_place(strict_page, url):
    page = strict_page
    page.goto(url("/activities?near=G%C3%A5rdsten&radius_km=5"))
    page.wait_for_selector("#map[data-markers]", state="attached")
    data = map_points(page)
    assert data["centre"]["label"] == "Gårdsten" and data["radius_km"] == 5
    assert len(data["points"]) > 1
    markers = page.locator("#map .leaflet-marker-icon")
    assert markers.count() == len(data["points"])
    assert page.locator(".map-section").is_visible()
    # The attribution names OpenStreetMap, and the list is still there above the map.
    assert "OpenStreetMap" in page.locator(".leaflet-control-attribution").inner_text()
    assert page.locator(".cards .card").count() >= len(data["points"])
    # A popup lists the activity with a link to it.
    markers.first.click()
    popup = page.locator(".leaflet-popup-content a").first
    assert popup.get_attribute("href").startswith("/occurrences/")
    assert not [e for e in page.errors if "Content Security Policy" in e], page.errors
    assert not page.errors, page.errors


def test_meeting_places_map_and_tile_requests(browser, url, live_server):
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    asked = []

    def tile(route):
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=PNG)

    page.route(TILES, tile)
    page.goto(url("/venues"))
    page.wait_for_selector("#map[data-markers]", state="attached")
    venues = page.locator(".cards .card").count()
    assert page.locator("#map .leaflet-marker-icon").count() == venues
    page.wait_for_selector("#map img.leaflet-tile-loaded", state="attached")
    assert asked and all(TILES.match(u) for u in asked)
    page.goto(url("/venues/kemistvagen"))
    page.wait_for_selector("#map[data-markers='1']", state="attached")
    assert page.locator("#map .leaflet-marker-icon").count() == 1
    context.close()


def test_many_points_are_clustered(strict_page, url, live_server):
    page = strict_page
    page.goto(url("/activities?per_page=100"))
    assert page.locator("#map").get_attribute("data-cluster") == "no"
    # The demo has fewer places than make clusters worth it; ask for them from 5 on.
    live_server.config["MAP_CLUSTER_FROM"] = 5
    # A setting changes with a restart, which empties the answer cache: so here.
    with live_server.app_context():
        cache.clear()
    try:
        page.goto(url("/activities?per_page=100"))
    finally:
        live_server.config.pop("MAP_CLUSTER_FROM")
        with live_server.app_context():
            cache.clear()
    assert len(map_points(page)["points"]) >= 5
    page.wait_for_selector("#map[data-markers]", state="attached")
    assert page.locator("#map").get_attribute("data-cluster") == "yes"
    assert page.locator("#map .marker-cluster").count() > 0
    assert not page.errors, page.errors


def test_pages_are_whole_without_javascript(browser, url):
    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    page = context.new_page()
    page.goto(url("/activities?near=G%C3%A5rdsten&radius_km=5"))
    # No map, the list and its distances are all there.
    assert page.locator(".map-section").is_hidden()
    assert page.locator(".leaflet-container").count() == 0
    assert page.locator(".cards .card").count() > 0
    distances = page.locator(".card .distance").all_inner_texts()
    assert distances and all(re.match(r"^\d+,\d km", d) for d in distances)
    assert page.locator("button.locate").is_hidden()
    # The form works: a radius of 1 km narrows the list (the filters are folded after
    # a search; their line opens them).
    assert page.locator(".filter-box").get_attribute("open") is None
    page.locator(".filter-box > summary").click()
    page.select_option("#f-radius", "1")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_url("**radius_km=1*")
    assert page.locator("#f-radius").input_value() == "1"
    assert all(float(d.split()[0].replace(",", ".")) <= 1.0
               for d in page.locator(".card .distance").all_inner_texts())
    page.goto(url("/venues/kemistvagen"))
    assert page.locator(".map-section").is_hidden()
    assert page.locator("h1").inner_text() == "Mötesplats Kemistvägen"
    context.close()


def test_use_my_position_fills_near(browser, url):
    context = browser.new_context(locale="sv-SE", geolocation={"latitude": 57.8048,
                                                               "longitude": 12.02883},
                                  permissions=["geolocation"])
    page = context.new_page()
    page.route(TILES, lambda route: route.abort())
    page.goto(url("/organisations"))
    page.locator("button.locate").click()
    page.wait_for_url("**near=57.80480*")
    assert page.locator(".card .distance").count() > 0
    context.close()
