"""`flask export-hsds DIR`: the whole public register as HSDS 3.0, once as JSON (one
file per object type, each a list of whole objects) and once as the HSDS tabular data
package (datapackage.json and one CSV per table, each cell formula-safe). The objects
are the API's (api.hsds), read page by page through the same list queries."""

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..activities.published import location_page, public_activity_page
from ..common.filters import ListFilters
from ..common.spreadsheet import data_csv_text
from ..organisations.services import organisation_page
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


def _all_pages(query, serialize):
    """Every item of a list query (query(filters, page, per_page) → ListResult),
    serialised, page by page."""
    found, page = [], 1
    while True:
        result = query(ListFilters(), page, BATCH)
        found += serialize(result.items)
        if not result.has_next:
            return found
        page += 1


def register_objects():
    """{file name: [HSDS objects]} of everything public."""
    services = _all_pages(public_activity_page, hsds.services_with_places)
    at_locations = list({sal["id"]: sal for s in services
                         for sal in s["service_at_locations"]}.values())
    return {
        "organizations": _all_pages(organisation_page,
                                    lambda orgs: [hsds.organization(o) for o in orgs]),
        "services": services,
        "locations": _all_pages(location_page,
                                lambda items: [hsds.location(i) for i in items]),
        "service_at_locations": at_locations,
        "taxonomies": hsds.taxonomies(),
        "taxonomy_terms": ([hsds.taxonomy_term(t, "focus_area") for t in all_focus_areas()]
                           + [hsds.taxonomy_term(t, "target_group")
                              for t in all_target_groups()]),
    }


def table_rows(objects):
    """{table: {id: row}}: every object and every object inside it as rows of the HSDS
    tables (each once, by id); whole objects nested for convenience (a service's
    organization, a service at a location's location) are rows of their own lists."""
    tables = {name: {} for name in TABLES}

    def add(kind, obj):
        tables[kind].setdefault(obj["id"], {k: obj.get(k) for k in TABLES[kind]})
        for key, child_kind in CHILDREN.items():
            for child in obj.get(key) or ():
                add(child_kind, child)
    for name, items in objects.items():
        for obj in items:
            add(FILES[name], obj)
    return tables


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


def export_hsds(directory):
    """Write the register into `directory` (json/ and csv/); {file: count} of objects."""
    objects = register_objects()
    target = Path(directory)
    (target / "json").mkdir(parents=True, exist_ok=True)
    (target / "csv").mkdir(parents=True, exist_ok=True)
    for name, items in objects.items():
        (target / "json" / f"{name}.json").write_text(
            json.dumps(items, ensure_ascii=False, indent=1), encoding="utf-8")
    tables = table_rows(objects)
    for name, rows in tables.items():
        columns = TABLES[name]
        (target / "csv" / f"{name}.csv").write_text(data_csv_text(
            columns, ([row[c] for c in columns] for row in rows.values())),
            encoding="utf-8", newline="")
    (target / "csv" / "datapackage.json").write_text(
        json.dumps(datapackage(tables), ensure_ascii=False, indent=1), encoding="utf-8")
    return {name: len(items) for name, items in objects.items()}


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
