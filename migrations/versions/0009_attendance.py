"""walk-ins on a date: people who came without signing up

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 22:00:00

The date's attendance (`attended_count`) is then the ticked sign-ups plus the walk-ins;
both counts stay when the personal data is purged.
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    # Batch mode: a plain ALTER TABLE ADD COLUMN on both databases (nothing to rebuild).
    with op.batch_alter_table('occurrence') as batch:
        batch.add_column(sa.Column('walk_in_count', sa.Integer(), nullable=True))


def downgrade():
    # SQLite 3.35+ drops a column in place; a batch rebuild would lose the room_use
    # triggers on the occurrence table.
    op.drop_column('occurrence', 'walk_in_count')
