"""data version: a counter the database bumps when public data change

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26 01:00:00

Triggers on every table public answers show bump `data_version` in the writing
transaction (PostgreSQL: once per statement, on a counter row no other transaction holds;
SQLite: per row). Public pages, the API and feeds build their validators and cache keys
from it (common/caching.py).
"""
import sqlalchemy as sa
from alembic import op

from directory.common.caching import pg_drop, pg_rules, sqlite_drop, sqlite_rules

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'data_version',
        sa.Column('slot', sa.Integer(), nullable=False),
        sa.Column('counter', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('slot', name=op.f('pk_data_version')),
    )
    op.execute("INSERT INTO data_version (slot, counter) VALUES (1, 0)")
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in (pg_rules() if postgres else sqlite_rules()):
        op.execute(statement)


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in (pg_drop() if postgres else sqlite_drop()):
        op.execute(statement)
    op.drop_table('data_version')
