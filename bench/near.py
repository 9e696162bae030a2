"""Near-me speed over `seed-demo --scale 10000` (10,000 organisations, ~15,000 activities
with their own places, ~300,000 occurrences) in a temporary SQLite file: p50/p95/max of

- the services: `within` (bounding box + distance) alone, one page of occurrences
  nearest first (`public_occurrence_page`, as the API and the page ask for it), and
  one page of organisations nearest first;
- HTTP requests for /api/v1/occurrences?near=…, /activities?near=… and
  /organisations?near=…, served by werkzeug on 127.0.0.1 (one keep-alive-less client);
- /activities?near=… while Nominatim does not answer in time (1.5 s, GEOCODER_TIMEOUT
  0.5 s) or fails (500), beside a hello-world app served the same way (aim < 3 s: the
  page says the place search is not answering instead of waiting for it).

Places rotate through districts where the scaled data is densest (about 1,400 places
within 5 km of each) and coordinates. The aim, p95 ≤ 10 ms, is for the near-me search
over the places: `within` (the places within the radius, with their distances) and the
page of organisations nearest first. A page of occurrences does more: it counts the
dates of every place within the radius (tens of thousands) to say how many there are.

    .venv/bin/python bench/near.py [--scale 10000] [--runs 140] [--radius 5]
                                   [--geocoder-runs 10]
                                   [--database FILE.sqlite  (seeded before; kept)]
"""

import argparse
import http.client
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PLACES = ["Gårdsten", "Angered", "Mölndal", "Täby", "Borås", "57.70,11.97", "Hammarkullen"]


def figures(samples):
    samples = sorted(samples)
    p95 = samples[max(0, int(round(len(samples) * 0.95)) - 1)]
    return f"p50 {statistics.median(samples):6.1f} ms  p95 {p95:6.1f} ms  max {samples[-1]:6.1f} ms"


def timed(runs, call):
    call(0)  # warm
    samples = []
    for i in range(runs):
        started = time.perf_counter()
        call(i)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=140)
    parser.add_argument("--radius", type=float, default=5)
    parser.add_argument("--geocoder-runs", type=int, default=10,
                        help="requests per row while Nominatim is slow or failing")
    parser.add_argument("--database", help="an SQLite file seeded before (kept)")
    args = parser.parse_args()
    if args.database:
        url = f"sqlite:///{Path(args.database).resolve()}"
    else:
        tmp = tempfile.mkdtemp(prefix="samverkan-near-")
        url = f"sqlite:///{tmp}/near.sqlite"
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench", GEOCODER="offline")
        flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi"]
        started = time.perf_counter()
        subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        subprocess.run(flask + ["seed-demo", "--scale", str(args.scale)], cwd=ROOT, env=env,
                       check=True, capture_output=True)
        print(f"seeded --scale {args.scale} in {time.perf_counter() - started:.0f} s "
              f"({tmp}/near.sqlite)")

    from werkzeug.serving import make_server

    from directory import create_app
    from directory.activities.models import Activity
    from directory.activities.services import public_occurrence_page
    from directory.common.filters import parse_filters
    from directory.extensions import db
    from directory.geo.geocoder import locate
    from directory.geo.services import within
    from directory.organisations.models import Organisation
    from directory.organisations.services import organisation_page
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False, "GEOCODER": "offline"})
    radius = args.radius

    def near(i):
        return parse_filters({"near": PLACES[i % len(PLACES)], "radius_km": str(radius)})

    with app.test_request_context():
        places = [locate(p)[0] for p in PLACES]
        counts = [len(within(Activity, p, radius)) for p in places]
        print(f"places within {radius:g} km (activities with own coordinates): "
              f"{min(counts)}–{max(counts)}")
        rows = [
            ("within(Activity) (aim ≤ 10 ms)", lambda i: within(Activity, places[i % len(places)],
                                                        radius)),
            ("occurrences, page 1, every date", lambda i: public_occurrence_page(
                near(i), 1, 20).items),
            ("occurrences, page 1, one per place", lambda i: public_occurrence_page(
                near(i), 1, 20, one_per_place=True).items),
            ("occurrences, page 5, every date", lambda i: public_occurrence_page(
                near(i), 5, 20).items),
            ("organisations, page 1 (aim ≤ 10 ms)", lambda i: organisation_page(
                near(i), 1, 20).items),
        ]
        print("service calls (in a request context, SQLite):")
        for name, call in rows:
            print(f"  {name:38s} {figures(timed(args.runs, call))}")
        db.session.remove()

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_port

    def get(path, port=port):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        connection.close()
        assert response.status == 200, (path, response.status)

    print("HTTP over 127.0.0.1 (werkzeug, threaded):")
    try:
        for template in ("/api/v1/occurrences?near={}&radius_km={}",
                         "/activities?near={}&radius_km={}",
                         "/organisations?near={}&radius_km={}",
                         "/activities"):
            samples = timed(args.runs, lambda i: get(template.format(
                quote(PLACES[i % len(PLACES)]), radius)))
            print(f"  {template.split('?')[0] + ('?near=…' if '?' in template else ''):38s} "
                  f"{figures(samples)}")
    finally:
        server.shutdown()
        server.server_close()
    geocoder_down(url, args.geocoder_runs, get)
    return 0


class UnansweringNominatim(BaseHTTPRequestHandler):
    """Nominatim's /search that answers too late (`slow`) or with a 500 (`fail`)."""

    mode = "slow"

    def do_GET(self):  # noqa: N802
        if UnansweringNominatim.mode == "slow":
            time.sleep(1.5)
        try:
            self.send_response(500 if UnansweringNominatim.mode == "fail" else 200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"[]")
        except OSError:
            pass  # the app gave up waiting

    def log_message(self, *args):
        pass


def serve(wsgi_app):
    """`wsgi_app` on a free 127.0.0.1 port in a thread; returns the server."""
    from werkzeug.serving import make_server
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def geocoder_down(url, runs, get):
    """/activities?near=… while Nominatim is slow or failing, beside hello world."""
    from directory import create_app
    sys.path.insert(0, str(ROOT / "bench"))
    from hello import app as hello_app
    nominatim = ThreadingHTTPServer(("127.0.0.1", 0), UnansweringNominatim)
    threading.Thread(target=nominatim.serve_forever, daemon=True).start()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False, "GEOCODER": "nominatim",
                      "NOMINATIM_DOMAIN": f"127.0.0.1:{nominatim.server_port}",
                      "NOMINATIM_SCHEME": "http", "GEOCODER_TIMEOUT": 0.5})
    # Each page warns that the geocoder is unavailable; the figures say it.
    logging.getLogger("directory.geo.geocoder").setLevel(logging.ERROR)
    servers = [serve(app), serve(hello_app)]
    print("Nominatim not answering (GEOCODER_TIMEOUT 0.5 s; aim < 3 s a page):")
    try:
        for mode in ("slow", "fail"):
            UnansweringNominatim.mode = mode
            # A new place each time: nothing comes from the geocoder's cache.
            samples = timed(runs, lambda i: get(
                f"/activities?near={quote(f'Benchgatan {mode} {i}')}",
                servers[0].server_port))
            print(f"  {'/activities?near=… (' + mode + ')':38s} {figures(samples)}")
        samples = timed(runs, lambda i: get("/", servers[1].server_port))
        print(f"  {'hello world (same server)':38s} {figures(samples)}")
    finally:
        for server in servers + [nominatim]:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    sys.exit(main())
