"""Never a 500 from input: every GET route (pages, API lists and items, feeds) and every
public form, asked with hostile values by anonymous visitors, members and coordinators,
on SQLite and PostgreSQL. The routes are read from the app, so a new one is covered."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter

from directory.calendars.partners import create_partner, create_subscription
from directory.common.time import utcnow
from directory.extensions import db
from tests.conftest import AuthActions

HOSTILE = [
    "", "0", "-1", "1e309", "nan", "inf", "-0", "2147483648", "9223372036854775808",
    "99999999999999999999999999", "9999-12-31", "0001-01-01", "2026-02-30", "2026-13-01",
    "2026-W99", "2026-W00", "9999-W52", "0000-W01", "1,2,3", "91,181", "59.44,18.07",
    "-90,-180", "' OR 1=1 --", "<script>alert(1)</script>", "\u202eevil", "😀" * 20,
    "a" * 5000, "%", "../../etc/passwd", "null", "[]", "{}", "Täby", "sv", "ar", "xx",
    "\tx\n",
]
PARAMS = ["q", "focus", "target", "lang", "spoken", "kommun", "org", "venue", "from",
          "to", "near", "radius_km", "page", "per_page", "week", "id", "kind", "status",
          "county", "enabled", "action", "next", "day", "date", "room", "radius"]
BROKEN_QUERIES = ["%", "%zz", "%ff%fe=%c0%af", "q=%", "page=%00", "&&&==", "q" * 3000,
                  "from=9999-12-31&to=0001-01-01", "near=%E2%80%AE&radius_km=-5",
                  "q=a&q=b&q=c&" * 50]
ROLES = ("anonymous", "member", "staff")


@pytest.fixture
def world(app, factories):
    """Something of every kind to point at, and a browser per role."""
    organisation = factories.organisation(name="Språkvänner Täby")
    activity = factories.activity(organisation=organisation, registration_required=True,
                                  default_capacity=5)
    venue = factories.venue()
    staff = factories.user(email="staff@example.se", role="staff")
    factories.user(email="member@example.se", organisation=organisation)
    partner = create_partner("Försäkringskassan", staff)
    create_subscription(partner, "Allt", {}, True, staff)
    db.session.commit()
    occurrence = next(o for o in activity.occurrences if o.starts_at > utcnow())
    return {"clients": Browsers(app),
            "ints": [activity.id, occurrence.id, venue.rooms[0].id, partner.id, staff.id],
            "strings": [organisation.slug, venue.slug, "kemistvagen"]}


class Browsers(dict):
    """A browser per role, logged in the first time it is asked for."""

    def __init__(self, app):
        super().__init__()
        self.app = app

    def __missing__(self, role):
        client = self.app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "sv"
        if role != "anonymous":
            assert AuthActions(client).login(f"{role}@example.se").status_code == 303
        self[role] = client
        return client


def get_rules(app):
    return sorted((rule for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and rule.endpoint != "static"),
                  key=lambda rule: rule.rule)


def build_path(rule, value_for):
    values = {name: value_for(isinstance(converter, IntegerConverter))
              for name, converter in rule._converters.items()}
    try:
        return rule.build(values, append_unknown=False)[1]
    except Exception:  # a value the converter itself refuses: the route is not reached
        return None


def no_server_error(response, what):
    assert response.status_code < 500, what


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_every_get_route_with_a_hostile_value(app, world, value):
    """A sweep: each route with the value in its path and in every parameter at once."""
    for rule in get_rules(app):
        path = build_path(rule, lambda is_int: 2**31 if is_int else value) or rule.rule
        if "<" in path:
            continue
        query = {name: value for name in PARAMS}
        no_server_error(world["clients"]["staff"].get(path, query_string=query), (path, value))


@pytest.mark.parametrize("raw", BROKEN_QUERIES, ids=range(len(BROKEN_QUERIES)))
def test_every_get_route_with_a_broken_query_string(app, world, raw):
    for rule in get_rules(app):
        path = build_path(rule, lambda is_int: world["ints"][1] if is_int else
                          world["strings"][0])
        if path:
            no_server_error(world["clients"]["staff"].get(path + "?" + raw), (path, raw))


values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40),
                   st.integers(min_value=-2**70, max_value=2**70).map(str),
                   st.dates().map(str))


@settings(max_examples=250, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_requests_to_any_get_route(app, world, data):
    rule = data.draw(st.sampled_from(get_rules(app)))
    role = data.draw(st.sampled_from(ROLES))

    def value_for(is_int):
        if is_int:
            return data.draw(st.one_of(st.sampled_from(world["ints"]),
                                       st.integers(min_value=0, max_value=2**80)))
        return data.draw(st.one_of(st.sampled_from(world["strings"]), st.text(min_size=1,
                                                                                max_size=30)))

    path = build_path(rule, value_for)
    if path is None:
        return
    query = data.draw(st.lists(st.tuples(st.sampled_from(PARAMS), values), max_size=8))
    no_server_error(world["clients"][role].get(path, query_string=query), (role, path, query))


def post_rules(app):
    """The forms anyone may send without an account."""
    public = ("/login", "/account/reset", "/organisations/register",
              "/occurrences/<int:occurrence_id>/signup", "/occurrences/<int:occurrence_id>/resend",
              "/api/v1/occurrences/<int:occurrence_id>/signups")
    return [rule for rule in app.url_map.iter_rules()
            if "POST" in rule.methods and rule.rule in public]


FIELDS = ["name", "contact", "email", "password", "confirm", "language", "organisation_number",
          "kind", "website", "phone", "description", "municipality", "street_address",
          "postal_code", "city", "latitude", "longitude", "accept_terms", "focus", "next"]


@settings(max_examples=150, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_public_forms_with_hostile_bodies(app, world, data):
    rules = post_rules(app)
    assert len(rules) >= 4
    rule = data.draw(st.sampled_from(rules))
    occurrence_id = data.draw(st.sampled_from([world["ints"][1], 0, 2**31 - 1]))
    path = rule.build({"occurrence_id": occurrence_id}, append_unknown=False)[1] \
        if rule.arguments else rule.rule
    body = data.draw(st.lists(st.tuples(st.sampled_from(FIELDS), values), max_size=12))
    client = world["clients"]["anonymous"]
    if path.startswith("/api/"):
        as_json = data.draw(st.booleans())
        response = client.post(path, json=dict(body)) if as_json else \
            client.post(path, data=data.draw(st.binary(max_size=200)),
                        content_type="application/json")
    else:
        response = client.post(path, data=MultiDict(body))
    no_server_error(response, (path, body))


def test_dates_far_away_are_refused_with_a_message_not_an_error(world):
    client = world["clients"]["anonymous"]
    for query in ({"from": "9999-12-31"}, {"to": "0001-01-01"},
                  {"from": "0001-01-01", "to": "9999-12-31"}):
        page = client.get("/activities", query_string=query)
        assert page.status_code == 200
        api = client.get("/api/v1/occurrences", query_string=query)
        assert api.status_code in (200, 400)
        feed = client.get("/activities/calendar.ics", query_string=query)
        assert feed.status_code in (200, 400)
    week = client.get(f"/venues/{world['strings'][1]}/schedule", query_string={"week": "9999-W52"})
    assert week.status_code in (200, 400)
