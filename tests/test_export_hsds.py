"""`flask export-hsds DIR`: the public register as HSDS JSON and as the CSV data
package, valid by the HSDS schemas and safe to open in a spreadsheet."""

import csv
import json

from directory.extensions import db
from tests.hsds_schemas import errors

KINDS = {"organizations": "organization", "services": "service", "locations": "location",
         "service_at_locations": "service_at_location", "taxonomies": "taxonomy",
         "taxonomy_terms": "taxonomy_term"}


def _register(factories):
    org = factories.organisation(name="=HYPERLINK(\"http://evil\")", org_number="802000-0001",
                                 phone="08-123 45", email="info@example.se")
    venue = factories.venue()
    activity = factories.activity(organisation=org, title="Språkcafé", focus=["utbildning"],
                                  targets=["barn"])
    for occurrence in activity.occurrences:
        occurrence.room_id = venue.rooms[0].id
    db.session.commit()
    factories.activity(organisation=factories.organisation(name="Väntande",
                                                           status="pending"),
                       title="Dold")
    return org, venue, activity


def test_export_writes_valid_json_per_object_type(app, factories, tmp_path):
    org, venue, activity = _register(factories)
    result = app.test_cli_runner().invoke(args=["export-hsds", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "services: 1" in result.output
    for name, kind in KINDS.items():
        items = json.loads((tmp_path / "json" / f"{name}.json").read_text("utf-8"))
        assert items, name
        for item in items:
            assert errors(item, kind) == [], (name, item.get("id"))
    services = json.loads((tmp_path / "json" / "services.json").read_text("utf-8"))
    assert [s["id"] for s in services] == [activity.uuid]
    organizations = json.loads((tmp_path / "json" / "organizations.json").read_text("utf-8"))
    assert [o["id"] for o in organizations] == [org.uuid]
    locations = json.loads((tmp_path / "json" / "locations.json").read_text("utf-8"))
    assert {loc["id"] for loc in locations} == {venue.uuid, activity.uuid}


def test_export_writes_the_csv_data_package_formula_safe(app, factories, tmp_path):
    org, venue, activity = _register(factories)
    app.test_cli_runner().invoke(args=["export-hsds", str(tmp_path)])
    package = json.loads((tmp_path / "csv" / "datapackage.json").read_text("utf-8"))
    assert package["licenses"][0]["path"] == app.config["DATA_LICENSE"]
    names = {r["name"] for r in package["resources"]}
    assert {"organization", "service", "location", "address", "schedule",
            "service_at_location", "taxonomy", "taxonomy_term", "attribute"} <= names
    for resource in package["resources"]:
        with (tmp_path / "csv" / resource["path"]).open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        columns = [field["name"] for field in resource["schema"]["fields"]]
        with (tmp_path / "csv" / resource["path"]).open(encoding="utf-8") as f:
            assert next(csv.reader(f)) == columns
        ids = [row["id"] for row in rows]
        assert len(ids) == len(set(ids))
        for row in rows:
            for value in row.values():
                assert not value.startswith(("=", "+", "@")), (resource["name"], value)
    with (tmp_path / "csv" / "organization.csv").open(encoding="utf-8", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert row["name"] == "'=HYPERLINK(\"http://evil\")" and row["id"] == org.uuid
    with (tmp_path / "csv" / "schedule.csv").open(encoding="utf-8", newline="") as f:
        schedules = list(csv.DictReader(f))
    assert {s["service_id"] for s in schedules} == {activity.uuid}
    assert all(s["byday"] == "TU" and s["opens_at"] == "17:00" for s in schedules)


def _api_list(client, path):
    """{id: object} of every item of an API list, page by page."""
    found = {}
    for number in range(1, 20):
        body = client.get(f"/api/v1/{path}?per_page=100&page={number}",
                          headers={"Accept-Language": "sv"}).get_json()
        found.update({item["id"]: item for item in body["contents"]})
        if body["last_page"]:
            return found
    raise AssertionError("no last page")


def test_the_export_read_a_few_at_a_time_is_what_the_api_lists(app, client, factories,
                                                                tmp_path):
    """Read two objects at a time (each batch the next by id), the export holds exactly
    the objects the API's lists show, each once, nothing that is not public, and its
    tables a row per object; a second export replaces the first whole."""
    from directory.api.export import export_hsds
    _register(factories)
    for n in range(5):
        other = factories.organisation(name=f"Förening {n}")
        factories.activity(organisation=other, title=f"Kurs {n}")
    factories.activity(organisation=factories.organisation(name="Vilande", status="pending"),
                       title="Dold 2")
    with app.test_request_context(base_url="http://localhost"):
        counts = export_hsds(tmp_path, size=2)
    exported = {name: json.loads((tmp_path / "json" / f"{name}.json").read_text("utf-8"))
                for name in ("organizations", "services", "locations",
                             "service_at_locations")}
    for name, items in exported.items():
        assert len(items) == counts[name]
        assert len({item["id"] for item in items}) == len(items), name
        if name != "organizations":  # the list is of our own kind; by UUID, HSDS's
            assert {item["id"]: item for item in items} == _api_list(client, name), name
    assert sorted(o["name"] for o in exported["organizations"]) == sorted(
        o["name"] for o in _api_list(client, "organizations").values())
    for org in exported["organizations"]:
        assert client.get(f"/api/v1/organizations/{org['id']}",
                          headers={"Accept-Language": "sv"}).get_json() == org
    with (tmp_path / "csv" / "service.csv").open(encoding="utf-8", newline="") as f:
        names = sorted(row["name"] for row in csv.DictReader(f))
    assert names == sorted(["Språkcafé", *(f"Kurs {n}" for n in range(5))])
    factories.activity(organisation=factories.organisation(name="Ny"), title="Nytt")
    with app.test_request_context(base_url="http://localhost"):
        assert export_hsds(tmp_path, size=2)["services"] == counts["services"] + 1
    assert not list(tmp_path.rglob("*.part"))
    with (tmp_path / "csv" / "service.csv").open(encoding="utf-8", newline="") as f:
        assert "Nytt" in {row["name"] for row in csv.DictReader(f)}


def test_the_export_is_one_snapshot_while_the_register_changes(app, factories, tmp_path):
    """While another thread hides and shows organisations again and again, each export
    (read one object at a time) agrees with itself: every service's organisation is in
    the organisations file, and every organisation there has its services."""
    import threading

    from directory.api.export import export_hsds
    from directory.organisations.models import Organisation
    ids = []
    for n in range(6):
        org = factories.organisation(name=f"Förening {n}")
        factories.activity(organisation=org, title=f"Kurs {n}")
        ids.append(org.id)
    stop, flips = threading.Event(), []

    def flip():
        with app.app_context():
            while not stop.is_set():
                org = db.session.get(Organisation, ids[len(flips) % len(ids)])
                org.status = "pending" if org.status == "verified" else "verified"
                db.session.commit()
                flips.append(org.id)
            db.session.remove()

    writer = threading.Thread(target=flip)
    writer.start()
    try:
        for _ in range(6):
            with app.test_request_context(base_url="http://localhost"):
                export_hsds(tmp_path, size=1)
            read = {name: json.loads((tmp_path / "json" / f"{name}.json").read_text("utf-8"))
                    for name in ("organizations", "services")}
            assert ({s["organization_id"] for s in read["services"]}
                    == {o["id"] for o in read["organizations"]})
    finally:
        stop.set()
        writer.join()
    assert flips
