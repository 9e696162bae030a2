"""search that forgives: accents folded away, activities' places searched, an index

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 10:00:00

`search_text` is now folded without case or accents (common.text.search_fold) and an
activity's holds its own address's city too: every row's text is written again. Beside
it, the search index: on SQLite an FTS5 table (trigram) over `search_text` kept in step by
triggers; on PostgreSQL a pg_trgm GIN index (none where the extension cannot be created:
search then works without it). No table is rebuilt.
"""
from alembic import op

from directory.common.search import (SEARCHED_TABLES, index_name, postgres_trigram_index,
                                     refold, sqlite_statements)

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

def upgrade():
    conn = op.get_bind()
    for name in SEARCHED_TABLES:
        refold(conn, name)
        if conn.dialect.name == 'sqlite':
            for statement in sqlite_statements(name):
                op.execute(statement)
            fts = index_name(name)
            op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        elif conn.dialect.name == 'postgresql':
            postgres_trigram_index(conn, name)


def downgrade():
    conn = op.get_bind()
    for name in SEARCHED_TABLES:
        fts = index_name(name)
        if conn.dialect.name == 'sqlite':
            for trigger in ('insert', 'delete', 'update'):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{trigger}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
        elif conn.dialect.name == 'postgresql':
            op.execute(f"DROP INDEX IF EXISTS ix_{fts}")
