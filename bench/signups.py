"""Sustained sign-ups per second under gunicorn with 2 workers, and a check that no
date is overbooked.

    .venv/bin/python bench/signups.py [--database-url postgresql://...] [--seconds 10]

SQLite (WAL, synchronous=FULL) in a temporary folder by default. Traffic goes only to
127.0.0.1; the load is bounded in time.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV = ROOT / ".venv" / "bin"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(database_url, capacity=10):
    """The schema, the demo, and every future occurrence requiring sign-up."""
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="bench")
    subprocess.run([str(VENV / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT,
                   env=env, check=True, capture_output=True)
    subprocess.run([str(VENV / "flask"), "--app", "wsgi", "seed-demo"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    from directory import create_app
    from directory.activities.models import Activity, Occurrence
    from directory.common.time import utcnow
    from directory.extensions import db
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url.replace(
        "postgresql://", "postgresql+psycopg://"), "SECRET_KEY": "bench"})
    with app.app_context():
        for activity in db.session.scalars(db.select(Activity)):
            activity.registration_required = True
            activity.default_capacity = capacity
        db.session.commit()
        from directory.organisations.models import Organisation
        ids = db.session.scalars(db.select(Occurrence.id).join(Occurrence.activity)
            .join(Activity.organisation).where(
            Occurrence.starts_at > utcnow(), Occurrence.status == "scheduled",
            Organisation.status == "verified")
            .order_by(Occurrence.starts_at).limit(400)).all()
    return app, ids


def load(base, ids, seconds, threads=16):
    counts, errors = [0] * threads, [0] * threads
    statuses = {}
    stop = time.monotonic() + seconds

    def worker(n):
        session = requests.Session()
        i = 0
        while time.monotonic() < stop:
            occurrence = ids[(n * 7919 + i) % len(ids)]
            response = session.post(f"{base}/api/v1/occurrences/{occurrence}/signups",
                                    json={"name": f"P{n}", "contact": f"p{n}-{i}@example.se"},
                                    timeout=30)
            if response.status_code == 201:
                counts[n] += 1
            else:
                errors[n] += 1
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            i += 1

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    started = time.monotonic()
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=seconds + 60)
    return sum(counts), statuses, time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="samverkan-signups-")
    url = args.database_url or f"sqlite:///{tmp}/signups.sqlite"
    app, ids = prepare(url)
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench", RATELIMIT_ENABLED="false")
    server = subprocess.Popen([str(VENV / "gunicorn"), "-w", "2", "-k", "gthread",
                               "--threads", "4", "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                requests.get(base + "/healthz", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        done, refused, elapsed = load(base, ids, args.seconds)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    from directory.activities.models import Occurrence
    from directory.extensions import db
    from directory.signups.models import Signup
    with app.app_context():
        over = 0
        for occ in db.session.scalars(db.select(Occurrence).where(Occurrence.id.in_(ids))):
            confirmed = db.session.scalar(db.select(db.func.count()).select_from(Signup).where(
                Signup.occurrence_id == occ.id, Signup.status == "confirmed"))
            over += confirmed > occ.effective_capacity or confirmed != occ.confirmed_count
    kind = "PostgreSQL" if url.startswith("postgres") else "SQLite (WAL, synchronous=FULL)"
    print(f"{kind}: {done / elapsed:.0f} sign-ups per second over {elapsed:.1f} s "
          f"({done} stored; refused by status: {refused or 'none'}); overbooked or miscounted dates: {over}")
    return 0 if over == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
