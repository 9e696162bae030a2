"""occurrence indexes for the public lists

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 02:10:00

The public lists walk occurrences in time order and check each one's time window
and activity from the index alone, count the window, or collect the occurrences
of a few activities (directory/activities/services.py). These three indexes
replace ix_occurrence_starts_at and ix_occurrence_activity_starts.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('occurrence', schema=None) as batch_op:
        batch_op.create_index('ix_occurrence_starts', ['starts_at', 'ends_at', 'activity_id'],
                              unique=False)
        batch_op.create_index('ix_occurrence_ends', ['ends_at', 'starts_at'], unique=False)
        batch_op.create_index('ix_occurrence_activity_ends',
                              ['activity_id', 'ends_at', 'starts_at'], unique=False)
        batch_op.drop_index('ix_occurrence_starts_at')
        batch_op.drop_index('ix_occurrence_activity_starts')


def downgrade():
    with op.batch_alter_table('occurrence', schema=None) as batch_op:
        batch_op.create_index('ix_occurrence_activity_starts', ['activity_id', 'starts_at'],
                              unique=False)
        batch_op.create_index('ix_occurrence_starts_at', ['starts_at'], unique=False)
        batch_op.drop_index('ix_occurrence_activity_ends')
        batch_op.drop_index('ix_occurrence_ends')
        batch_op.drop_index('ix_occurrence_starts')
