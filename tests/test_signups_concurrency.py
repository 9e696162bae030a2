"""Capacity holds under parallel requests from threads and from two server processes,
on SQLite and on PostgreSQL: exactly the capacity confirmed, the rest queued in order."""

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from directory import create_app
from directory.activities.models import Occurrence
from directory.common.time import utcnow
from directory.extensions import db
from directory.signups.models import Signup
from tests.conftest import config_for_tests

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def occurrence(factories):
    activity = factories.activity(title="Läxhjälp", registration_required=True,
                                  default_capacity=10)
    return next(o for o in activity.occurrences if o.starts_at > utcnow())


@pytest.fixture
def thread_server(app):
    """The app (a second instance on the same database) served by threads."""
    served = create_app(config_for_tests(app.config["SQLALCHEMY_DATABASE_URI"]))
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield [f"http://127.0.0.1:{server.server_port}"]
    server.shutdown()


@pytest.fixture
def process_servers(server_processes):
    """Two server processes on the same database."""
    return server_processes(2)


def parallel_signups(bases, occurrence_id, count):
    def one(i):
        base = bases[i % len(bases)]
        response = requests.post(f"{base}/api/v1/occurrences/{occurrence_id}/signups",
                                 json={"name": f"Person {i}", "contact": f"p{i}@example.se"},
                                 timeout=60)
        return response.status_code, response.json()
    with ThreadPoolExecutor(max_workers=25) as pool:
        return list(pool.map(one, range(count)))


def check_capacity_and_queue(results, occurrence_id):
    assert {status for status, _ in results} == {201}
    statuses = [body["status"] for _, body in results]
    assert statuses.count("confirmed") == 10 and statuses.count("waitlisted") == 90
    db.session.expire_all()
    rows = db.session.scalars(db.select(Signup).where(Signup.occurrence_id == occurrence_id)
                              .order_by(Signup.id)).all()
    assert len(rows) == 100
    assert sum(r.status == "confirmed" for r in rows) == 10
    occ = db.session.get(Occurrence, occurrence_id)
    assert (occ.confirmed_count, occ.waitlist_count) == (10, 90)
    # The waiting list is in arrival order: positions 1..90, one each.
    positions = sorted(body["position"] for _, body in results
                       if body["status"] == "waitlisted")
    assert positions == list(range(1, 91))
    return rows


@pytest.mark.parametrize("servers", ["thread_server", "process_servers"])
def test_100_parallel_signups_for_10_places(request, occurrence, client, servers):
    bases = request.getfixturevalue(servers)
    results = parallel_signups(bases, occurrence.id, 100)
    check_capacity_and_queue(results, occurrence.id)
    seen = client.get(f"/api/v1/occurrences/{occurrence.id}").get_json()
    assert seen["seats_left"] == 0 and seen["capacity"] == 10


def test_20_parallel_cancellations_promote_20_in_order(factories, thread_server):
    activity = factories.activity(title="Fotboll", registration_required=True,
                                  default_capacity=20)
    occurrence = next(o for o in activity.occurrences if o.starts_at > utcnow())
    results = parallel_signups(thread_server, occurrence.id, 100)
    confirmed = [body["cancel_url"] for _, body in results if body["status"] == "confirmed"]
    queue = sorted((body["position"], body["url"]) for _, body in results
                   if body["status"] == "waitlisted")
    assert len(confirmed) == 20 and [p for p, _ in queue] == list(range(1, 81))
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda link: requests.post(link, timeout=60,
                                                           allow_redirects=False
                                                           ).status_code, confirmed))
    assert answers == [303] * 20
    db.session.expire_all()
    occ = db.session.get(Occurrence, occurrence.id)
    assert (occ.confirmed_count, occ.waitlist_count) == (20, 60)
    promoted = db.session.scalars(db.select(Signup).where(
        Signup.occurrence_id == occurrence.id, Signup.promoted_at.is_not(None))).all()
    assert len(promoted) == 20
    # Exactly the first 20 of the queue got the places.
    first_twenty_pages = {url for _, url in queue[:20]}
    for _, url in queue:
        page = requests.get(url + "?lang=en", timeout=30).text
        assert ("You have a place." in page) == (url in first_twenty_pages)
