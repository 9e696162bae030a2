"""The OpenAPI 3.1 description of the API (served at /api/v1/openapi.json): every route,
parameter, answer and error. tests/test_api_openapi.py checks it against the routes and
the answers."""

from flask import url_for

HSDS_DOCS = "https://docs.openreferral.org/en/latest/hsds/"
NULLABLE_TEXT = {"type": ["string", "null"]}
NULLABLE_NUMBER = {"type": ["number", "null"]}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


# Text without control characters: the API answers 400 to any (common.security).
TEXT = {"type": "string", "pattern": "^[^\\x00-\\x1f\\x7f]*$"}


def _query(name, description, schema=None):
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or TEXT}


def _path(name, description, schema=None):
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": schema or TEXT}


UUID = {"type": "string", "format": "uuid"}
PAGING = [
    _query("page", "Page number, from 1.", {"type": "integer", "minimum": 1}),
    _query("per_page", "Items per page (at most 100).", {"type": "integer", "minimum": 1}),
]
FILTERS = [
    _query("q", "Free text (folded: case and accents do not matter)."),
    _query("search", "HSDS's name for `q`."),
    _query("focus", "Focus area slug; repeat for several.",),
    _query("target", "Target group slug; repeat for several."),
    _query("lang", "A spoken language (ISO 639 code); also the answer's language."),
    _query("spoken", "A spoken language, without changing the answer's language."),
    _query("kommun", "Municipality slug."),
    _query("org", "Organisation slug."),
    _query("near", "A place name, a postcode or `lat,lon`."),
    _query("radius_km", "Radius around `near` in km (0.1–100, default 5).",
           {"type": "number"}),
    _query("modified_after", "Only what changed at or after this ISO 8601 date or date "
           "and time (a date: its first moment in Stockholm). Not understood: 400.",
           {"anyOf": [{"type": "string", "format": "date"},
                      {"type": "string", "format": "date-time"}]}),
]
DATES = [_query("venue", "Meeting place slug."),
         _query("from", "First day, YYYY-MM-DD.", {"type": "string", "format": "date"}),
         _query("to", "Last day, YYYY-MM-DD.", {"type": "string", "format": "date"})]
HSDS_IDS = [_query("organization_id", "An organisation's UUID.", UUID),
            _query("taxonomy_term_id", "A focus area's or target group's UUID.", UUID)]


def _error(description):
    return {"description": description,
            "content": {"application/json": {"schema": _ref("Error")}}}


def _json(description, schema):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _page(item):
    return {"allOf": [_ref("Page"), {"type": "object", "properties": {
        "contents": {"type": "array", "items": _ref(item)}}}]}


def _get(summary, ok, parameters=(), errors=(400,), tags=("samverkan",)):
    texts = {400: "A parameter that cannot be read.", 404: "Not found or not public.",
             429: "Too many requests."}
    responses = {"200": ok, **{str(code): _error(texts[code]) for code in errors}}
    return {"get": {"summary": summary, "tags": list(tags), "parameters": list(parameters),
                    "responses": responses}}


def _signup():
    body = {"type": "object", "required": ["name", "contact"], "properties": {
        "name": {"type": "string"}, "contact": {"type": "string"},
        "language": {"type": "string"}}}
    done = {"type": "object", "required": ["status", "position", "cancel_url"],
            "properties": {"status": {"enum": ["confirmed", "waitlisted"]},
                           "position": {"type": ["integer", "null"]},
                           "occurrence_id": {"type": "integer"},
                           "url": {"type": "string"}, "cancel_url": {"type": "string"},
                           "link_sent": {"type": "boolean"}}}
    again = {"type": "object", "required": ["status", "position", "link_sent"],
             "properties": {"status": {"enum": ["confirmed", "waitlisted"]},
                            "position": {"type": ["integer", "null"]},
                            "occurrence_id": {"type": "integer"},
                            "link_sent": {"type": "boolean"}}}
    return {"post": {
        "summary": "Sign up for a date", "tags": ["samverkan"],
        "parameters": [_path("occurrence_id", "The date's id.", {"type": "integer"})],
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": body}}},
        "responses": {"201": _json("Signed up, or on the waiting list; the personal "
                                   "link is also sent to the contact.", done),
                      "200": _json("This contact was already signed up for the date: "
                                   "its personal link is sent to the contact again "
                                   "(and not given here).", again),
                      "400": _error("The body is not a JSON object."),
                      "404": _error("No such public date."),
                      "409": _error("The date is cancelled or past."),
                      "422": _error("Fields that are not valid, by field."),
                      "429": _error("Too many sign-ups.")}}}


