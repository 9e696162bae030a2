"""The HSDS 3.0 routes of the API: every answer valid by the HSDS schemas (tests/hsds/),
schedules as weekly rules, stable UUIDs, only public things."""

from datetime import timedelta

from directory.common.time import local_today
from directory.extensions import db
from tests.hsds_schemas import errors, schedule_problems

ENVELOPE = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page",
            "empty", "contents"}


def _world(factories):
    org = factories.organisation(name="Läxhjälpen", email="info@example.se",
                                 phone="08-123 45", website="https://example.se",
                                 focus=["utbildning"])
    hidden = factories.organisation(name="Väntande", status="pending")
    venue = factories.venue()
    at_venue = factories.activity(organisation=org, title="Språkcafé", room_id=None,
                                  focus=["utbildning"], targets=["barn"])
    for occurrence in at_venue.occurrences:
        occurrence.room_id = venue.rooms[0].id
    db.session.commit()
    own = factories.activity(organisation=org, title="Läxhjälp", count=None)
    factories.activity(organisation=hidden, title="Dold")
    return org, venue, at_venue, own


def _valid(body, kind):
    assert ENVELOPE <= set(body)
    for item in body["contents"]:
        assert errors(item, kind) == []


def test_root_names_version_profile_and_openapi(client):
    body = client.get("/api/v1/").get_json()
    assert body["version"].startswith("3.")
    assert body["openapi_url"].endswith("/api/v1/openapi.json")
    assert body["profile"].startswith("https://")


def test_every_hsds_list_is_valid_and_public_only(client, factories):
    org, venue, at_venue, own = _world(factories)
    services = client.get("/api/v1/services").get_json()
    _valid(services, "service")
    assert [s["name"] for s in services["contents"]] == ["Läxhjälp", "Språkcafé"]
    assert {s["id"] for s in services["contents"]} == {own.uuid, at_venue.uuid}
    _valid(client.get("/api/v1/locations").get_json(), "location")
    _valid(client.get("/api/v1/service_at_locations").get_json(), "service_at_location")
    _valid(client.get("/api/v1/taxonomies").get_json(), "taxonomy")
    terms = client.get("/api/v1/taxonomy_terms").get_json()
    _valid(terms, "taxonomy_term")
    assert {t["code"] for t in terms["contents"]} >= {"utbildning", "barn"}
    body = client.get(f"/api/v1/organizations/{org.uuid}").get_json()
    assert errors(body, "organization") == [] and body["id"] == org.uuid
    for service in services["contents"]:
        one = client.get(f"/api/v1/services/{service['id']}").get_json()
        assert errors(one, "service") == [] and one == service


def test_service_locations_are_its_meeting_places_and_own_place(client, factories):
    org, venue, at_venue, own = _world(factories)
    body = client.get(f"/api/v1/services/{at_venue.uuid}").get_json()
    located = {s["location_id"] for s in body["service_at_locations"]}
    assert located == {venue.uuid, at_venue.uuid}
    place = client.get(f"/api/v1/locations/{venue.uuid}").get_json()
    assert errors(place, "location") == [] and place["name"] == venue.name
    assert place["addresses"][0]["country"] == "SE"
    mine = client.get(f"/api/v1/locations/{own.uuid}").get_json()
    assert errors(mine, "location") == [] and mine["addresses"][0]["city"] == "Täby"
    pairs = client.get("/api/v1/service_at_locations").get_json()
    assert pairs["total_items"] == 3
    assert client.get("/api/v1/locations/" + "0" * 8 + "-0000-4000-8000-" + "0" * 12
                      ).status_code == 404


def test_schedules_are_weekly_rules_with_local_times(client, factories):
    org = factories.organisation()
    today = local_today()
    weekly = factories.activity(organisation=org, title="A", weekdays="0,3", interval=2)
    counted = factories.activity(organisation=org, title="B", until=None, count=5)
    once = factories.activity(organisation=org, title="C", recurrence="once", weekdays="",
                              until=None, starts_on=today + timedelta(days=3))
    found = {s["name"]: s["schedules"][0] for s in
             client.get("/api/v1/services").get_json()["contents"]}
    assert found["A"]["freq"] == "WEEKLY" and found["A"]["byday"] == "MO,TH"
    assert found["A"]["interval"] == 2 and found["A"]["until"] == weekly.until.isoformat()
    assert found["A"]["opens_at"] == "17:00" and found["A"]["closes_at"] == "18:30"
    assert found["B"]["count"] == 5 and "until" not in found["B"]
    assert "freq" not in found["C"]
    assert found["C"]["valid_from"] == found["C"]["valid_to"] == once.starts_on.isoformat()
    for schedule in found.values():
        assert schedule_problems(schedule) == []
    assert counted.uuid != weekly.uuid


def test_an_ended_series_ends_in_its_rule(client, factories):
    from directory.common.time import utcnow
    activity = factories.activity(until=None, count=40)
    activity.status, activity.ended_at = "ended", utcnow()
    db.session.commit()
    schedule = client.get(f"/api/v1/services/{activity.uuid}").get_json()["schedules"][0]
    assert schedule["until"] == local_today().isoformat() and "count" not in schedule


