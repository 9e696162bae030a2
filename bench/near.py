"""Near-me speed over 10,000 organisations (`seed-demo --scale 10000`): p50/p95 of the
service call and of the HTTP request (in-process) for /api/v1/occurrences?near=….

    .venv/bin/python bench/near.py [--scale 10000]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PLACES = ["Gårdsten", "Angered", "Mölndal", "Täby", "Borås", "57.70,11.97", "Hammarkullen"]


def percentiles(samples):
    samples = sorted(samples)
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=140)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="samverkan-near-")
    url = f"sqlite:///{tmp}/near.sqlite"
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench")
    flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi"]
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    subprocess.run(flask + ["seed-demo", "--scale", str(args.scale)], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    from directory import create_app
    from directory.extensions import db
    from directory.geo.geocoder import locate
    from directory.geo.services import within
    from directory.activities.models import Activity
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False})
    with app.test_request_context():
        places = [locate(p)[0] for p in PLACES]
        within(Activity, places[0], 5)
        service = []
        for i in range(args.runs):
            started = time.perf_counter()
            within(Activity, places[i % len(places)], 5)
            service.append((time.perf_counter() - started) * 1000)
        found = len(within(Activity, places[0], 5))
        db.session.remove()
    client = app.test_client()
    client.get("/api/v1/occurrences?near=Gårdsten")
    http = []
    for i in range(args.runs):
        started = time.perf_counter()
        response = client.get(f"/api/v1/occurrences?near={PLACES[i % len(PLACES)]}")
        http.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    p50, p95 = percentiles(service)
    print(f"{args.scale} organisations; {found} activities within 5 km of Gårdsten")
    print(f"near-me lookup (box, great circle, geodesic at the edge): p50 {p50:5.1f} ms  p95 {p95:5.1f} ms")
    p50, p95 = percentiles(http)
    print(f"/api/v1/occurrences?near=… (in-process):                 p50 {p50:5.1f} ms  p95 {p95:5.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
