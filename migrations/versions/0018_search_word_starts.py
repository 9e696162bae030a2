"""search text with a space before every word: short words found at a word's start

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-26 10:00:00

A word of one or two letters in a search is now found at the start of a word (" sv"
finds "svenska"), which the trigram indexes serve; `search_text` holds each word and
each run of punctuation after one space (common.text.search_blob), so every row's text
is written again. The indexes follow (SQLite's triggers, PostgreSQL's own index).
"""
from alembic import op

from directory.common.search import SEARCHED_TABLES, refold

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    for name in SEARCHED_TABLES:
        refold(op.get_bind(), name)


def downgrade():
    pass  # the spaced text is searched the same way by the code before it
