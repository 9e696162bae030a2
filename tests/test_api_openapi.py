"""The OpenAPI 3.1 document: valid, naming every route of the API, and the answers match
what it says."""

import re

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from directory.common.time import utcnow
from directory.extensions import db


def _document(client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    return answer.get_json()


def test_the_document_is_valid_openapi_31(client):
    document = _document(client)
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_api_route_is_described(app, client):
    document = _document(client)
    described = {(path, method) for path, item in document["paths"].items()
                 for method in item}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)[len("/api/v1"):]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in described, (path, method)


def _check(document, path, status, body, method="get"):
    """The answer's body is what the document says for this path and status."""
    content = document["paths"][path][method]["responses"][str(status)]["content"]
    schema = dict(next(iter(content.values()))["schema"])
    schema["components"] = document["components"]
    problems = [e.message for e in Draft202012Validator(schema).iter_errors(body)]
    assert problems == [], (path, status, problems)


def test_answers_match_the_document(client, factories):
    document = _document(client)
    venue = factories.venue()
    activity = factories.activity(registration_required=True, default_capacity=5)
    first = next(o for o in activity.occurrences if o.starts_at > utcnow())
    first.room_id = venue.rooms[0].id
    db.session.commit()
    org = activity.organisation
    answers = [
        ("/", "/api/v1/", 200),
        ("/organizations", "/api/v1/organizations?near=Täby", 200),
        ("/organizations", "/api/v1/organizations?modified_after=igår", 400),
        ("/organizations/{slug}", f"/api/v1/organizations/{org.slug}", 200),
        ("/organizations/{slug}", f"/api/v1/organizations/{org.uuid}", 200),
        ("/organizations/{slug}", "/api/v1/organizations/finns-inte", 404),
        ("/occurrences", "/api/v1/occurrences?from=2026-01-01&focus=okand", 200),
        ("/occurrences/{occurrence_id}", f"/api/v1/occurrences/{first.id}", 200),
        ("/venues/{slug}/schedule", f"/api/v1/venues/{venue.slug}/schedule", 200),
        ("/venues/{slug}/schedule", f"/api/v1/venues/{venue.slug}/schedule?week=x", 400),
        ("/services", "/api/v1/services", 200),
        ("/services/{service_id}", f"/api/v1/services/{activity.uuid}", 200),
        ("/services/{service_id}", "/api/v1/services/nej", 404),
        ("/service_at_locations", "/api/v1/service_at_locations", 200),
        ("/locations", "/api/v1/locations", 200),
        ("/locations/{location_id}", f"/api/v1/locations/{venue.uuid}", 200),
        ("/taxonomies", "/api/v1/taxonomies", 200),
        ("/taxonomy_terms", "/api/v1/taxonomy_terms", 200),
    ]
    for path, url, status in answers:
        answer = client.get(url)
        assert answer.status_code == status, url
        _check(document, path, status, answer.get_json())
    signup = client.post(f"/api/v1/occurrences/{first.id}/signups",
                         json={"name": "Amina", "contact": "070-123 45 67"})
    assert signup.status_code == 201
    _check(document, "/occurrences/{occurrence_id}/signups", 201, signup.get_json(), "post")
    bad = client.post(f"/api/v1/occurrences/{first.id}/signups", json={"name": 5})
    _check(document, "/occurrences/{occurrence_id}/signups", bad.status_code,
           bad.get_json(), "post")


def test_a_page_lists_every_endpoint_for_people(client):
    document = _document(client)
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    for path in document["paths"]:
        assert f"<code>/api/v1{path}</code>" in html
    assert 'href="/api/v1/openapi.json"' in html
