"""A database from before the room-use rule, whose rooms are used twice at once, migrates:
every use is kept, the later of two overlapping ones marked legacy, `flask check-rooms`
lists them and the venue's week marks them until a coordinator moves one; no new use
may overlap a legacy one. On SQLite and PostgreSQL."""

import os
from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from directory import create_app
from directory.activities.editing import move_occurrence
from directory.activities.models import ActivityError, Occurrence
from directory.bookings.schedule import week_label
from directory.common.time import combine_local, local_today, utcnow
from directory.common.types import UTCDateTime
from directory.config import database_uri
from directory.extensions import db
from tests.conftest import config_for_tests
from tests.room_use import assert_room_use_mirrors_its_sources, recorded_uses

OVERLAPS = "Overlaps another use of the room"


def _fresh_database(tmp_path, worker_id):
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(tmp_path / "before-room-use.sqlite")
    admin = create_engine(database_uri(url), isolation_level="AUTOCOMMIT")
    name = f"samverkan_room_use_migration_{worker_id}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return database_uri(url).rsplit("/", 1)[0] + "/" + name


def _type(value):
    if isinstance(value, datetime):
        return UTCDateTime()
    if isinstance(value, date):
        return sa.Date()
    if isinstance(value, time):
        return sa.Time()
    if isinstance(value, bool):
        return sa.Boolean()
    if isinstance(value, (dict, list)):
        return sa.JSON()
    return None


def insert(conn, table, **values):
    """One row written with plain SQL, as the schema of revision 0004 has it (the models
    describe a later one); returns its id."""
    columns = [sa.column(name, _type(value)) for name, value in values.items()]
    statement = sa.table(table, sa.column("id"), *columns).insert().values(**values)
    return conn.execute(statement.returning(sa.column("id"))).scalar_one()


def build_at_0004(conn, day):
    """Kemistvägen's Stora salen (15 minutes between uses) on `day`, used the old way:

    - Läxhjälp (made first) 10–12, Schack (made later) 11–16: overlapping dates;
    - an approved booking of Förening B 15:00–15:45, overlapping Schack;
    - Språkcafé the day after 10–11, alone;
    - Syjunta two days after 10–11: its date has no room, its activity has.
    """
    now = utcnow()
    stamps = {"created_at": now, "updated_at": now}
    municipality = insert(conn, "municipality", code="0160", slug="taby", name="Täby",
                          county="Stockholms län")
    orgs = [insert(conn, "organisation", slug=slug, name=name, description="", translations={},
                   kind="forening", municipality_id=municipality, language_codes="sv",
                   status="verified", search_text=name.lower(), **stamps)
            for slug, name in (("forening-a", "Förening A"), ("forening-b", "Förening B"))]
    venue = insert(conn, "venue", slug="kemistvagen", name="Mötesplats Kemistvägen",
                   description="", accessibility="", translations={},
                   street_address="Kemistvägen 17", city="Täby", municipality_id=municipality,
                   active=True, **stamps)
    for weekday in range(7):
        insert(conn, "opening_hours", venue_id=venue, weekday=weekday, opens=time(8),
               closes=time(22))
    room = insert(conn, "room", venue_id=venue, name="Stora salen", capacity=40, features=[],
                  requires_approval=True, min_notice_hours=24, max_advance_days=365,
                  max_duration_minutes=480, buffer_minutes=15, active=True)
    dates = {}
    for title, org, on, start, end, date_room in (
            ("Läxhjälp", orgs[0], day, time(10), time(12), room),
            ("Schack", orgs[1], day, time(11), time(16), room),
            ("Språkcafé", orgs[0], day + timedelta(days=1), time(10), time(11), room),
            ("Syjunta", orgs[1], day + timedelta(days=2), time(10), time(11), None)):
        activity = insert(conn, "activity", organisation_id=org, municipality_id=municipality,
                          title=title, description="", translations={}, language_codes="sv",
                          cost="", registration_required=False, room_id=room,
                          recurrence="once", starts_on=on, start_time=start, end_time=end,
                          interval=1, weekdays="", status="active", sequence=0,
                          search_text=title.lower(), **stamps)
        starts_at, ends_at = combine_local(on, start), combine_local(on, end)
        dates[title] = insert(conn, "occurrence", activity_id=activity, starts_at=starts_at,
                              ends_at=ends_at, original_starts_at=starts_at, room_id=date_room,
                              status="scheduled", sequence=0, updated_at=now,
                              confirmed_count=0, waitlist_count=0)
    booking = insert(conn, "room_booking", room_id=room, organisation_id=orgs[1],
                     starts_at=combine_local(day, time(15)),
                     ends_at=combine_local(day, time(15, 45)), purpose="Årsmöte",
                     status="approved", decided_at=now - timedelta(days=3), **stamps)
    return room, dates, booking


