"""Addresses put on the map when organisations, meeting places and activities are saved:
found, found only as a town, not found, or the geocoder down; typed coordinates and pins;
saving is never blocked by the geocoder."""

import pytest

from directory.activities.models import Activity
from directory.extensions import db
from directory.organisations.models import Organisation
from directory.venues.models import Venue
from tests import test_geo as geo_tests
from tests.conftest import AuthActions
from tests.test_activities_manage import weekly_form
from tests.test_organisations_self_service import registration

ANGERED = (57.7975, 12.0484)   # the gazetteer's Angered (its centre)
MOLNDAL = (57.6554, 12.01378)


def profile(org, **overrides):
    """The edit form of an organisation as its page would post it back."""
    data = {"name": org.name, "kind": org.kind, "description": org.description,
            "municipality": str(org.municipality_id), "street_address": "",
            "postal_code": "", "city": "", "latitude": "", "longitude": ""}
    data.update(overrides)
    return data


def owner_of(client, factories, **org_fields):
    org = factories.organisation(name="Kvinnor i Angered", **org_fields)
    factories.user(email="o@example.se", organisation=org)
    AuthActions(client).login("o@example.se")
    return org


def test_registration_in_a_known_town_is_placed_there_and_asks_for_the_exact_spot(
        client, factories):
    municipality = factories.municipality("goteborg")
    response = client.post("/organisations/register", data=registration(
        municipality=str(municipality.id), street_address="Angereds torg 5",
        postal_code="424 65", city="Angered"))
    org = db.session.scalar(db.select(Organisation).filter_by(name="Nya Språkvänner"))
    assert response.status_code == 303
    assert response.location.endswith(f"/manage/organisations/{org.slug}#where")
    assert (org.latitude, org.longitude) == pytest.approx(ANGERED)
    page = client.get(response.location).get_data(as_text=True)
    assert "Thank you!" in page
    assert "The street address was not found on the map, so the place is shown in the " \
           "middle of Angered." in page
    assert 'value="57.7975"' in page  # the form shows where it was put

    org.status = "verified"
    db.session.commit()
    near = client.get("/api/v1/organizations?near=Gårdsten&radius_km=5").get_json()
    assert [o["name"] for o in near["contents"]] == ["Nya Språkvänner"]


def test_an_unknown_address_is_saved_and_the_form_asks_for_a_pin(client, factories):
    org = owner_of(client, factories)
    url = f"/manage/organisations/{org.slug}"
    response = client.post(url, data=profile(org, street_address="Okändgatan 3",
                                             city="Ingenstansby"))
    assert response.status_code == 303 and response.location.endswith("#where")
    db.session.refresh(org)
    assert org.city == "Ingenstansby" and org.latitude is None and org.longitude is None
    page = client.get(url).get_data(as_text=True)
    assert "The address was not found on the map. Place a pin or type the coordinates" in page
    assert 'id="where"' in page and 'class="pin-map-section" hidden' in page

    # Typed with Swedish decimal commas: saved as typed, nothing more asked.
    response = client.post(url, data=profile(org, street_address="Okändgatan 3",
                                             city="Ingenstansby", latitude="57,7970",
                                             longitude="12,0430"))
    assert response.status_code == 303 and "#" not in response.location
    db.session.refresh(org)
    assert (org.latitude, org.longitude) == (57.797, 12.043)
    assert "not found on the map" not in client.get(url).get_data(as_text=True)


def test_a_pair_pasted_into_the_latitude_is_split(client, factories):
    org = owner_of(client, factories)
    client.post(f"/manage/organisations/{org.slug}",
                data=profile(org, latitude="57.7970, 12.0430"))
    db.session.refresh(org)
    assert (org.latitude, org.longitude) == (57.797, 12.043)


@pytest.mark.parametrize("latitude, longitude, field, message", [
    ("57.79", "", "longitude", "Give both the latitude and the longitude, or neither."),
    ("", "12.04", "latitude", "Give both the latitude and the longitude, or neither."),
    ("99", "12.04", "latitude", "A latitude in Sweden, 55–70."),
    ("57.79", "181", "longitude", "A longitude in Sweden, 10–25."),
    ("norr", "12.04", "latitude", "Write a number, like 57.7970."),
])
def test_bad_coordinates_are_explained_beside_the_field_and_nothing_is_saved(
        client, factories, latitude, longitude, field, message):
    org = owner_of(client, factories, city="Angered", latitude=ANGERED[0],
                   longitude=ANGERED[1])
    response = client.post(f"/manage/organisations/{org.slug}", data=profile(
        org, name="Nytt namn", city="Angered", latitude=latitude, longitude=longitude))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<p class="error" id="{field}-error">{message}</p>' in body
    assert f'value="{latitude}"' in body if latitude else True  # what was typed stays
    db.session.refresh(org)
    assert org.name == "Kvinnor i Angered"
    assert (org.latitude, org.longitude) == ANGERED


def test_a_changed_address_is_located_again_and_a_moved_pin_wins(client, factories):
    org = owner_of(client, factories, city="Angered", latitude=ANGERED[0],
                   longitude=ANGERED[1])
    url = f"/manage/organisations/{org.slug}"
    # The form sends back the old coordinates with the new town: the town decides.
    client.post(url, data=profile(org, city="Mölndal", latitude=str(ANGERED[0]),
                                  longitude=str(ANGERED[1])))
    db.session.refresh(org)
    assert (org.latitude, org.longitude) == pytest.approx(MOLNDAL)
    # A pin moved (coordinates changed) with the same address: the pin decides.
    client.post(url, data=profile(org, city="Mölndal", latitude="57.6600",
                                  longitude="12.0200"))
    db.session.refresh(org)
    assert (org.latitude, org.longitude) == (57.66, 12.02)
    # Emptied coordinates: found again from the address.
    client.post(url, data=profile(org, city="Mölndal"))
    db.session.refresh(org)
    assert (org.latitude, org.longitude) == pytest.approx(MOLNDAL)


