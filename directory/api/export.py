"""`flask export-hsds DIR`: the whole public register as HSDS 3.0, once as JSON (one
file per object type, each a list of whole objects) and once as the HSDS tabular data
package (datapackage.json and one CSV per table, each cell formula-safe). The objects
are the API's (api.hsds), of the rows the lists show with no filter, read a batch at a
time by id and written as they are made: at --scale 100000 the register is read once
and held a batch at a time (paging the lists re-read it up to each page, and the whole
register was held to be written at the end)."""

import json
from pathlib import Path

import click
import orjson
from flask import current_app
from flask.cli import with_appcontext

from ..activities.published import public_activity_batches, public_location_batches
from ..common.db import begin_snapshot
from ..common.spreadsheet import DataCsv
from ..extensions import db
from ..organisations.services import public_organisation_batches
from ..taxonomy.services import all_focus_areas, all_target_groups
from . import hsds

BATCH = 500
# Each HSDS table's columns: the scalar fields of its schema, in the schema's order.
TABLES = {
    "organization": ("id", "name", "alternate_name", "description", "email", "website",
                     "tax_status", "tax_id", "year_incorporated", "legal_status", "logo",
                     "uri", "parent_organization_id"),
    "organization_identifier": ("id", "organization_id", "identifier_scheme",
                                "identifier_type", "identifier"),
    "service": ("id", "organization_id", "program_id", "name", "alternate_name",
                "description", "url", "email", "status", "interpretation_services",
                "application_process", "fees_description", "wait_time", "fees",
                "accreditations", "eligibility_description", "minimum_age", "maximum_age",
                "assured_date", "assurer_email", "licenses", "alert", "last_modified"),
    "location": ("id", "location_type", "url", "organization_id", "name", "alternate_name",
                 "description", "transportation", "latitude", "longitude",
                 "external_identifier", "external_identifier_type"),
    "address": ("id", "location_id", "attention", "address_1", "address_2", "city",
                "region", "state_province", "postal_code", "country", "address_type"),
    "phone": ("id", "location_id", "service_id", "organization_id", "contact_id",
              "service_at_location_id", "number", "extension", "type", "description"),
    "accessibility": ("id", "location_id", "description", "details", "url"),
    "service_at_location": ("id", "service_id", "location_id", "description"),
    "schedule": ("id", "service_id", "location_id", "service_at_location_id", "valid_from",
                 "valid_to", "dtstart", "timezone", "until", "count", "wkst", "freq",
                 "interval", "byday", "byweekno", "bymonthday", "byyearday", "description",
                 "opens_at", "closes_at", "schedule_link", "attending_type", "notes"),
    "language": ("id", "service_id", "location_id", "phone_id", "name", "code", "note"),
    "attribute": ("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value",
                  "label"),
    "taxonomy": ("id", "name", "description", "uri", "version"),
    "taxonomy_term": ("id", "code", "name", "description", "parent_id", "taxonomy",
                      "language", "taxonomy_id", "term_uri"),
}
# Lists inside an object that are rows of another table.
CHILDREN = {"organization_identifiers": "organization_identifier", "phones": "phone",
            "addresses": "address", "accessibility": "accessibility",
            "schedules": "schedule", "languages": "language", "attributes": "attribute",
            "service_at_locations": "service_at_location"}
# Files of the JSON export: name → HSDS object type.
FILES = {"organizations": "organization", "services": "service", "locations": "location",
         "service_at_locations": "service_at_location", "taxonomies": "taxonomy",
         "taxonomy_terms": "taxonomy_term"}


