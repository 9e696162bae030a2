"""an activity's dates and focus areas as calendars show them, kept on its row by the
database: activity.parts_version and activity.parts_changed_at, the triggers of
activities.parts, and ix_activity_organisation_keys with them

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-26 16:00:00

A feed's kept blocks are keyed by each activity's row alone (calendars.parts): the
counter grows, and the moment is set, in the transaction that changes one of its dates
as a calendar shows it or its focus areas (not a sign-up). Existing rows start at 0 and
at the latest change to them or their dates.
"""
import sqlalchemy as sa
from alembic import op

from directory.activities.parts import PG_DROP, PG_RULES, SQLITE_DROP, SQLITE_RULES
from directory.common.types import UTCDateTime

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

KEYS = ['organisation_id', 'id', 'updated_at', 'sequence']


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    # Not NULL from the start: a constant default for the rows there, replaced below.
    op.add_column('activity', sa.Column('parts_version', sa.Integer(), nullable=False,
                                        server_default='0'))
    op.add_column('activity', sa.Column('parts_changed_at', UTCDateTime(), nullable=False,
                                        server_default=sa.text(
                                            "'2000-01-01 00:00:00+00'" if postgres else
                                            "'2000-01-01 00:00:00.000000'")))
    op.execute("UPDATE activity SET parts_changed_at = coalesce((SELECT max(o.updated_at) "
               "FROM occurrence o WHERE o.activity_id = activity.id AND o.updated_at > "
               "activity.updated_at), activity.updated_at)")
    op.drop_index('ix_activity_organisation_keys', table_name='activity')
    op.create_index('ix_activity_organisation_keys', 'activity',
                    KEYS + ['parts_version', 'parts_changed_at'], unique=False)
    for statement in (PG_RULES if postgres else SQLITE_RULES):
        op.execute(statement)


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in (PG_DROP if postgres else SQLITE_DROP):
        op.execute(statement)
    op.drop_index('ix_activity_organisation_keys', table_name='activity')
    op.create_index('ix_activity_organisation_keys', 'activity', KEYS, unique=False)
    op.drop_column('activity', 'parts_changed_at')
    op.drop_column('activity', 'parts_version')