def test_an_activity_at_its_own_address_is_found_near_it(client, factories):
    org = owner_of(client, factories)
    response = client.post(f"/manage/organisations/{org.slug}/activities/new",
                           data=weekly_form(title="Stickcafé", street_address="",
                                            city="Angered"))
    activity = db.session.scalar(db.select(Activity).filter_by(title="Stickcafé"))
    assert response.status_code == 303
    assert (activity.latitude, activity.longitude) == pytest.approx(ANGERED)
    near = client.get("/activities?near=Gårdsten&radius_km=5").get_data(as_text=True)
    assert "Stickcafé" in near and "1.4 km away" in near
    # Only a town, no street: nothing more to ask.
    assert response.location.endswith(f"/manage/activities/{activity.id}/dates")


class Nominatim(geo_tests.Nominatim):
    """Kemistvägen in Täby, and Täby; nothing for other queries."""

    def answer(self, query):
        if "Kemistvägen" in query:
            return [{"lat": "59.44671", "lon": "18.07952",
                     "display_name": "Kemistvägen 17, Täby, Sverige"}]
        if query.strip() in ("183 79 Täby", "Täby"):
            return [{"lat": "59.4439", "lon": "18.06872", "display_name": "Täby"}]
        return []


@pytest.fixture
def nominatim(app):
    server, address = geo_tests.serve(Nominatim)
    app.config.update(GEOCODER="nominatim", NOMINATIM_DOMAIN=address,
                      NOMINATIM_SCHEME="http")
    yield Nominatim
    server.shutdown()


def venue_form(municipality, **overrides):
    data = {"name": "Träffpunkt Täby", "street_address": "Kemistvägen 17",
            "postal_code": "183 79", "city": "Täby", "municipality": str(municipality.id),
            "latitude": "", "longitude": ""}
    data.update(overrides)
    return data


def test_a_meeting_place_is_found_exactly_through_nominatim(client, factories, nominatim, auth):
    municipality = factories.municipality()
    factories.user(email="s@example.se", role="staff")
    auth.login("s@example.se")
    response = client.post("/staff/venues", data=venue_form(municipality))
    venue = db.session.scalar(db.select(Venue).filter_by(name="Träffpunkt Täby"))
    assert response.status_code == 303 and "#" not in response.location
    assert (venue.latitude, venue.longitude) == (59.44671, 18.07952)
    assert nominatim.asked == ["Kemistvägen 17, 183 79 Täby"]
    # Saved again unchanged: the coordinates are kept and nobody is asked.
    form = venue_form(municipality, latitude=str(venue.latitude),
                      longitude=str(venue.longitude), accessibility="Ramp vid entrén.")
    client.post(f"/staff/venues/{venue.slug}", data=form)
    assert nominatim.asked == ["Kemistvägen 17, 183 79 Täby"]
    db.session.refresh(venue)
    assert venue.accessibility == "Ramp vid entrén." and venue.latitude == 59.44671


def test_a_street_nominatim_does_not_know_is_placed_in_its_town(client, factories,
                                                                nominatim, auth):
    municipality = factories.municipality()
    factories.user(email="s@example.se", role="staff")
    auth.login("s@example.se")
    response = client.post("/staff/venues", data=venue_form(
        municipality, street_address="Nygatan 1"))
    venue = db.session.scalar(db.select(Venue).filter_by(name="Träffpunkt Täby"))
    assert response.location.endswith("#where")
    assert (venue.latitude, venue.longitude) == (59.4439, 18.06872)
    assert nominatim.asked == ["Nygatan 1, 183 79 Täby", "183 79 Täby"]
    assert "shown in the middle of Täby" in client.get(response.location).get_data(
        as_text=True)


def test_a_geocoder_that_is_down_never_blocks_a_save_and_is_caught_up_later(
        app, client, factories, nominatim, auth):
    municipality = factories.municipality()
    factories.user(email="s@example.se", role="staff")
    auth.login("s@example.se")
    nominatim.fail = True
    response = client.post("/staff/venues", data=venue_form(municipality))
    venue = db.session.scalar(db.select(Venue).filter_by(name="Träffpunkt Täby"))
    assert response.status_code == 303 and response.location.endswith("#where")
    assert venue.street_address == "Kemistvägen 17" and venue.latitude is None
    assert "The map search is not answering just now" in client.get(
        response.location).get_data(as_text=True)

    runner = app.test_cli_runner()
    result = runner.invoke(args=["geocode-missing"])
    assert result.exit_code == 1 and "stopped answering" in result.output
    nominatim.fail = False
    result = runner.invoke(args=["geocode-missing"])
    assert result.exit_code == 0, result.output
    assert "Placed on the map: 1 exactly, 0 in the middle of their town; 0 not found." in result.output
    db.session.expire_all()
    venue = db.session.scalar(db.select(Venue).filter_by(name="Träffpunkt Täby"))
    assert (venue.latitude, venue.longitude) == (59.44671, 18.07952)
