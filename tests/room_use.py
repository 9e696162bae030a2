"""Who is in a room when, read with plain SQL from the dates and bookings themselves
(not from `room_use`): the checks the room-use tests make after every step."""

from datetime import timedelta

from sqlalchemy import Boolean, Integer, String, text

from directory.common.types import UTCDateTime
from directory.extensions import db
from tests.conftest import _empty_tables

# Every use of a room, read from its sources: a scheduled date placed in a room, and an
# approved booking that is not tied to a date (one tied to a date is the date's claim).
USES = text("""
    SELECT 'occurrence' AS kind, o.id AS id, o.room_id AS room_id,
           o.starts_at AS starts_at, o.ends_at AS ends_at, r.buffer_minutes AS buffer
    FROM occurrence o JOIN room r ON r.id = o.room_id
    WHERE o.status = 'scheduled'
    UNION ALL
    SELECT 'booking', b.id, b.room_id, b.starts_at, b.ends_at, r.buffer_minutes
    FROM room_booking b JOIN room r ON r.id = b.room_id
    WHERE b.status = 'approved' AND b.occurrence_id IS NULL
""").columns(kind=String, id=Integer, room_id=Integer, starts_at=UTCDateTime,
             ends_at=UTCDateTime, buffer=Integer)

RECORDED = text("""
    SELECT CASE WHEN occurrence_id IS NULL THEN 'booking' ELSE 'occurrence' END AS kind,
           COALESCE(occurrence_id, booking_id) AS id, room_id, starts_at, ends_at,
           blocked_until, legacy
    FROM room_use
""").columns(kind=String, id=Integer, room_id=Integer, starts_at=UTCDateTime,
             ends_at=UTCDateTime, blocked_until=UTCDateTime, legacy=Boolean)

# Approved bookings tied to a date, with the date as it is now.
TIED = text("""
    SELECT b.id AS booking_id, b.room_id AS room_id, b.starts_at AS starts_at,
           b.ends_at AS ends_at, o.id AS occurrence_id, o.room_id AS date_room_id,
           o.status AS date_status, o.starts_at AS date_starts_at,
           o.ends_at AS date_ends_at
    FROM room_booking b LEFT JOIN occurrence o ON o.id = b.occurrence_id
    WHERE b.status = 'approved' AND b.occurrence_id IS NOT NULL
""").columns(booking_id=Integer, room_id=Integer, starts_at=UTCDateTime,
             ends_at=UTCDateTime, occurrence_id=Integer, date_room_id=Integer,
             date_status=String, date_starts_at=UTCDateTime, date_ends_at=UTCDateTime)


def uses():
    return db.session.execute(USES).all()


def overlapping_pairs(rows=None):
    """Pairs of uses of one room that meet within the room's buffer."""
    by_room = {}
    for row in uses() if rows is None else rows:
        by_room.setdefault(row.room_id, []).append(row)
    pairs = []
    for room_uses in by_room.values():
        room_uses.sort(key=lambda u: u.starts_at)
        for i, first in enumerate(room_uses):
            buffer = timedelta(minutes=first.buffer or 0)
            for second in room_uses[i + 1:]:
                if second.starts_at >= first.ends_at + buffer:
                    break
                pairs.append((first, second))
    return pairs


def recorded_uses():
    return db.session.execute(RECORDED).all()


def assert_room_use_mirrors_its_sources():
    """room_use holds exactly the uses of the dates and bookings, buffer included."""
    expected = {(u.kind, u.id, u.room_id, u.starts_at, u.ends_at,
                 u.ends_at + timedelta(minutes=u.buffer or 0)) for u in uses()}
    recorded = [(u.kind, u.id, u.room_id, u.starts_at, u.ends_at, u.blocked_until)
                for u in recorded_uses()]
    assert len(recorded) == len(set(recorded))
    assert set(recorded) == expected


def assert_tied_bookings_follow_their_dates():
    """An approved booking tied to a date has the date's times."""
    for row in db.session.execute(TIED):
        assert row.occurrence_id is not None, f"booking {row.booking_id}: its date is gone"
        assert (row.starts_at, row.ends_at) == (row.date_starts_at, row.date_ends_at), \
            f"booking {row.booking_id} is not at its date's time"


def approved_bookings_not_holding_their_date():
    """Approved bookings tied to a date that is not (or no longer) in the booking's room."""
    return [row.booking_id for row in db.session.execute(TIED)
            if row.date_status != "scheduled" or row.date_room_id != row.room_id]


def assert_rooms_hold():
    """The whole promise: no room used twice at once (buffer included), room_use true
    to its sources, no legacy use made by the service."""
    pairs = overlapping_pairs()
    assert not pairs, f"room used twice at once: {pairs}"
    assert_room_use_mirrors_its_sources()
    assert not any(u.legacy for u in recorded_uses())
    assert_tied_bookings_follow_their_dates()


def snapshot():
    """Every date and booking as stored: what a refused change must leave as it was."""
    return (db.session.execute(text(
                "SELECT id, room_id, status, starts_at, ends_at FROM occurrence "
                "ORDER BY id")).all(),
            db.session.execute(text(
                "SELECT id, room_id, status, starts_at, ends_at, occurrence_id "
                "FROM room_booking ORDER BY id")).all())


def empty_database():
    """Every table emptied, between the examples of one test, and nothing of the last
    example left in the session (its ids come back for other rows)."""
    db.session.rollback()
    db.session.expunge_all()
    if db.engine.dialect.name == "postgresql":
        _empty_tables()
    else:
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
    db.session.expunge_all()
