"""the database refuses overlapping approved room bookings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 02:20:00

PostgreSQL: an exclusion constraint over tstzrange with btree_gist, only for approved
bookings. SQLite: triggers that abort an insert or update making two approved bookings
of one room overlap. The statements live with the model (directory/bookings/models.py)
so that tests building the schema with create_all get the same guarantee.
"""
from alembic import op

from directory.bookings.models import PG_NO_OVERLAP, SQLITE_NO_OVERLAP

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
