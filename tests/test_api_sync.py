"""`modified_after` on the API lists (a partner's incremental sync) and the DCAT-AP-SE
catalogue."""

from datetime import timedelta

from directory.common.time import parse_moment, utcnow
from directory.extensions import db


def _age(*rows, days=10):
    """Pretend these rows were last changed `days` ago."""
    for row in rows:
        db.session.execute(type(row).__table__.update().where(
            type(row).__table__.c.id == row.id).values(updated_at=utcnow()
                                                        - timedelta(days=days)))
    db.session.commit()


def test_parse_moment_reads_dates_and_datetimes():
    assert parse_moment("2026-11-28").isoformat() == "2026-11-27T23:00:00+00:00"
    assert parse_moment("2026-07-01T10:00:00Z").isoformat() == "2026-07-01T10:00:00+00:00"
    assert parse_moment("2026-07-01T10:00:00+02:00").hour == 8
    assert parse_moment("2026-07-01T10:00").hour == 8  # Stockholm summer time
    assert parse_moment("0001-01-01T00:00:00Z") == parse_moment("1900-01-01")
    assert parse_moment("9999-12-31") == parse_moment("2199-12-31")
    for bad in ("igår", "2026-13-01", "2026-11-28X10", "2026-11-28T25:00", ""):
        assert parse_moment(bad) is None


def test_modified_after_on_every_list(client, factories):
    old_org = factories.organisation(name="Gammal")
    new_org = factories.organisation(name="Ny")
    old = factories.activity(organisation=old_org, title="Gammal aktivitet")
    factories.activity(organisation=new_org, title="Ny aktivitet")
    _age(old_org, old, *old.occurrences)
    since = (utcnow() - timedelta(days=1)).isoformat()
    query = "modified_after=" + since.replace("+", "%2B")
    orgs = client.get("/api/v1/organizations?" + query).get_json()
    assert [o["name"] for o in orgs["contents"]] == ["Ny"]
    occurrences = client.get("/api/v1/occurrences?" + query).get_json()
    assert {o["title"] for o in occurrences["contents"]} == {"Ny aktivitet"}
    services = client.get("/api/v1/services?" + query).get_json()
    assert [s["name"] for s in services["contents"]] == ["Ny aktivitet"]
    day = (utcnow() - timedelta(days=30)).date().isoformat()
    everything = client.get("/api/v1/organizations?modified_after=" + day).get_json()
    assert everything["total_items"] == 2
    # A change to the organisation brings its activities' dates back into the sync.
    old_org.description = "Nytt"
    db.session.commit()
    occurrences = client.get("/api/v1/occurrences?" + query).get_json()
    assert {o["title"] for o in occurrences["contents"]} == {"Ny aktivitet",
                                                            "Gammal aktivitet"}


def test_a_bad_modified_after_is_a_400_naming_it(client):
    for path in ("/api/v1/organizations", "/api/v1/occurrences", "/api/v1/services",
                 "/api/v1/locations", "/api/v1/service_at_locations"):
        answer = client.get(path + "?modified_after=last-tuesday")
        assert answer.status_code == 400
        error = answer.get_json()["error"]
        assert error["code"] == "bad_request"
        assert "modified_after" in error["fields"] and "ISO 8601" in error["message"]


def test_catalog_names_datasets_licence_and_contact(app, client):
    app.config.update(DATA_CONTACT_EMAIL="oppnadata@taby.se", DATA_PUBLISHER="Täby kommun")
    answer = client.get("/api/v1/catalog.jsonld")
    assert answer.mimetype == "application/ld+json"
    body = answer.get_json()
    assert body["@type"] == "dcat:Catalog"
    assert body["dcterms:license"]["@id"] == \
        "http://creativecommons.org/publicdomain/zero/1.0/"
    datasets = body["dcat:dataset"]
    assert len(datasets) == 3
    for dataset in datasets:
        assert dataset["dcat:contactPoint"]["vcard:hasEmail"]["@id"] == \
            "mailto:oppnadata@taby.se"
        assert dataset["dcterms:publisher"]["foaf:name"] == "Täby kommun"
        assert dataset["dcat:distribution"]
        for distribution in dataset["dcat:distribution"]:
            assert distribution["dcat:accessURL"]["@id"].startswith("http")
    urls = {d["dcat:accessURL"]["@id"] for ds in datasets for d in ds["dcat:distribution"]}
    assert any(u.endswith("/activities/calendar.ics") for u in urls)
    assert any(u.endswith("/api/v1/services") for u in urls)
    (service,) = body["dcat:service"]
    assert service["dcat:endpointDescription"]["@id"].endswith("/api/v1/openapi.json")
    assert {d["@id"] for d in service["dcat:servesDataset"]} <= {d["@id"] for d in datasets}
