"""Bytes on the wire: `/activities` (with its map) on a first and a repeat visit, and the
feed of an organisation with 500 one-off dates; each without compression, with gzip
and with brotli, beside its aim. Served in-process from a temporary SQLite database
with the demo data.

    .venv/bin/python bench/wire.py

Bytes on the wire are the status line, the response headers and the body as sent
(TCP and TLS framing aside). A first visit is the page and everything it loads from
this site: stylesheets, scripts, and the images the stylesheets name and Leaflet's
marker images (map tiles come from the tile server and are not counted). A repeat
visit loads the page alone: the stylesheets and scripts have content-hashed names
cached immutable for a year, so a browser does not ask for them again.
"""

import re
import sys
import tempfile
from datetime import time as clock, timedelta
from pathlib import Path
from urllib.parse import urljoin

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from directory import create_app  # noqa: E402
from directory.activities.models import Activity  # noqa: E402
from directory.activities.materialising import horizon_end, materialise_occurrences  # noqa: E402
from directory.common.time import local_today  # noqa: E402
from directory.demo.seed import seed_demo  # noqa: E402
from directory.extensions import db  # noqa: E402
from directory.organisations.models import Organisation  # noqa: E402
from directory.taxonomy.services import get_or_create_municipality  # noqa: E402

ENCODINGS = (("none", "identity"), ("gzip", "gzip"), ("br", "br, gzip"))
AIMS = {"first": 70 * 1024, "repeat": 15 * 1024, "feed": 14 * 1024}
FEED_PATH = "/organisations/bench-engangs/calendar.ics"
# Leaflet's default marker draws these two images (its script names them).
LEAFLET_MARKERS = ("images/marker-icon.png", "images/marker-shadow.png")


def seed_one_off_dates(count=500):
    """An organisation with `count` one-off activities (one date each), a few a day."""
    taby = get_or_create_municipality("0160", "taby", "Täby", "Stockholms län")
    org = Organisation(slug="bench-engangs", name="Engångsföreningen", status="verified",
                       municipality=taby, email="info@example.se")
    db.session.add(org)
    today = local_today()
    for n in range(count):
        activity = Activity(
            organisation=org, municipality=taby, title=f"Språkcafé {n}",
            description="Öva svenska över en kopp kaffe. Alla nivåer är välkomna.",
            recurrence="once", starts_on=today + timedelta(days=1 + n // 3),
            start_time=clock(10 + 3 * (n % 3)), end_time=clock(12 + 3 * (n % 3)),
            street_address="Storgatan 1", city="Täby", latitude=59.44, longitude=18.07)
        db.session.add(activity)
        db.session.flush()
        materialise_occurrences(activity, horizon_end(today))
    db.session.commit()


def wire_bytes(response):
    """Status line, headers and body, as an HTTP/1.1 server sends them."""
    head = f"HTTP/1.1 {response.status}\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in response.headers.items()) + "\r\n"
    return len(head.encode("latin-1", "replace")) + len(response.get_data())


def body_text(client, path):
    """The uncompressed text of `path`."""
    return client.get(path, headers={"Accept-Encoding": "identity"}).get_data(as_text=True)


def page_assets(client, page):
    """What a first visit to `page` loads from this site besides the page itself."""
    html = body_text(client, page)
    found = re.findall(r'<(?:link|script|img)\b[^>]*?(?:href|src)="(/static/[^"]+)"', html)
    assets = list(dict.fromkeys(found))
    for url in list(assets):
        if url.endswith(".css"):
            for ref in re.findall(r"url\(['\"]?([^'\")]+)['\"]?\)", body_text(client, url)):
                # Fonts for a script the page is not in are not fetched (the Ethiopic
                # font is named only on Tigrinya pages).
                if ref.endswith(".woff2") and 'lang="ti"' not in html[:200]:
                    continue
                if not ref.startswith(("data:", "http:", "https:", "#")):
                    assets.append(urljoin(url, ref))
        if "/vendor/leaflet/leaflet." in url and url.endswith(".js"):
            assets += [urljoin(url, name) for name in LEAFLET_MARKERS]
    return list(dict.fromkeys(assets))


def measure(client, paths, accept):
    total = 0
    for path in paths:
        response = client.get(path, headers={"Accept-Encoding": accept,
                                             "Accept-Language": "sv"})
        assert response.status_code == 200, (path, response.status_code)
        total += wire_bytes(response)
    return total


def repeat_visit(client, page, accept):
    """The page again: the whole page, or a 304 when it carries a validator."""
    first = client.get(page, headers={"Accept-Encoding": accept, "Accept-Language": "sv"})
    etag = first.headers.get("ETag")
    if not etag:
        return wire_bytes(first)
    again = client.get(page, headers={"Accept-Encoding": accept, "Accept-Language": "sv",
                                      "If-None-Match": etag})
    return wire_bytes(again)


def kib(n):
    return f"{n / 1024:7.1f} KB"


def wire_rows():
    """[(what, aim in bytes, {encoding: bytes on the wire})], on a fresh database."""
    tmp = tempfile.mkdtemp(prefix="samverkan-wire-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/wire.sqlite",
                      "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                      "TASK_QUEUE_FILE": f"{tmp}/tasks.sqlite"})
    with app.app_context():
        upgrade()
        seed_demo()
        db.session.commit()
        seed_one_off_dates()
    client = app.test_client()
    page = "/activities"
    assets = page_assets(client, page)
    rows = [
        (f"{page} with the map, first visit (page + {len(assets)} files)", "first",
         lambda accept: measure(client, [page, *assets], accept)),
        (f"{page}, repeat visit (assets cached immutable)", "repeat",
         lambda accept: repeat_visit(client, page, accept)),
        ("feed of 500 one-off dates (500 VEVENTs)", "feed",
         lambda accept: measure(client, [FEED_PATH], accept)),
    ]
    measured = [(label, AIMS[aim], {name: run(accept) for name, accept in ENCODINGS})
                for label, aim, run in rows]
    return measured, assets


def main():
    rows, assets = wire_rows()
    print(f"{'what':<58} {'aim':>11} {'none':>10} {'gzip':>10} {'br':>10}  met")
    for label, aim, sizes in rows:
        met = "yes" if sizes["br"] <= aim else "NO"
        print(f"{label:<58} ≤{kib(aim)} " + " ".join(
            f"{kib(sizes[name]):>10}" for name, _ in ENCODINGS) + f"  {met}")
    print("\nfiles of the first visit:", *assets, sep="\n  ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
