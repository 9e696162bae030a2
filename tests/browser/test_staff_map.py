"""The coordinators' map draws the walking-distance circle of every district in the
table, under the site's own Content-Security-Policy."""

import json

from tests.browser.test_map import strict_page  # noqa: F401 - a fixture
from tests.browser.test_pin_map import log_in
from tests.conftest import make_user


def test_the_offer_map_draws_the_districts_of_the_table(strict_page, url,  # noqa: F811
                                                        live_server):
    page = strict_page
    with live_server.app_context():
        make_user(email="karta@example.se", role="staff")
    log_in(page, url, "karta@example.se")
    page.goto(url("/staff/map?kommun=goteborg&radius_km=1"))
    page.wait_for_selector("#map[data-markers]", state="attached")
    data = json.loads(page.locator("#map-points").text_content())
    rows = page.locator("table.coverage tbody th[scope=row]")
    assert rows.count() == len(data["areas"]) > 3
    # One circle per district, and a marker (or cluster) for the places.
    assert page.locator("#map path.leaflet-interactive").count() == len(data["areas"])
    assert page.locator("#map .leaflet-marker-icon").count() > 0
    assert not page.errors, page.errors
