"""Room bookings: every rule, and no double booking, guaranteed by the database even
for parallel approvals from threads and from two processes, on SQLite and PostgreSQL."""

import os
import subprocess
import sys
import threading
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from directory.bookings.models import RoomBooking
from directory.bookings.services import (BookingConflict, approve_booking, check_date,
                                         check_dates, request_booking)
from directory.common.time import combine_local, local_today, utcnow
from directory.extensions import db
from directory.venues.models import Closure

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def room(factories):
    venue = factories.venue(rooms=[("Stora salen", 40)])
    room = venue.rooms[0]
    room.min_notice_hours, room.max_advance_days = 24, 180
    room.max_duration_minutes, room.buffer_minutes = 240, 15
    db.session.commit()
    return room


def at(days, hour, minutes=0):
    return combine_local(local_today() + timedelta(days=days), time(hour, minutes))


def reasons(room, start, end):
    """The reasons as an English-speaking user reads them."""
    from flask import current_app
    with current_app.test_request_context("/?lang=en"):
        return [str(r) for r in check_date(room, start, end).reasons]


def test_each_rule(room, factories):
    assert reasons(room, at(3, 17), at(3, 19)) == []
    assert "The end must be after the start." in reasons(room, at(3, 19), at(3, 17))
    assert "The time has passed." in reasons(room, at(-1, 17), at(-1, 18))
    assert "Book at least 24 hours ahead." in reasons(
        room, utcnow() + timedelta(hours=2), utcnow() + timedelta(hours=3))
    assert "Bookings open at most 180 days ahead." in reasons(room, at(200, 17), at(200, 18))
    assert "A booking can last at most 240 minutes." in reasons(room, at(3, 9), at(3, 15))
    assert "Outside the opening hours." in reasons(room, at(3, 21), at(3, 23))
    assert "Outside the opening hours." in reasons(room, at(3, 7), at(3, 9))
    db.session.add(Closure(venue=room.venue, starts_on=local_today() + timedelta(days=4),
                           ends_on=local_today() + timedelta(days=4), reason="Midsommarafton"))
    db.session.commit()
    assert any("closed that day (Midsommarafton)" in r
               for r in reasons(room, at(4, 17), at(4, 18)))


def test_buffer_between_bookings(room, factories):
    org = factories.organisation()
    [booking], _ = request_booking(room, org, [(at(3, 17), at(3, 18))], None)
    approve_booking(booking, None)
    db.session.commit()
    assert any(r.startswith("The room is in use then: a booking by ")
               for r in reasons(room, at(3, 18, 10), at(3, 19)))
    assert reasons(room, at(3, 18, 15), at(3, 19)) == []


def test_opening_hours_in_local_time_across_summer_time(room):
    # The last Sunday of October and of March: 8-22 local on both sides of the change.
    for year in (local_today().year, local_today().year + 1):
        for month in (3, 10):
            last_sunday = max(date(year, month, d) for d in range(25, 32)
                              if date(year, month, d).weekday() == 6)
            start = combine_local(last_sunday, time(8))
            end = combine_local(last_sunday, time(22))
            if utcnow() + timedelta(days=1) < start < utcnow() + timedelta(days=170):
                assert end - start == timedelta(hours=14 if month == 3 else 14)
                assert "Outside the opening hours." not in reasons(room, start, end)


def test_a_series_reports_each_failing_date_and_books_the_rest(room, factories):
    org = factories.organisation()
    room.requires_approval = False
    db.session.add(Closure(venue=room.venue, starts_on=local_today() + timedelta(days=10),
                           ends_on=local_today() + timedelta(days=10), reason="Julafton"))
    db.session.commit()
    periods = [(at(d, 17), at(d, 19)) for d in (3, 10, 17, 24)]
    created, failed = request_booking(room, org, periods, None, purpose="Läxhjälp")
    db.session.commit()
    assert len(created) == 3 and all(b.status == "approved" for b in created)
    assert len(failed) == 1 and "Julafton" in str(failed[0].reasons[0])
    assert failed[0].starts_at == at(10, 17)
    assert len({b.series_key for b in created}) == 1
    with pytest.raises(ValueError):
        check_dates(room, [(at(3, 17), at(3, 18))] * 500)


