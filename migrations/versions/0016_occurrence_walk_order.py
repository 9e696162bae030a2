"""occurrence list order in the index: ix_occurrence_starts on (starts_at, id, ends_at,
activity_id)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-26 03:10:00

Lists show dates by start, then id. With the id second in the index a walk in time order
reads the dates in exactly that order and stops at the page's end; before, every date
sharing a start (thousands at 9:00 at national scale) was read and sorted first. Still
covering for the walk (ends_at, activity_id), and serving every range on starts_at.
"""
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_occurrence_starts', table_name='occurrence')
    op.create_index('ix_occurrence_starts', 'occurrence',
                    ['starts_at', 'id', 'ends_at', 'activity_id'], unique=False)


def downgrade():
    op.drop_index('ix_occurrence_starts', table_name='occurrence')
    op.create_index('ix_occurrence_starts', 'occurrence',
                    ['starts_at', 'ends_at', 'activity_id'], unique=False)
