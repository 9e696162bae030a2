"""freshness: when an organisation's details were last confirmed

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 10:00:00

`confirmed_at` is the one fact freshness counts from (organisations.freshness): existing
rows get their last review, else their verification, else their registration, which is
what "not reviewed for a year" counted from before. `confirm_asked_at` is when the
owners were asked to confirm (eleven months on), `lapsed_at` when an unconfirmed listing
left the public lists (thirteen months on, never sooner than two months after asking).
"""
import sqlalchemy as sa
from alembic import op

from directory.common.types import UTCDateTime

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE ADD COLUMN (never a SQLite table rebuild, which would
    # cascade-delete the rows that refer to organisations). SQLite adds a NOT NULL
    # column only with a constant default; every row is given its real value at once.
    op.add_column('organisation', sa.Column(
        'confirmed_at', UTCDateTime(timezone=True), nullable=False,
        server_default=sa.text("'2000-01-01 00:00:00'")))
    op.execute("UPDATE organisation SET confirmed_at = "
               "COALESCE(reviewed_at, verified_at, created_at)")
    if op.get_bind().dialect.name == 'postgresql':
        op.alter_column('organisation', 'confirmed_at', server_default=None)
    op.add_column('organisation', sa.Column('confirm_asked_at', UTCDateTime(timezone=True)))
    op.add_column('organisation', sa.Column('lapsed_at', UTCDateTime(timezone=True)))
    op.create_index('ix_organisation_confirmed', 'organisation', ['status', 'confirmed_at'])


def downgrade():
    op.drop_index('ix_organisation_confirmed', table_name='organisation')
    for column in ('lapsed_at', 'confirm_asked_at', 'confirmed_at'):
        op.drop_column('organisation', column)