def paths():
    """Every route of the API, by its path."""
    hsds = ("hsds",)
    obj = _ref("HsdsObject")
    return {
        "/": _get("HSDS API root", _json("Version and profile.", _ref("Root")), (), (),
                  hsds),
        "/organizations": _get("Public organisations", _json("A page.",
                                                              _page("Organization")),
                               FILTERS + PAGING),
        "/organizations/{slug}": _get(
            "One organisation: by slug ours, by UUID HSDS's",
            _json("The organisation.", {"oneOf": [_ref("Organization"), obj]}),
            [_path("slug", "Slug or UUID.")], (404,)),
        "/occurrences": _get("Coming public dates", _json("A page.", _page("Occurrence")),
                             FILTERS + DATES + PAGING),
        "/occurrences/{occurrence_id}": _get(
            "One date", _json("The date.", _ref("Occurrence")),
            [_path("occurrence_id", "The date's id.", {"type": "integer"})], (404,)),
        "/occurrences/{occurrence_id}/signups": _signup(),
        "/venues/{slug}/schedule": _get(
            "Every use of a meeting place's rooms in one week", _json("The week.",
                                                                     _ref("Week")),
            [_path("slug", "The meeting place's slug."),
             _query("week", "ISO week, YYYY-Www (this week when left out).")], (400, 404)),
        "/services": _get("Public activities as HSDS services", _json("A page.",
                                                                      _page("HsdsObject")),
                          FILTERS + HSDS_IDS + PAGING, tags=hsds),
        "/services/{service_id}": _get("One service", _json("The service.", obj),
                                       [_path("service_id", "UUID.")], (404,), hsds),
        "/service_at_locations": _get("Services at their locations",
                                      _json("A page.", _page("HsdsObject")),
                                      FILTERS + HSDS_IDS + PAGING, tags=hsds),
        "/locations": _get("Meeting places and activities' own places",
                           _json("A page.", _page("HsdsObject")),
                           [FILTERS[0], FILTERS[1], FILTERS[6], FILTERS[8], FILTERS[9],
                            FILTERS[10]] + PAGING, tags=hsds),
        "/locations/{location_id}": _get("One location", _json("The location.", obj),
                                         [_path("location_id", "UUID.")], (404,), hsds),
        "/taxonomies": _get("Focus areas and target groups as taxonomies",
                            _json("One page.", _page("HsdsObject")), (), (), hsds),
        "/taxonomy_terms": _get("Every focus area and target group",
                                _json("One page.", _page("HsdsObject")),
                                [_query("taxonomy_id", "Only this taxonomy's terms.")],
                                (), hsds),
        "/catalog.jsonld": {"get": {
            "summary": "DCAT-AP-SE catalogue of the open data", "tags": ["open data"],
            "responses": {"200": {"description": "JSON-LD.", "content": {
                "application/ld+json": {"schema": {"type": "object"}}}}}}},
        "/openapi.json": _get("This description", _json("OpenAPI 3.1.",
                                                        {"type": "object"}), (), ()),
        "/docs": {"get": {"summary": "A page listing these endpoints, for people",
                          "tags": ["samverkan"], "responses": {"200": {
                              "description": "HTML.",
                              "content": {"text/html": {"schema": {"type": "string"}}}}}}},
    }


LAST_REVIEWED = {"type": "string", "format": "date",
                 "description": "The day its details were last confirmed (by the "
                                "organisation or a coordinator)."}


def _object(required, properties):
    return {"type": "object", "required": list(required), "properties": properties}


def _strings():
    return {"type": "array", "items": {"type": "string"}}


