"""Calendar feed speed: 500 occurrences in one feed; prints the time to build it and
the time of a 304 answer (If-None-Match).

    .venv/bin/python bench/feeds.py
"""

import statistics
import sys
import tempfile
import time
from datetime import time as clock, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from directory import create_app  # noqa: E402
from directory.activities.models import Activity, Occurrence  # noqa: E402
from directory.activities.materialising import horizon_end, materialise_occurrences  # noqa: E402
from directory.common.time import local_today  # noqa: E402
from directory.extensions import db  # noqa: E402
from directory.organisations.models import Organisation  # noqa: E402
from directory.taxonomy.services import ensure_default_terms, get_or_create_municipality  # noqa


def seed(target=500, slug="bench-forening", name="Benchföreningen"):
    """An organisation whose weekly series hold about `target` dates in all (each series
    about 52 dates, a few cancelled or moved, as real feeds have); returns the count."""
    ensure_default_terms()
    taby = get_or_create_municipality("0160", "taby", "Täby", "Stockholms län")
    org = Organisation(slug=slug, name=name, status="verified",
                       municipality=taby, email="info@example.se")
    db.session.add(org)
    db.session.flush()
    today = local_today()
    dates = db.session.query(Occurrence).join(Activity).filter(
        Activity.organisation_id == org.id)
    n = 0
    while dates.count() < target:
        activity = Activity(organisation=org, municipality=taby, title=f"Språkcafé {n}",
                            description="Öva svenska över en kopp kaffe.",
                            translations={"ar": {"title": "مقهى اللغة"}},
                            recurrence="weekly", starts_on=today - timedelta(days=80),
                            start_time=clock(17), end_time=clock(19), weekdays=str(n % 7),
                            until=today + timedelta(days=280), street_address="Storgatan 1",
                            city="Täby", latitude=59.44, longitude=18.07)
        db.session.add(activity)
        db.session.flush()
        materialise_occurrences(activity, horizon_end(today))
        n += 1
    # Some exceptions, as real feeds have.
    for i, occ in enumerate(dates.order_by(Occurrence.id)):
        if i % 17 == 0:
            occ.status = "cancelled"
        elif i % 23 == 0:
            occ.starts_at += timedelta(hours=1)
            occ.ends_at += timedelta(hours=1)
            occ.sequence += 1
    db.session.commit()
    return dates.count()


def timed(client, path, headers=None, runs=50):
    client.get(path, headers=headers)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return response, statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main():
    tmp = tempfile.mkdtemp(prefix="samverkan-feeds-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/feeds.sqlite",
                      "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        total = seed()
    client = app.test_client()
    path = "/organisations/bench-forening/calendar.ics"
    response, p50, p95 = timed(client, path)
    print(f"occurrences in the feed: {total}; feed size {len(response.data) / 1024:.0f} KiB")
    print(f"build the feed:  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")
    _, p50, p95 = timed(client, path, {"If-None-Match": response.headers["ETag"]})
    print(f"304 answer:      p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
