"""What a hostile or unlucky request meets at the edge: sessions that really end,
a body too large, the headers every answer carries, proxies trusted only as configured,
and log lines without tokens."""

import logging

import pytest

from directory import create_app
from directory.common.security import safe_path, safe_request_line
from directory.extensions import db
from directory.organisations.models import Organisation
from directory.signups.models import Signup
from tests.conftest import AuthActions, config_for_tests


def second_browser(app, first):
    """Another browser holding a copy of `first`'s cookies (a stolen or copied cookie)."""
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    for cookie in first._cookies.values():
        other.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    return other


def test_a_copied_session_cookie_stops_working_at_logout(app, client, factories):
    factories.user(email="medlem@example.se")
    assert AuthActions(client).login("medlem@example.se").status_code == 303
    copy = second_browser(app, client)
    assert copy.get("/account").status_code == 200
    assert client.post("/logout").status_code == 303
    assert copy.get("/account").status_code == 302
    assert "/login" in copy.get("/account").location


def test_a_body_over_the_limit_answers_413_in_the_users_language(client):
    body = {"email": "x@example.se", "password": "y" * (3 * 1024 * 1024)}
    english = client.post("/login", data=body)
    assert english.status_code == 413
    assert "larger than this service accepts" in english.get_data(as_text=True)
    swedish = client.post("/login", data=body, headers={"Accept-Language": "sv"})
    assert swedish.status_code == 413
    assert 'lang="sv"' in swedish.get_data(as_text=True)
    api = client.post("/api/v1/occurrences/1/signups", data=b"{" + b" " * (3 * 1024 * 1024),
                      content_type="application/json")
    assert api.status_code == 413
    assert api.get_json()["error"]["code"] == "too_large"


def test_every_answer_carries_a_permissions_policy_and_no_hsts_on_http(client):
    response = client.get("/")
    assert "camera=()" in response.headers["Permissions-Policy"]
    # "Use my position" near me asks for the position on our own pages only.
    assert "geolocation=(self)" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers
    assert "Permissions-Policy" in client.get("/api/v1/organizations").headers


def test_hsts_when_the_public_address_is_https(tmp_path):
    app = create_app(config_for_tests("sqlite:///" + str(tmp_path / "h.sqlite"),
                                      PUBLIC_BASE_URL="https://samverkan.example.se"))
    response = app.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize("proxies, expected", [(0, "127.0.0.1"), (1, "203.0.113.7")])
def test_the_client_address_comes_from_trusted_proxies_only(tmp_path, proxies, expected):
    app = create_app(config_for_tests("sqlite:///" + str(tmp_path / "p.sqlite"),
                                      TRUSTED_PROXIES=proxies, RATELIMIT_ENABLED=True))
    seen = []

    @app.get("/_test/address")
    def address():
        from flask import request
        seen.append(request.remote_addr)
        return "ok"

    app.test_client().get("/_test/address", headers={"X-Forwarded-For": "203.0.113.7"},
                          environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert seen == [expected]


def test_log_lines_hold_no_tokens_or_query_strings():
    assert safe_path("/feeds/abcdef123.ics?x=1") == "/feeds/…"
    assert safe_path("/signups/s3cr3t-token") == "/signups/…"
    assert safe_path("/account/password/tok.en") == "/account/password/…"
    assert safe_path("/activities?q=Anna+Svensson") == "/activities"
    assert safe_request_line("GET /signups/tok?contact=070 HTTP/1.1") == \
        "GET /signups/… HTTP/1.1"


def test_the_development_servers_access_log_masks_tokens(app):
    logger = logging.getLogger("werkzeug")
    record = logger.makeRecord("werkzeug", logging.INFO, __file__, 1, '%s - - "%s" %s',
                               ("127.0.0.1", "GET /feeds/hemlig-token.ics?name=Anna HTTP/1.1",
                                "200"), None)
    assert all(f.filter(record) for f in logger.filters)
    line = record.getMessage()
    assert "hemlig-token" not in line and "Anna" not in line and "/feeds/…" in line


def test_gunicorns_access_log_masks_tokens_and_drops_query_strings():
    import importlib.util
    import pathlib
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config
    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", pathlib.Path(__file__).parent.parent / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    logger = conf.SafeLogger(Config())
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/signups/hemligt?contact=0701234567",
               "PATH_INFO": "/signups/hemligt", "QUERY_STRING": "contact=0701234567",
               "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_REFERER": "https://x/feeds/tok.ics"}
    atoms = logger.atoms(SimpleNamespace(status="200 OK", sent=10, headers=[]), {},
                         environ, timedelta(milliseconds=5))
    line = conf.access_log_format % atoms
    assert "hemligt" not in line and "0701234567" not in line and "tok.ics" not in line
    assert '"GET /signups/… HTTP/1.1" 200' in line


@pytest.mark.parametrize("url", [
    "/activities/9223372036854775808", "/activities/2147483648",
    "/occurrences/99999999999999999999",
    "/api/v1/occurrences/9223372036854775807", "/occurrences/2147483648/signup",
    "/activities/2147483648/calendar.ics"])