def _page_envelope(integer):
    """The HSDS paging envelope."""
    return _object(("total_items", "total_pages", "page_number", "size", "first_page",
                    "last_page", "empty", "contents"),
                   {"total_items": integer, "total_pages": integer,
                    "page_number": integer, "size": integer,
                    "first_page": {"type": "boolean"}, "last_page": {"type": "boolean"},
                    "empty": {"type": "boolean"}, "contents": {"type": "array"},
                    "notices": _strings(),
                    "total_items_exact": {
                        "type": "boolean",
                        "description": "false when a list counted only so far past the "
                                       "page: total_items is then a lower bound and "
                                       "total_pages the pages known so far"}})


def schemas():
    """The objects the answers are made of."""
    text, integer = {"type": "string"}, {"type": "integer"}
    organization = _object(
        ("id", "slug", "name", "description", "kind", "website", "email", "phone",
         "focus_areas", "languages", "status", "url", "last_reviewed"),
        {"id": integer, "slug": text, "name": text, "description": text, "kind": text,
         "website": NULLABLE_TEXT, "email": NULLABLE_TEXT, "phone": NULLABLE_TEXT,
         "focus_areas": _strings(), "languages": _strings(), "status": text,
         "kommun": NULLABLE_TEXT, "address": {"type": "object"},
         "latitude": NULLABLE_NUMBER, "longitude": NULLABLE_NUMBER, "url": text,
         "last_reviewed": LAST_REVIEWED,
         "distance_km": {"type": "number"}})
    place = _object(("venue", "room", "address", "latitude", "longitude"),
                    {"venue": NULLABLE_TEXT, "venue_name": NULLABLE_TEXT,
                     "room": NULLABLE_TEXT, "address": NULLABLE_TEXT,
                     "latitude": NULLABLE_NUMBER, "longitude": NULLABLE_NUMBER})
    occurrence = _object(
        ("id", "activity_id", "title", "organization", "starts_at", "ends_at", "status",
         "place", "focus_areas", "target_groups", "languages", "registration_required",
         "capacity", "seats_left", "url"),
        {"id": integer, "activity_id": integer, "title": text,
         "organization": _object(("id", "slug", "name"),
                                 {"id": integer, "slug": text, "name": text}),
         "starts_at": {"type": "string", "format": "date-time"},
         "ends_at": {"type": "string", "format": "date-time"},
         "status": {"enum": ["scheduled", "cancelled"]}, "cancel_reason": NULLABLE_TEXT,
         "place": place, "focus_areas": _strings(), "target_groups": _strings(),
         "languages": _strings(), "registration_required": {"type": "boolean"},
         "capacity": {"type": ["integer", "null"]},
         "seats_left": {"type": ["integer", "null"]}, "url": text,
         "distance_km": {"type": "number"}})
    return {
        "Error": _object(("error",), {"error": _object(("code", "message", "fields"), {
            "code": text, "message": text,
            "fields": {"type": "object", "additionalProperties": text}})}),
        "Page": _page_envelope(integer),
        "Root": _object(("version", "profile", "openapi_url"),
                        {"version": text, "profile": text, "openapi_url": text}),
        "Organization": organization,
        "Occurrence": occurrence,
        "Week": _object(("venue", "week", "starts_on", "ends_on", "rooms", "links"),
                        {"venue": text, "venue_name": text, "week": text,
                         "starts_on": {"type": "string", "format": "date"},
                         "ends_on": {"type": "string", "format": "date"},
                         "rooms": {"type": "array", "items": {"type": "object"}},
                         "links": {"type": "object"}}),
        "HsdsObject": {"type": "object", "required": ["id"],
                       "description": "An HSDS 3.0 object (service, location, "
                                      "service_at_location, organization, taxonomy, "
                                      "taxonomy_term) as Open Referral's schemas define it.",
                       "externalDocs": {"url": HSDS_DOCS},
                       "properties": {"id": UUID}},
    }


def document():
    """The whole OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Samverkan API", "version": "1",
                 "description": "The public register of voluntary organisations, their "
                                "activities and meeting places; HSDS 3.0 beside our own "
                                "objects. Read without an account; errors are JSON.",
                 "license": {"name": "CC0 1.0",
                             "identifier": "CC0-1.0"}},
        "servers": [{"url": url_for("api.root", _external=True).rstrip("/")}],
        "tags": [{"name": "samverkan"}, {"name": "hsds", "externalDocs": {"url": HSDS_DOCS}},
                 {"name": "open data"}],
        "paths": paths(),
        "components": {"schemas": schemas()},
    }
