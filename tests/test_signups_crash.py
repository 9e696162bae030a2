"""A server process killed outright (kill -9) in the middle of a burst of sign-ups loses
no sign-up it confirmed: every 201 answer is a row in the database, on SQLite and on
PostgreSQL, and the counts on the date agree with the rows."""

import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from directory.activities.models import Occurrence
from directory.common.time import utcnow
from directory.extensions import db
from directory.signups.models import Signup


def test_kill_9_during_a_burst_keeps_every_confirmed_signup(factories, server_processes):
    activity = factories.activity(registration_required=True, default_capacity=500)
    occurrence = next(o for o in activity.occurrences if o.starts_at > utcnow())
    occurrence_id = occurrence.id
    [base] = server_processes(1)
    [process] = server_processes.processes
    answered, half = [], threading.Event()

    def one(number):
        try:
            response = requests.post(f"{base}/api/v1/occurrences/{occurrence_id}/signups",
                                     json={"name": f"Deltagare {number}",
                                           "contact": f"d{number}@example.se"}, timeout=30)
        except requests.RequestException:
            return  # the server died under this request: no answer, no promise
        if response.status_code == 201:
            answered.append((f"d{number}@example.se", response.json()["status"]))
            if len(answered) >= 40:
                half.set()

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(one, number) for number in range(300)]
        assert half.wait(120)
        os.kill(process.pid, signal.SIGKILL)
        for future in futures:
            future.result()
    process.wait(timeout=10)

    db.session.expire_all()
    rows = {row.contact: row.status for row in db.session.scalars(
        db.select(Signup).where(Signup.occurrence_id == occurrence_id))}
    assert len(answered) >= 40
    for contact, status in answered:
        assert rows.get(contact) == status, contact
    counted = db.session.get(Occurrence, occurrence_id)
    assert counted.confirmed_count == sum(s == "confirmed" for s in rows.values())
    assert counted.waitlist_count == sum(s == "waitlisted" for s in rows.values())
