"""Room booking speed: checking a 40-week series against a room with 2,000 existing
bookings (aim: under 50 ms), and rendering a venue week with 10 rooms and 300 bookings,
beside a near-empty request through the same app in the same run.

    .venv/bin/python bench/bookings.py
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
from directory.bookings.models import RoomBooking  # noqa: E402
from directory.bookings.services import check_dates, weekly_periods  # noqa: E402
from directory.common.time import combine_local, local_today  # noqa: E402
from directory.extensions import db  # noqa: E402
from directory.organisations.models import Organisation  # noqa: E402
from directory.taxonomy.services import ensure_default_terms, get_or_create_municipality  # noqa
from directory.venues.models import OpeningHours, Room, Venue  # noqa: E402


def timed(fn, runs=30):
    fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main():
    tmp = tempfile.mkdtemp(prefix="samverkan-bookings-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/b.sqlite",
                      "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        ensure_default_terms()
        taby = get_or_create_municipality("0160", "taby", "Täby", "Stockholms län")
        org = Organisation(slug="bench", name="Bench", status="verified", municipality=taby)
        venue = Venue(slug="bench-venue", name="Benchhuset", street_address="Gatan 1",
                      city="Täby", municipality=taby)
        for i in range(10):
            venue.rooms.append(Room(name=f"Rum {i}", capacity=20, max_advance_days=400,
                                    min_notice_hours=0))
        for weekday in range(7):
            venue.opening_hours.append(OpeningHours(weekday=weekday, opens=clock(7),
                                                    closes=clock(23)))
        db.session.add_all([org, venue])
        db.session.flush()
        today = local_today()
        busy = venue.rooms[0]
        rows = []
        for n in range(2000):  # 2,000 approved bookings in room 0 over the coming year
            day = today + timedelta(days=1 + n // 6)
            start = combine_local(day, clock(8 + 2 * (n % 6)))
            rows.append(RoomBooking(room_id=busy.id, organisation_id=org.id, status="approved",
                                    starts_at=start, ends_at=start + timedelta(hours=1)))
        next_monday = today + timedelta(days=7 - today.weekday())
        for n in range(300):  # 300 bookings across 9 more rooms in one week
            cell, slot = n % 63, n // 63
            day = next_monday + timedelta(days=cell // 9)
            start = combine_local(day, clock(7 + 3 * slot, 0))
            rows.append(RoomBooking(room_id=venue.rooms[1 + cell % 9].id, organisation_id=org.id,
                                    status="approved", starts_at=start,
                                    ends_at=start + timedelta(hours=1)))
        db.session.add_all(rows)
        db.session.commit()
        series = weekly_periods(today + timedelta(days=3), clock(19, 30), clock(21),
                                today + timedelta(days=3 + 7 * 39))
        assert len(series) == 40
        p50, p95 = timed(lambda: check_dates(busy, series))
        print(f"check a 40-week series against 2,000 bookings: p50 {p50:5.1f} ms  "
              f"p95 {p95:5.1f} ms")
    client = app.test_client()
    week = (local_today() + timedelta(days=7 - local_today().weekday())).isocalendar()
    path = f"/venues/bench-venue/schedule?week={week[0]}-W{week[1]:02d}"
    page = client.get(path).get_data(as_text=True)
    assert page.count('class="slot ') >= 300, page.count('class="slot ')
    p50, p95 = timed(lambda: client.get(path))
    print(f"render a venue week, 10 rooms, 300 bookings:      p50 {p50:5.1f} ms  "
          f"p95 {p95:5.1f} ms")
    p50, p95 = timed(lambda: client.get("/healthz"))
    print(f"baseline, /healthz through the same app:          p50 {p50:5.1f} ms  "
          f"p95 {p95:5.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