class _Files:
    """The export's files as they are written, object by object: each JSON file a
    list, each CSV table its rows (a nested object's rows among its table's, once),
    first under a temporary name, renamed into place when all are written (whoever
    reads the directory meanwhile reads the previous export whole)."""

    def __init__(self, target):
        self.json_dir, self.csv_dir = target / "json", target / "csv"
        self.json_dir.mkdir(parents=True, exist_ok=True)
        self.csv_dir.mkdir(parents=True, exist_ok=True)
        self.lists = {name: self._open(self.json_dir / f"{name}.json") for name in FILES}
        self.counts = dict.fromkeys(FILES, 0)
        self.tables = {name: self._open(self.csv_dir / f"{name}.csv", text=True)
                       for name in TABLES}
        self.rows = {name: DataCsv(out) for name, out in self.tables.items()}
        for name, columns in TABLES.items():
            self.rows[name].row(columns)

    @staticmethod
    def _open(path, text=False):
        temporary = path.with_name(f".{path.name}.part")
        return (temporary.open("w", encoding="utf-8", newline="") if text
                else temporary.open("wb"))

    def add(self, name, objects, as_rows=True):
        """Objects of one JSON file; with `as_rows`, also rows of the CSV tables."""
        out = self.lists[name]
        for obj in objects:
            out.write(b",\n" if self.counts[name] else b"[\n")
            out.write(orjson.dumps(obj))
            self.counts[name] += 1
            if as_rows:
                self._rows(FILES[name], obj)

    def _rows(self, kind, obj):
        self.rows[kind].row([obj.get(c) for c in TABLES[kind]])
        for key, child_kind in CHILDREN.items():
            for child in obj.get(key) or ():
                self._rows(child_kind, child)

    def finish(self):
        """Close every file and move it into place; {file: count} of objects."""
        for name, out in self.lists.items():
            out.write(b"\n]\n" if self.counts[name] else b"[]\n")
        for out in (*self.lists.values(), *self.tables.values()):
            out.close()
            final = Path(out.name)
            final.replace(final.with_name(final.name[1:-len(".part")]))
        return dict(self.counts)

    def discard(self):
        """Close and remove every file begun (an export that failed leaves the
        previous one as it was)."""
        for out in (*self.lists.values(), *self.tables.values()):
            out.close()
            Path(out.name).unlink(missing_ok=True)


def write_register(files, size=BATCH):
    """Everything public into `files` (_Files), a batch at a time (keyset, by id: the
    register read once; memory held to a batch). A service's service at locations are
    rows of the CSV tables once, as parts of the service; their file lists them too.
    `size`: the objects read at a time."""
    for batch in public_organisation_batches(size):
        files.add("organizations", [hsds.organization(o) for o in batch])
    for batch in public_activity_batches(size):
        services = hsds.services_with_places(batch)
        files.add("services", services)
        files.add("service_at_locations",
                  [sal for s in services for sal in s["service_at_locations"]],
                  as_rows=False)
    for batch in public_location_batches(size):
        files.add("locations", [hsds.location(item) for item in batch])
    files.add("taxonomies", hsds.taxonomies())
    files.add("taxonomy_terms", [hsds.taxonomy_term(t, "focus_area")
                                 for t in all_focus_areas()]
              + [hsds.taxonomy_term(t, "target_group") for t in all_target_groups()])


def datapackage(tables):
    """The Frictionless data package descriptor of the CSV tables."""
    config = current_app.config
    return {"name": "samverkan-hsds", "profile": "tabular-data-package",
            "title": "Samverkan HSDS 3.0", "homepage": hsds.HSDS_PROFILE,
            "licenses": [{"path": config["DATA_LICENSE"]}],
            "contributors": [{"title": config["DATA_PUBLISHER"], "role": "publisher",
                              **({"email": config["DATA_CONTACT_EMAIL"]}
                                 if config.get("DATA_CONTACT_EMAIL") else {})}],
            "resources": [{"name": name, "path": f"{name}.csv", "format": "csv",
                           "profile": "tabular-data-resource", "mediatype": "text/csv",
                           "encoding": "utf-8",
                           "schema": {"fields": [{"name": c, "type": "string"}
                                                 for c in TABLES[name]],
                                      "primaryKey": "id"}}
                          for name in tables]}


def export_hsds(directory, size=BATCH):
    """Write the register into `directory` (json/ and csv/), reading `size` objects at
    a time, all from one snapshot of the database (common.db.begin_snapshot); {file:
    count} of objects."""
    target = Path(directory)
    files = _Files(target)
    begin_snapshot()  # every batch reads the same register
    try:
        write_register(files, size)
    except BaseException:
        files.discard()
        raise
    finally:
        db.session.commit()
    counts = files.finish()
    (target / "csv" / "datapackage.json").write_text(
        json.dumps(datapackage(TABLES), ensure_ascii=False, indent=1), encoding="utf-8")
    return counts


@click.command("export-hsds")
@click.argument("directory", type=click.Path(file_okay=False))
@with_appcontext
def export_hsds_command(directory):
    """Write the public register as HSDS 3.0 JSON and as its CSV data package."""
    base = current_app.config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000"
    with current_app.test_request_context(base_url=base):
        counts = export_hsds(directory)
    for name, count in counts.items():
        click.echo(f"{name}: {count}")
    click.echo(f"Written to {directory}/json and {directory}/csv (datapackage.json).")