def test_hsds_parameters_filter(client, factories):
    org, venue, at_venue, own = _world(factories)
    other = factories.organisation(name="Annan")
    factories.activity(organisation=other, title="Fotboll")

    def names(query):
        body = client.get("/api/v1/services?" + query).get_json()
        return sorted(s["name"] for s in body["contents"])
    assert names("search=fotboll") == ["Fotboll"]
    assert names(f"organization_id={org.uuid}") == ["Läxhjälp", "Språkcafé"]
    focus = client.get("/api/v1/taxonomy_terms").get_json()["contents"]
    barn = next(t["id"] for t in focus if t["code"] == "barn")
    assert names(f"taxonomy_term_id={barn}") == ["Språkcafé"]
    assert names("per_page=1&page=2") == ["Läxhjälp"]
    assert names("near=59.4439,18.0687&radius_km=1") == ["Språkcafé"]
    bad = client.get("/api/v1/services?organization_id=nej")
    assert bad.status_code == 400
    assert set(bad.get_json()["error"]["fields"]) == {"organization_id"}


def test_uuids_stay_across_requests_and_edits(client, factories):
    org, venue, at_venue, own = _world(factories)
    first = client.get("/api/v1/services").get_json()["contents"]
    own.title = "Läxhjälp och språk"
    org.name = "Läxhjälpen i Täby"
    venue.name = "Kemistvägen"
    db.session.commit()
    second = client.get("/api/v1/services").get_json()["contents"]
    assert sorted(s["id"] for s in first) == sorted(s["id"] for s in second)
    assert {s["organization_id"] for s in second} == {org.uuid}
    def schedule_ids(items):
        return sorted(s["schedules"][0]["id"] for s in items)
    assert schedule_ids(first) == schedule_ids(second)
    locations = client.get("/api/v1/locations").get_json()["contents"]
    assert venue.uuid in {loc["id"] for loc in locations}


def test_the_slug_still_answers_as_before(client, factories):
    org = factories.organisation(name="Läxhjälpen")
    by_slug = client.get(f"/api/v1/organizations/{org.slug}").get_json()
    assert by_slug["id"] == org.id and by_slug["slug"] == org.slug
    hidden = factories.organisation(name="Väntande", status="pending")
    assert client.get(f"/api/v1/organizations/{hidden.uuid}").status_code == 404


def test_services_at_locations_page_in_order(client, factories):
    org, venue, at_venue, own = _world(factories)
    second = factories.venue(name="Biblioteket", slug="biblioteket")
    later = next(o for o in at_venue.occurrences.all()[::-1])
    later.room_id = second.rooms[0].id
    db.session.commit()
    pages = [client.get(f"/api/v1/service_at_locations?per_page=2&page={n}").get_json()
             for n in (1, 2)]
    assert [p["total_items"] for p in pages] == [4, 4]
    pairs = [(c["service_id"], c["location"].get("name")) for p in pages
             for c in p["contents"]]
    assert pairs == [(own.uuid, "Läxhjälp"), (at_venue.uuid, "Språkcafé"),
                     (at_venue.uuid, "Biblioteket"), (at_venue.uuid, venue.name)]


def _every_page(client, path, per_page):
    """(every item of a list page by page, the first page's envelope, the last's)."""
    items, first = [], None
    for number in range(1, 60):
        body = client.get(f"/api/v1/{path}?per_page={per_page}&page={number}").get_json()
        first = first or body
        items += body["contents"]
        if body["last_page"]:
            return items, first, body
    raise AssertionError("no last page")


def test_the_open_data_lists_walk_by_title_counted_so_far(client, factories):
    """Services, services at locations and locations by title, counted only so far past
    the page (total_items_exact false) until a page reaches their end: every one once,
    in order, each service at its own place first, then at its meeting places."""
    from directory.common.listing import COUNT_AHEAD
    org, venue, at_venue, own = _world(factories)
    for n in range(COUNT_AHEAD + 4):
        factories.activity(organisation=org, title=f"Kurs {n:02d}", count=2)
    other = factories.venue(name="Kvartersgården", slug="kvartersgarden")
    for occurrence in own.occurrences:  # at its own place and at a meeting place
        occurrence.room_id = other.rooms[0].id
        break
    db.session.commit()
    titles = sorted([f"Kurs {n:02d}" for n in range(COUNT_AHEAD + 4)]
                    + ["Läxhjälp", "Språkcafé"])
    services, first, last = _every_page(client, "services", 2)
    assert [s["name"] for s in services] == titles
    assert first["total_items"] == 2 + COUNT_AHEAD and first["total_items_exact"] is False
    assert last["total_items"] == len(titles) and "total_items_exact" not in last
    pairs, first, last = _every_page(client, "service_at_locations", 3)
    names = {s["id"]: s["name"] for s in services}
    shown = [(names[p["service_id"]], p["location"]["name"]) for p in pairs]
    assert shown[titles.index("Läxhjälp"):titles.index("Läxhjälp") + 4] == [
        ("Läxhjälp", "Läxhjälp"), ("Läxhjälp", other.name), ("Språkcafé", "Språkcafé"),
        ("Språkcafé", venue.name)]
    assert len(shown) == len(titles) + 2 == last["total_items"]
    assert first["total_items_exact"] is False
    locations, first, last = _every_page(client, "locations", 4)
    assert [loc["name"] for loc in locations] == [other.name, venue.name] + titles
    assert first["total_items_exact"] is False and "total_items_exact" not in last