def test_approving_rejects_the_pending_requests_it_collides_with(room, factories):
    a, b = factories.organisation(), factories.organisation()
    [first], _ = request_booking(room, a, [(at(3, 17), at(3, 19))], None)
    [second], _ = request_booking(room, b, [(at(3, 18), at(3, 20))], None)
    db.session.commit()
    rejected = approve_booking(first, None)
    db.session.commit()
    assert [r.id for r in rejected] == [second.id]
    db.session.refresh(second)
    assert second.status == "rejected" and second.decision_reason
    with pytest.raises(BookingConflict):
        approve_booking(second, None)


def test_the_database_itself_refuses_overlapping_approved_bookings(room, factories):
    org = factories.organisation()
    factories.booking(room, org, starts_at=at(3, 17), ends_at=at(3, 19), status="approved")
    with pytest.raises(IntegrityError):
        factories.booking(room, org, starts_at=at(3, 18), ends_at=at(3, 20),
                          status="approved")
    db.session.rollback()
    # Within the room's 15-minute buffer is refused too; after it is fine; pending ones
    # may overlap.
    with pytest.raises(IntegrityError):
        factories.booking(room, org, starts_at=at(3, 19, 10), ends_at=at(3, 20),
                          status="approved")
    db.session.rollback()
    factories.booking(room, org, starts_at=at(3, 19, 15), ends_at=at(3, 20),
                      status="approved", commit=False)
    factories.booking(room, org, starts_at=at(3, 17), ends_at=at(3, 20))


def fifty_requests(room, factories):
    orgs = [factories.organisation() for _ in range(5)]
    bookings = []
    for i in range(50):
        start = at(5, 17) + timedelta(minutes=5 * (i % 6))
        # Written as they are (an organisation's own request check would refuse its
        # second overlapping request): fifty requests competing for one time.
        bookings.append(factories.booking(room, orgs[i % 5], starts_at=start,
                                          ends_at=start + timedelta(hours=1),
                                          commit=False))
    db.session.commit()
    return [b.id for b in bookings]


@pytest.mark.app_config(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 60, "max_overflow": 0})
def test_50_parallel_approvals_from_threads_leave_exactly_one(app, room, factories):
    ids = fifty_requests(room, factories)
    results = {}

    def approve(booking_id):
        with app.app_context():
            try:
                approve_booking(db.session.get(RoomBooking, booking_id), None)
                db.session.commit()
                results[booking_id] = "approved"
            except BookingConflict:
                db.session.rollback()
                results[booking_id] = "conflict"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(results.values()).count("approved") == 1
    assert len(results) == 50
    db.session.expire_all()
    approved = db.session.scalars(db.select(RoomBooking).filter_by(status="approved")).all()
    assert len(approved) == 1


