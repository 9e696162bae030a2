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
