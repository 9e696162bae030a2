"""an activity's focus areas and target groups as ids on its row, kept by the database:
activity.focus_area_ids and activity.target_group_ids, the triggers of activities.tags

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-27 04:00:00

A list reads each date's tags from its activity's row, not with two lookups in the link
tables per date. The rows there get their ids from their links.
"""
import sqlalchemy as sa
from alembic import op

from directory.activities.tags import LINKS, PG_DROP, PG_RULES, SQLITE_DROP, SQLITE_RULES, \
    ids_of

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    aggregate = "string_agg" if postgres else "group_concat"
    for column, table, term in LINKS:
        op.add_column('activity', sa.Column(column, sa.Text(), nullable=True))
        op.execute(f"UPDATE activity SET {column} = "
                   f"{ids_of(table, term, 'activity.id', aggregate)}")
    for statement in (PG_RULES if postgres else SQLITE_RULES):
        op.execute(statement)


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in (PG_DROP if postgres else SQLITE_DROP):
        op.execute(statement)
    for column, _, _ in LINKS:
        op.drop_column('activity', column)
