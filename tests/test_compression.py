"""Light on the wire: text answers compressed as the client asks (and decompressing to
the very same bytes), static files under content-hashed names cached for a year, and
Leaflet only on pages that show a map."""

import gzip
import hashlib
import os
import re

import brotli
import pytest

from directory.common.assets import IMMUTABLE, REVALIDATE, StaticFiles
from directory.common.time import utcnow
from tests.factories import make_user

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}
STATIC_REFS = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def located_activity(factories, **overrides):
    return factories.activity(latitude=59.44, longitude=18.07, **overrides)


def get(client, path, encoding, **headers):
    return client.get(path, headers={"Accept-Encoding": encoding, **headers})


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_compressed_answers_decompress_to_the_same_bytes(client, factories, encoding):
    activity = located_activity(factories)
    paths = ["/activities", "/api/v1/occurrences",
             f"/organisations/{activity.organisation.slug}/calendar.ics",
             f"/activities/{activity.id}"]
    for path in paths:
        plain = get(client, path, "identity")
        packed = get(client, path, encoding)
        assert plain.status_code == packed.status_code == 200, path
        assert "Content-Encoding" not in plain.headers, path
        assert packed.headers["Content-Encoding"] == encoding, path
        assert "Accept-Encoding" in packed.headers["Vary"], path
        assert len(packed.data) < len(plain.data), path
        assert DECODE[encoding](packed.data) == plain.data, path


def test_brotli_is_preferred_and_quality_zero_refuses(client, factories):
    located_activity(factories)
    assert get(client, "/activities", "gzip, deflate, br").headers["Content-Encoding"] == "br"
    assert get(client, "/activities", "br;q=0, gzip").headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in get(client, "/activities", "").headers


def test_tiny_bodies_and_compressed_types_go_as_they_are(client):
    tiny = get(client, "/healthz", "br, gzip")
    assert tiny.status_code == 200 and len(tiny.data) < 500
    assert "Content-Encoding" not in tiny.headers
    image = get(client, "/static/vendor/leaflet/images/marker-icon.png", "br, gzip")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert "Content-Encoding" not in image.headers
    with open(os.path.join(ROOT, "static/vendor/leaflet/images/marker-icon.png"), "rb") as fh:
        assert image.data == fh.read()


def test_a_feed_answers_304_without_a_body_whatever_the_encoding(client, factories):
    activity = located_activity(factories)
    path = f"/organisations/{activity.organisation.slug}/calendar.ics"
    packed = get(client, path, "br")
    etag = packed.headers["ETag"]
    assert etag.startswith('W/"')  # names the content, in any encoding
    assert get(client, path, "identity").headers["ETag"] == etag
    for encoding in ("br", "gzip", "identity"):
        again = get(client, path, encoding, **{"If-None-Match": etag})
        assert again.status_code == 304
        assert again.data == b""
        assert "Content-Encoding" not in again.headers


def test_answers_holding_a_secret_are_not_compressed(client, auth, factories):
    activity = located_activity(factories, registration_required=True)
    occurrence = next(o for o in activity.occurrences if o.ends_at > utcnow())
    # A page with a CSRF token (the sign-up form).
    page = get(client, f"/occurrences/{occurrence.id}/signup", "br, gzip")
    assert page.status_code == 200
    assert b'name="csrf_token"' in page.data
    assert "Content-Encoding" not in page.headers
    # A logged-in user's pages.
    make_user(email="medlem@example.se")
    assert auth.login().status_code == 303
    account = get(client, "/account", "br, gzip")
    assert account.status_code == 200 and "Content-Encoding" not in account.headers
    # Static files stay cached for a logged-in user too.
    site = client.get("/activities").get_data(as_text=True)
    css = next(u for u in STATIC_REFS.findall(site) if "/css/site." in u)
    assert get(client, css, "br").headers["Cache-Control"] == IMMUTABLE


def test_static_files_on_a_page_have_hashed_names_cached_for_a_year(client, factories):
    located_activity(factories)
    page = client.get("/activities").get_data(as_text=True)
    refs = STATIC_REFS.findall(page)
    assert any(ref.endswith(".css") for ref in refs) and any(ref.endswith(".js") for ref in refs)
    for ref in refs:
        match = re.fullmatch(r"/static/(.+)\.([0-9a-f]{8})(\.[a-z]+)", ref)
        assert match, ref
        with open(os.path.join(ROOT, "static", match[1] + match[3]), "rb") as fh:
            content = fh.read()
        assert hashlib.sha256(content).hexdigest()[:8] == match[2]
        for encoding in ("br", "gzip", "identity"):
            answer = get(client, ref, encoding)
            assert answer.status_code == 200, ref
            assert answer.headers["Cache-Control"] == IMMUTABLE
            assert "Accept-Encoding" in answer.headers["Vary"]
            body = DECODE[encoding](answer.data) if encoding in DECODE else answer.data
            assert body == content
            again = get(client, ref, encoding, **{"If-None-Match": answer.headers["ETag"]})
            assert again.status_code == 304 and again.data == b""


def test_plain_static_names_keep_working_with_a_short_cache(client):
    answer = client.get("/static/css/site.css")
    assert answer.status_code == 200
    assert "immutable" not in answer.headers["Cache-Control"]
    assert client.get("/static/vendor/leaflet/images/layers.png").status_code == 200
    assert client.get("/static/css/nothing.css").status_code == 404
    assert client.get("/static/css/nothing.0123abcd.css").status_code == 404
    assert client.get("/static/../wsgi.py").status_code == 404


def test_a_changed_file_gets_a_new_name(tmp_path, app):
    (tmp_path / "css").mkdir()
    path = tmp_path / "css" / "site.css"
    path.write_bytes(b"body { color: black; }")
    files = StaticFiles(str(tmp_path), ["text/css"])
    first = files.url_name("css/site.css")
    assert first == "css/site.%s.css" % hashlib.sha256(b"body { color: black; }").hexdigest()[:8]
    path.write_bytes(b"body { color: navy;  }")  # same size
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    second = files.url_name("css/site.css")
    assert second == "css/site.%s.css" % hashlib.sha256(b"body { color: navy;  }").hexdigest()[:8]
    with app.test_request_context():
        current = files.serve(second)
        assert current.headers["Cache-Control"] == IMMUTABLE
        old = files.serve(first)  # a page from before the change: today's file, revalidated
        assert old.headers["Cache-Control"] == REVALIDATE
        assert old.get_data() == b"body { color: navy;  }"


def test_leaflet_only_on_pages_with_a_map(client, factories):
    activity = located_activity(factories)
    venue = factories.venue()
    for path in ("/activities", f"/activities/{activity.id}", "/venues",
                 f"/venues/{venue.slug}"):
        body = client.get(path).get_data(as_text=True)
        assert "vendor/leaflet/leaflet." in body and 'id="map"' in body, path
    for path in ("/", "/privacy", "/login", "/accessibility"):
        body = client.get(path).get_data(as_text=True)
        assert "leaflet" not in body, path


def test_a_list_without_places_loads_no_map(client, factories):
    factories.activity(title="Läxhjälp")  # no coordinates
    body = client.get("/activities").get_data(as_text=True)
    assert "Läxhjälp" in body
    assert "leaflet" not in body and 'id="map"' not in body