def test_ids_beyond_the_columns_range_are_not_found(client, url):
    response = client.get(url)
    assert response.status_code == 404


@pytest.mark.parametrize("url", [
    "/activities?q=a%00b", "/organisations?q=%01", "/organisations/taby%00",
    "/activities?kommun=%00",
    "/api/v1/occurrences?q=%00"])
def test_control_characters_are_refused_with_a_clear_message(client, url):
    response = client.get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert "control characters" in response.get_json()["error"]["message"]
    else:
        assert "control characters" in response.get_data(as_text=True)


def test_control_characters_in_a_form_or_json_body_are_refused(client, factories):
    assert client.post("/login", data={"email": "a\x00@example.se", "password": "x"}) \
        .status_code == 400
    occurrence = factories.activity().occurrences[0]
    response = client.post(f"/api/v1/occurrences/{occurrence.id}/signups",
                           json={"name": "Amina\x00", "contact": "070-123 45 67"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    # Tabs and line breaks are text, not control characters to refuse.
    assert client.get("/activities?q=a%09b").status_code == 200


def test_line_breaks_in_stored_names_never_break_a_feed_or_a_page(client, factories):
    """Whatever is stored (an import, an old row), feeds and pages answer and parse."""
    org = factories.organisation(name="Språk\ncafé\r\nNäsby", email="info@example.se")
    activity = factories.activity(organisation=org, title="Läx\nhjälp\r\nför alla")
    for url in (f"/organisations/{org.slug}/calendar.ics",
                f"/activities/{activity.id}/calendar.ics",
                f"/occurrences/{activity.occurrences[0].id}.ics"):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert 'CN="Språk café Näsby"' in body.replace("\r\n ", "")
        assert "SUMMARY:Läx\\nhjälp\\nför alla" in body.replace("\r\n ", "")
    for url in (f"/organisations/{org.slug}", f"/activities/{activity.id}",
                "/api/v1/occurrences"):
        assert client.get(url).status_code == 200, url


def test_one_line_fields_refuse_line_breaks_and_keep_what_was_typed(client, factories):
    activity = factories.activity(registration_required=True, default_capacity=5)
    occurrence = activity.occurrences.all()[-1]
    page = client.post(f"/occurrences/{occurrence.id}/signup",
                       data={"name": "Amina\nBcc: x@example.se", "contact": "070-123 45 67"})
    body = page.get_data(as_text=True)
    assert page.status_code == 422 and "Write this on one line." in body
    assert 'value="070-123 45 67"' in body
    api = client.post(f"/api/v1/occurrences/{occurrence.id}/signups",
                      json={"name": "Amina\r\nX", "contact": "070-123 45 67"})
    assert api.status_code == 422
    assert api.get_json()["error"]["fields"]["name"] == "Write this on one line."
    registered = client.post("/organisations/register", data={
        "name": "Språkcafé\nNäsby", "kind": "forening", "description": "Vi ses.",
        "owner_name": "Anna", "owner_email": "anna@example.se",
        "password": "ett långt lösenord", "confirm": "ett långt lösenord"})
    assert registered.status_code == 422
    assert "Write this on one line." in registered.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Signup)) == 0
    assert db.session.scalar(db.select(Organisation).filter(
        Organisation.name.like("Språkcafé%"))) is None


def test_a_website_is_a_whole_http_address_and_nothing_that_leaves_an_attribute(client,
                                                                                  factories):
    from tests.test_organisations_self_service import registration
    factories.municipality()
    for website in ('https://example.se/"><script>alert(1)</script>',
                    "javascript://example.se/%0Aalert(1)", "https://exa mple.se",
                    "ftp://example.se", "https://localhost"):
        response = client.post("/organisations/register",
                               data=registration(website=website))
        assert response.status_code == 422, website
        assert "Write a whole web address" in response.get_data(as_text=True)
    assert client.post("/organisations/register", data=registration(
        website="https://språkcafé.example.se/om-oss?x=1")).status_code == 303


def test_an_unsafe_website_stored_earlier_is_neither_linked_nor_handed_on(client, factories):
    org = factories.organisation(name="Gammal förening",
                                 website='javascript:alert(1)//"><script>x</script>')
    page = client.get(f"/organisations/{org.slug}").get_data(as_text=True)
    assert "javascript:" not in page
    assert client.get(f"/api/v1/organizations/{org.slug}").get_json()["website"] is None


def test_an_error_report_never_quotes_the_row_or_the_query(tmp_path, caplog):
    app = create_app(config_for_tests("sqlite:///" + str(tmp_path / "e.sqlite"),
                                      PROPAGATE_EXCEPTIONS=False))

    @app.get("/_test/fails")
    def fails():
        from flask import request
        row = (7, request.args["name"], request.args["contact"])
        raise RuntimeError(f"Failing row contains {row}")

    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/_test/fails?name=Amina+Hassan&contact=4670123")
    assert response.status_code == 500
    assert "Exception on /_test/fails [GET]: RuntimeError" in caplog.text
    assert "in fails" in caplog.text  # where it was raised
    assert "Amina" not in caplog.text and "4670" not in caplog.text
