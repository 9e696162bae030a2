"""Backups that restore: taken while people sign up, restored into a fresh database, with
every confirmed sign-up and approved booking there, on SQLite and on PostgreSQL."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import text

from directory import create_app
from directory.bookings.models import RoomBooking
from directory.common.time import utcnow
from directory.extensions import db
from tests.conftest import POSTGRES_URL, config_for_tests, empty_postgres_database

CONFIRMED = "SELECT id FROM signup WHERE status = 'confirmed'"
APPROVED = "SELECT id FROM room_booking WHERE status = 'approved'"


def ids(engine, sql):
    with engine.connect() as conn:
        return {row[0] for row in conn.execute(text(sql))}


@pytest.fixture
def fresh_uri(tmp_path, worker_id):
    """An empty database to restore into."""
    if not POSTGRES_URL:
        return "sqlite:///" + str(tmp_path / "restored.sqlite")
    return empty_postgres_database(f"samverkan_restore_{worker_id}")


def test_a_backup_during_a_burst_of_signups_restores_every_confirmed_one(
        app, factories, tmp_path, fresh_uri):
    activity = factories.activity(registration_required=True, default_capacity=1000)
    occurrence = next(o for o in activity.occurrences if o.starts_at > utcnow())
    venue = factories.venue()
    start = utcnow().replace(microsecond=0) + timedelta(days=3)
    db.session.add(RoomBooking(room=venue.rooms[0], organisation=activity.organisation,
                               starts_at=start, ends_at=start + timedelta(hours=2),
                               purpose="Styrelsemöte", status="approved"))
    db.session.commit()
    engine, url = db.engine, f"/api/v1/occurrences/{occurrence.id}/signups"
    stop, signed = threading.Event(), threading.Event()

    def burst():
        client = app.test_client()
        for number in range(400):
            if stop.is_set():
                return
            client.post(url, json={"name": f"Deltagare {number}",
                               "contact": f"deltagare{number}@example.se"})
            if number == 10:
                signed.set()

    thread = threading.Thread(target=burst)
    thread.start()
    try:
        assert signed.wait(60)
        confirmed_before = ids(engine, CONFIRMED)
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backups")])
    finally:
        stop.set()
        thread.join()
    assert result.exit_code == 0, result.output
    path = result.output.strip().splitlines()[-1]
    assert len(confirmed_before) >= 10

    restored = create_app(config_for_tests(fresh_uri))
    with restored.app_context():
        outcome = restored.test_cli_runner().invoke(args=["restore", "--yes", path])
        assert outcome.exit_code == 0, outcome.output
        assert confirmed_before <= ids(db.engine, CONFIRMED)
        assert len(ids(db.engine, APPROVED)) == 1
        # The restored database serves: the date's page counts the places taken.
        page = restored.test_client().get(url.replace("/api/v1", "").replace("/signups", ""))
        assert page.status_code == 200
        db.engine.dispose()


def test_a_file_that_is_no_backup_is_refused(app, tmp_path):
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"not a database at all" * 100)
    if POSTGRES_URL:
        pytest.skip("pg_restore refuses it in its own words")
    result = app.test_cli_runner().invoke(args=["restore", "--yes", str(broken)])
    assert result.exit_code != 0
    assert "not a SQLite database" in result.output or "integrity" in result.output
