"""a partner's feed fetched is not a change of public data

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-27 08:30:00

A partner's feed writes its subscription's `last_fetched_at` on every fetch, and the
table's data-version triggers counted it: each fetch moved the version of the whole site
(every answer kept, every value remembered, forgotten). The triggers of feed_subscription
now count an UPDATE only of the columns a feed shows (common.caching.SHOWN_COLUMNS).
"""
from alembic import op

from directory.common.caching import (SHOWN_COLUMNS, pg_drop, pg_rules, sqlite_drop,
                                      sqlite_rules)

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

TABLES = ("feed_subscription",)


def _rules(shown):
    postgres = op.get_bind().dialect.name == "postgresql"
    # pg_drop ends with the shared function: keep it (every public table's triggers call it).
    drop = pg_drop(TABLES)[:-1] if postgres else sqlite_drop(TABLES)
    create = pg_rules(TABLES, shown) if postgres else sqlite_rules(TABLES, shown)
    for statement in drop + create:
        op.execute(statement)


def upgrade():
    _rules(SHOWN_COLUMNS)


def downgrade():
    _rules({})