@pytest.fixture
def migrated(tmp_path, worker_id):
    """The app on a database built at 0004 with rooms used twice at once, then
    upgraded to the newest revision."""
    app = create_app(config_for_tests(_fresh_database(tmp_path, worker_id)))
    day = local_today() + timedelta(days=14 - local_today().weekday())  # a Monday
    with app.app_context():
        upgrade(revision="0004")
        with db.engine.begin() as conn:
            room, dates, booking = build_at_0004(conn, day)
        upgrade()
        yield app, day, room, dates, booking
        db.session.remove()
        db.engine.dispose()


def check_rooms(app):
    return app.test_cli_runner().invoke(args=["check-rooms"])


def week_page(app, day):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get(f"/venues/kemistvagen/schedule?week={week_label(day)}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_database_with_rooms_used_twice_at_once_migrates_and_shows_its_conflicts(migrated):
    app, day, room, dates, booking = migrated

    # Every use is kept; the first decided holds its time (the approved booking, then the
    # dates in the order they were made), the later overlapping date is legacy.
    assert_room_use_mirrors_its_sources()
    legacy = {(u.kind, u.id): u.legacy for u in recorded_uses()}
    assert legacy == {("occurrence", dates["Läxhjälp"]): False,
                      ("occurrence", dates["Schack"]): True,
                      ("occurrence", dates["Språkcafé"]): False,
                      ("occurrence", dates["Syjunta"]): False,
                      ("booking", booking): False}
    # The date shown at its activity's room is now in it.
    assert db.session.get(Occurrence, dates["Syjunta"]).room_id == room

    result = check_rooms(app)
    assert result.exit_code == 1
    conflicts = [line for line in result.output.splitlines() if "Stora salen:" in line]
    assert len(conflicts) == 2
    assert any("«Läxhjälp»" in line and "«Schack»" in line for line in conflicts)
    assert any("«Schack»" in line and f"booking {booking}" in line for line in conflicts)
    assert "2 overlapping pairs" in result.output

    page = week_page(app, day)
    assert page.count(OVERLAPS) == 3  # Läxhjälp, Schack and the booking
    assert "Språkcafé" in page

    # A use that was free may not move onto the legacy one.
    språkcafé = db.session.get(Occurrence, dates["Språkcafé"])
    with pytest.raises(ActivityError) as refused:
        move_occurrence(språkcafé, day, time(13), time(14), None)
    assert "Schack" in str(refused.value.message)
    db.session.rollback()
    # Nor past the services, with plain SQL: the database refuses it too.
    with pytest.raises(IntegrityError, match="room_use_no_overlap"):
        with db.engine.begin() as conn:
            conn.execute(sa.table("occurrence", sa.column("id"),
                                  sa.column("starts_at", UTCDateTime()),
                                  sa.column("ends_at", UTCDateTime())).update()
                         .where(sa.column("id") == dates["Språkcafé"])
                         .values(starts_at=combine_local(day, time(13)),
                                 ends_at=combine_local(day, time(14))))

    # Moving the legacy date to a free time resolves both conflicts.
    schack = db.session.get(Occurrence, dates["Schack"])
    move_occurrence(schack, day + timedelta(days=3), time(11), time(16), None)
    db.session.commit()
    assert not any(u.legacy for u in recorded_uses())
    assert_room_use_mirrors_its_sources()
    result = check_rooms(app)
    assert result.exit_code == 0, result.output
    assert "No room is used twice at once." in result.output
    assert OVERLAPS not in week_page(app, day)


def test_a_legacy_date_that_changes_into_another_use_is_refused(migrated):
    """Changing a legacy date keeps the rule: it may go where the room is free, not onto
    another use (there it stays legacy, where it was)."""
    app, day, room, dates, booking = migrated
    schack = db.session.get(Occurrence, dates["Schack"])
    with pytest.raises(ActivityError):
        move_occurrence(schack, day + timedelta(days=1), time(10, 30), time(12), None)
    db.session.rollback()
    assert check_rooms(app).exit_code == 1
    assert {u.id: u.legacy for u in recorded_uses() if u.kind == "occurrence"}[
        dates["Schack"]] is True
