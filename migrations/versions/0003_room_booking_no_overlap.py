"""the database refuses overlapping approved room bookings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 02:20:00

PostgreSQL: an exclusion constraint over tstzrange with btree_gist, only for approved
bookings. SQLite: triggers that abort an insert or update making two approved bookings
of one room overlap. The statements live with the model (directory/bookings/models.py)
so that tests building the schema with create_all get the same guarantee. Migration
0005 replaces this rule with one over every use of a room (room_use).
"""
from alembic import op

PG_NO_OVERLAP = (
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE room_booking ADD CONSTRAINT room_booking_no_overlap EXCLUDE USING gist "
    "(room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
    "WHERE (status = 'approved')",
)
_SQLITE_OVERLAP = (
    "WHEN NEW.status = 'approved' AND EXISTS (SELECT 1 FROM room_booking b "
    "WHERE b.room_id = NEW.room_id AND b.status = 'approved' AND b.id IS NOT NEW.id "
    "AND b.starts_at < NEW.ends_at AND NEW.starts_at < b.ends_at) "
    "BEGIN SELECT RAISE(ABORT, 'room_booking_no_overlap'); END")
SQLITE_NO_OVERLAP = (
    "CREATE TRIGGER room_booking_no_overlap_insert BEFORE INSERT ON room_booking "
    + _SQLITE_OVERLAP,
    "CREATE TRIGGER room_booking_no_overlap_update BEFORE UPDATE OF status, room_id, "
    "starts_at, ends_at ON room_booking " + _SQLITE_OVERLAP,
)

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    dialect = op.get_bind().dialect.name
    statements = PG_NO_OVERLAP if dialect == "postgresql" else SQLITE_NO_OVERLAP
    for statement in statements:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE room_booking DROP CONSTRAINT room_booking_no_overlap")
    else:
        op.execute("DROP TRIGGER room_booking_no_overlap_insert")
        op.execute("DROP TRIGGER room_booking_no_overlap_update")
