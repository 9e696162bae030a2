"""one record of room use: every dated use of a room guarded by the same database rule

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 18:30:00

`room_use` holds every use of a room: scheduled occurrences placed in a room and approved
bookings not tied to a date. Triggers keep it from those tables; an exclusion constraint
(PostgreSQL) or a trigger (SQLite) refuses overlaps, the room's buffer included. It
replaces 0003's rule, which saw approved bookings only.

Existing data: dates that had no room of their own but an activity in a room are placed
in that room (that is where every page showed them). Uses that already overlap are kept
and marked `legacy`: the first decided (approved bookings, then dates in the order they
were made) holds the time, the others are tolerated until changed, listed by
`flask check-rooms` and marked in the weeks for coordinators to resolve.
"""
import bisect
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import directory.common.types
from directory.venues.room_use_rules import PG_RULES, SQLITE_RULES

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

UTC = directory.common.types.UTCDateTime(timezone=True)


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("ALTER TABLE room_booking DROP CONSTRAINT IF EXISTS room_booking_no_overlap")
    else:
        op.execute("DROP TRIGGER IF EXISTS room_booking_no_overlap_insert")
        op.execute("DROP TRIGGER IF EXISTS room_booking_no_overlap_update")
    op.create_table(
        'room_use',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('room_id', sa.Integer(), nullable=False),
        sa.Column('starts_at', UTC, nullable=False),
        sa.Column('ends_at', UTC, nullable=False),
        sa.Column('blocked_until', UTC, nullable=False),
        sa.Column('occurrence_id', sa.Integer(), nullable=True),
        sa.Column('booking_id', sa.Integer(), nullable=True),
        sa.Column('legacy', sa.Boolean(), nullable=False),
        sa.CheckConstraint('(occurrence_id IS NULL) <> (booking_id IS NULL)',
                           name=op.f('ck_room_use_one_source')),
        sa.CheckConstraint('blocked_until >= ends_at AND ends_at > starts_at',
                           name=op.f('ck_room_use_times')),
        sa.ForeignKeyConstraint(['booking_id'], ['room_booking.id'],
                                name=op.f('fk_room_use_booking_id_room_booking'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['occurrence_id'], ['occurrence.id'],
                                name=op.f('fk_room_use_occurrence_id_occurrence'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['room_id'], ['room.id'],
                                name=op.f('fk_room_use_room_id_room'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_room_use')),
        sa.UniqueConstraint('booking_id', name=op.f('uq_room_use_booking_id')),
        sa.UniqueConstraint('occurrence_id', name=op.f('uq_room_use_occurrence_id')))
    op.create_index('ix_room_use_room_time', 'room_use',
                    ['room_id', 'blocked_until', 'starts_at'], unique=False)
    _fill()
    for statement in (PG_RULES if dialect == "postgresql" else SQLITE_RULES):
        op.execute(statement)


def _fill():
    """Place dates where their activity's room put them, then write every use, marking
    those that overlap a use already written as legacy."""
    bind = op.get_bind()
    activity = sa.table("activity", sa.column("id"), sa.column("room_id"))
    occurrence = sa.table("occurrence", sa.column("id"), sa.column("activity_id"),
                          sa.column("room_id"), sa.column("status"),
                          sa.column("starts_at", UTC), sa.column("ends_at", UTC))
    booking = sa.table("room_booking", sa.column("id"), sa.column("room_id"),
                       sa.column("status"), sa.column("occurrence_id"),
                       sa.column("starts_at", UTC), sa.column("ends_at", UTC),
                       sa.column("decided_at", UTC))
    room = sa.table("room", sa.column("id"), sa.column("buffer_minutes"))
    use = sa.table("room_use", sa.column("room_id"), sa.column("starts_at", UTC),
                   sa.column("ends_at", UTC), sa.column("blocked_until", UTC),
                   sa.column("occurrence_id"), sa.column("booking_id"),
                   sa.column("legacy"))
    bind.execute(occurrence.update().where(occurrence.c.room_id.is_(None)).values(
        room_id=sa.select(activity.c.room_id).where(
            activity.c.id == occurrence.c.activity_id).scalar_subquery()))
    buffers = dict(bind.execute(sa.select(room.c.id, room.c.buffer_minutes)).all())
    candidates = [
        (0, row.decided_at or row.starts_at, row.id, row.room_id, row.starts_at,
         row.ends_at, None, row.id)
        for row in bind.execute(sa.select(booking).where(
            booking.c.status == "approved", booking.c.occurrence_id.is_(None)))]
    candidates += [
        (1, None, row.id, row.room_id, row.starts_at, row.ends_at, row.id, None)
        for row in bind.execute(sa.select(occurrence).where(
            occurrence.c.room_id.isnot(None), occurrence.c.status == "scheduled"))]
    candidates.sort(key=lambda c: (c[0], c[1] or c[4], c[2]))
    held = {}  # room id: sorted [(start, blocked until)] of uses that do not overlap
    rows = []
    for _, _, _, room_id, starts_at, ends_at, occurrence_id, booking_id in candidates:
        blocked_until = ends_at + timedelta(minutes=buffers.get(room_id) or 0)
        periods = held.setdefault(room_id, [])
        i = bisect.bisect_left(periods, (starts_at,))
        clash = (i > 0 and periods[i - 1][1] > starts_at) or \
            (i < len(periods) and periods[i][0] < blocked_until)
        if not clash:
            periods.insert(i, (starts_at, blocked_until))
        rows.append({"room_id": room_id, "starts_at": starts_at, "ends_at": ends_at,
                     "blocked_until": blocked_until, "occurrence_id": occurrence_id,
                     "booking_id": booking_id, "legacy": clash})
    for start in range(0, len(rows), 2000):
        bind.execute(use.insert(), rows[start:start + 2000])


def downgrade():
    dialect = op.get_bind().dialect.name
    from directory.venues.room_use_rules import PG_DROP, SQLITE_DROP
    for statement in (PG_DROP if dialect == "postgresql" else SQLITE_DROP):
        op.execute(statement)
    op.drop_index('ix_room_use_room_time', table_name='room_use')
    op.drop_table('room_use')
