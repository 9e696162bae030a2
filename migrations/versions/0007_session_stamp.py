"""a session stamp per account: a new one ends every session of the account

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 10:00:00

Sessions hold "<id>:<stamp>" from now on, so sessions made before this migration end
once (their holders log in again). Existing accounts get a random stamp each.
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    # NOT NULL needs a default for the rows already there; SQLite cannot drop it again
    # without rebuilding the user table, PostgreSQL drops it below.
    op.add_column('user', sa.Column('session_stamp', sa.String(length=32), nullable=False,
                                    server_default=''))
    conn = op.get_bind()
    user = sa.table('user', sa.column('id', sa.Integer),
                    sa.column('session_stamp', sa.String))
    for (user_id,) in conn.execute(sa.select(user.c.id)).all():
        conn.execute(user.update().where(user.c.id == user_id)
                     .values(session_stamp=secrets.token_hex(16)))
    if conn.dialect.name == 'postgresql':
        op.alter_column('user', 'session_stamp', server_default=None)


def downgrade():
    # SQLite 3.35+ drops a column in place: no rebuild of a table others refer to.
    op.drop_column('user', 'session_stamp')
