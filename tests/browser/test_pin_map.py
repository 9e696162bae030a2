"""The pin map of the profile form, under the site's own Content-Security-Policy:
clicking places the pin and fills the coordinates, which are saved; without JavaScript
the coordinates are plain fields."""

from directory.extensions import db
from directory.organisations.models import Organisation
from tests.browser.conftest import log_in
from tests.browser.test_map import TILES, strict_page  # noqa: F401 - a fixture
from tests.browser.test_self_service import owner_of_a_verified_organisation


def test_a_click_on_the_map_places_the_pin_and_it_is_saved(strict_page, url,  # noqa: F811
                                                          live_server):
    page = strict_page
    slug = owner_of_a_verified_organisation(live_server, "nal@example.se")
    log_in(page, url, "nal@example.se")
    page.goto(url(f"/manage/organisations/{slug}"))
    pin_map = page.locator(".pin-map")
    pin_map.wait_for(state="visible")
    page.get_by_label("Latitud").fill("")
    page.get_by_label("Longitud").fill("")
    pin_map.scroll_into_view_if_needed()
    box = pin_map.bounding_box()
    pin_map.click(position={"x": box["width"] / 2 + 40, "y": box["height"] / 2 - 30})
    assert pin_map.get_attribute("data-pinned") == "yes"
    assert page.locator(".pin-map .leaflet-marker-icon").count() == 1
    latitude = float(page.get_by_label("Latitud").input_value())
    longitude = float(page.get_by_label("Longitud").input_value())
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(f"**/manage/organisations/{slug}")
    assert "Sparat." in page.locator(".notice").inner_text()
    with live_server.app_context():
        org = db.session.scalar(db.select(Organisation).filter_by(slug=slug))
        assert (org.latitude, org.longitude) == (latitude, longitude)
        db.session.remove()
    # Typed coordinates move the pin; "remove the pin" empties both fields.
    page.get_by_label("Latitud").fill("57,7000")
    page.get_by_label("Latitud").dispatch_event("change")
    page.get_by_role("button", name="Ta bort nålen").click()
    assert page.get_by_label("Latitud").input_value() == ""
    assert page.get_by_label("Longitud").input_value() == ""
    assert page.locator(".pin-map .leaflet-marker-icon").count() == 0
    assert not page.errors, page.errors


def test_without_javascript_the_coordinates_are_plain_fields(browser, url, live_server):
    slug = owner_of_a_verified_organisation(live_server, "utan@example.se")
    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    page = context.new_page()
    log_in(page, url, "utan@example.se")
    page.goto(url(f"/manage/organisations/{slug}"))
    assert page.locator(".pin-map-section").is_hidden()
    page.get_by_label("Latitud").fill("57,8048")
    page.get_by_label("Longitud").fill("12,0288")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(f"**/manage/organisations/{slug}")
    assert page.get_by_label("Latitud").input_value() == "57.8048"
    context.close()