def test_50_parallel_approvals_from_two_processes_leave_exactly_one(app, room, factories):
    ids = fifty_requests(room, factories)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    halves = [ids[0::2], ids[1::2]]
    procs = [subprocess.Popen([sys.executable, "-m", "tests.booking_worker", uri,
                               *map(str, half)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              text=True) for half in halves]
    lines = []
    for proc in procs:
        out, _ = proc.communicate(timeout=180)
        lines += out.split()[1::2]
    assert len(lines) == 50 and lines.count("approved") == 1
    db.session.expire_all()
    assert len(db.session.scalars(db.select(RoomBooking).filter_by(status="approved")).all()) == 1


def test_week_of_the_summer_time_change_keeps_local_times(room, factories):
    org = factories.organisation()
    room.requires_approval = False
    room.max_advance_days = 400
    db.session.commit()
    today = local_today()
    october = date(today.year if today.month < 10 else today.year + 1, 10, 31)
    last_sunday = october - timedelta(days=(october.weekday() + 1) % 7)
    days = [last_sunday - timedelta(days=2), last_sunday + timedelta(days=1)]
    periods = [(combine_local(d, time(17)), combine_local(d, time(19))) for d in days]
    created, failed = request_booking(room, org, periods, None)
    assert not failed
    offsets = {b.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Stockholm"))
               .utcoffset() for b in created}
    assert len(offsets) == 2
    assert all(b.ends_at - b.starts_at == timedelta(hours=2) for b in created)


def test_the_rules_speak_in_plurals_of_each_language(room):
    from flask_babel import force_locale
    room.min_notice_hours = 1
    db.session.commit()
    soon = (utcnow() + timedelta(minutes=10), utcnow() + timedelta(minutes=40))
    assert "Book at least 1 hour ahead." in reasons(room, *soon)

    def said(lang):
        with force_locale(lang):
            return [str(r) for r in check_date(room, *soon).reasons]
    assert "Boka minst 1 timme i förväg." in said("sv")
    assert "احجز قبل ساعة واحدة (1) على الأقل." in said("ar")
    room.min_notice_hours = 2
    db.session.commit()
    assert "Boka minst 2 timmar i förväg." in said("sv")
    assert "احجز قبل ساعتين (2) على الأقل." in said("ar")


@pytest.mark.app_config(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 20, "max_overflow": 0})
def test_two_coordinators_approving_and_rejecting_one_request_at_once(app, room, factories):
    """Ten coordinators decide the same request at the same moment, half approving and
    half rejecting: one decision stands, every other is told it was already decided."""
    org = factories.organisation()
    [booking], _ = request_booking(room, org, [(at(3, 17), at(3, 18))], None)
    db.session.commit()
    results, start = [], threading.Barrier(10)

    def decide(n):
        with app.app_context():
            try:
                start.wait(timeout=30)
                found = db.session.get(RoomBooking, booking.id)
                if n % 2:
                    approve_booking(found, None)
                else:
                    from directory.bookings.services import reject_booking
                    reject_booking(found, "Nej", None)
                db.session.commit()
                results.append("done")
            except BookingConflict as error:
                db.session.rollback()
                results.append(str(error.message))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=decide, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert results.count("done") == 1, results
    assert len(results) == 10
    assert set(results) - {"done"} <= {"This request has already been decided.",
                                        "Förfrågan är redan avgjord."}
    db.session.expire_all()
    assert db.session.get(RoomBooking, booking.id).status in ("approved", "rejected")


def test_a_booking_the_date_left_says_so_in_each_readers_language(client, factories, auth):
    """A date held in one room by an approved booking gets another room: the first
    booking is cancelled saying where the date went, in the language of whoever reads
    the organisation's bookings (not of the coordinator who approved the move)."""
    venue = factories.venue(rooms=[("Stora salen", 40), ("Grupprum 1", 8)])
    stora, grupprum = sorted(venue.rooms, key=lambda r: r.name != "Stora salen")
    org = factories.organisation(name="Läxhjälpen")
    factories.user(email="a@example.se", organisation=org)
    activity = factories.activity(org, title="Läxhjälp")
    date = next(o for o in activity.occurrences if o.starts_at > utcnow() + timedelta(days=2))
    first = factories.booking(stora, org, starts_at=date.starts_at, ends_at=date.ends_at,
                              activity=activity, occurrence=date)
    approve_booking(first, None)
    db.session.commit()
    second = factories.booking(grupprum, org, starts_at=date.starts_at,
                               ends_at=date.ends_at, activity=activity, occurrence=date)
    approve_booking(second, None)  # outside any request: the service's default, Swedish
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(RoomBooking, first.id).status == "cancelled"
    auth.login("a@example.se")
    for lang, sentence in (("en", "The date moved to Grupprum 1."),
                           ("sv", "Datumet flyttades till Grupprum 1."),
                           ("ar", "نُقل الموعد إلى Grupprum 1.")):
        page = client.get(f"/manage/organisations/{org.slug}/bookings?lang={lang}")
        assert sentence in page.get_data(as_text=True), lang
