"""The coordinators' follow-up at scale: `seed-demo --scale N` (10,000 organisations by
default) into a temporary SQLite file (or `--database-url`), then p50/p95 of the
follow-up page for a year and of each of its downloads, as a county-wide coordinator,
in-process (the page's own work, without a server in front).

    .venv/bin/python bench/follow_up.py [--scale 10000] [--runs 10] [--database-url …]
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from directory import create_app  # noqa: E402
from directory.accounts.models import User  # noqa: E402
from directory.accounts.services import create_user, set_password  # noqa: E402
from directory.activities.models import Occurrence  # noqa: E402
from directory.config import database_uri  # noqa: E402
from directory.demo.seed import seed_demo, seed_scale  # noqa: E402
from directory.extensions import db  # noqa: E402

PASSWORD = "ett långt lösenord för mätningen"


def timed(client, path, runs):
    client.get(path)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return response, statistics.median(samples), samples[max(0, int(len(samples) * .95) - 1)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    uri = database_uri(args.database_url) if args.database_url else \
        f"sqlite:///{tempfile.mkdtemp(prefix='samverkan-follow-up-')}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                      "SESSION_COOKIE_SECURE": False})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        seed_demo()
        seed_scale(args.scale)
        db.session.commit()
        seeded = time.perf_counter() - started
        dates = db.session.scalar(select(func.count()).select_from(Occurrence))
        user = create_user("samordnare@example.se", "staff")
        set_password(user, PASSWORD)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(User))
    print(f"== follow-up at --scale {args.scale}: {dates} dates; seeded in {seeded:.0f} s")
    client = app.test_client()
    client.post("/login", data={"email": "samordnare@example.se", "password": PASSWORD})
    print(f"{'what':<44} {'p50 ms':>8} {'p95 ms':>8} {'bytes':>9}")
    paths = [("/staff/follow-up (a year)", "/staff/follow-up?period=year")]
    paths += [(f"download by {t} (xlsx)", f"/staff/follow-up/{t}.xlsx?period=year")
              for t in ("focus", "organisation", "district", "rooms")]
    for label, path in paths:
        response, p50, p95 = timed(client, path, args.runs)
        assert response.status_code == 200, (path, response.status_code)
        print(f"{label:<44} {p50:>8.1f} {p95:>8.1f} {len(response.data):>9}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
