"""stable public ids (HSDS): a uuid column on organisations, activities, meeting places,
focus areas and target groups

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 10:00:00

Every existing row gets a random UUID once; from then on the column never changes, so
partners that stored an id keep finding the same thing.
"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

TABLES = ('organisation', 'activity', 'venue', 'focus_area', 'target_group')


def upgrade():
    conn = op.get_bind()
    sqlite = conn.dialect.name == 'sqlite'
    for name in TABLES:
        # SQLite adds a NOT NULL column only with a default and cannot drop it without
        # rebuilding the table (a rebuild of a table others refer to would run their ON
        # DELETE CASCADE): there the column keeps an empty default no insert uses (the
        # app always sets one). Uniqueness is a unique index on both databases.
        op.add_column(name, sa.Column('uuid', sa.String(length=36), nullable=False,
                                      server_default=''))
        table = sa.table(name, sa.column('id', sa.Integer), sa.column('uuid', sa.String))
        for (row_id,) in conn.execute(sa.select(table.c.id)).all():
            conn.execute(table.update().where(table.c.id == row_id)
                         .values(uuid=str(uuid.uuid4())))
        if not sqlite:
            op.alter_column(name, 'uuid', server_default=None)
        op.create_index(op.f(f'ix_{name}_uuid'), name, ['uuid'], unique=True)


def downgrade():
    for name in TABLES:
        op.drop_index(op.f(f'ix_{name}_uuid'), table_name=name)
        # SQLite 3.35+ drops a column in place: no rebuild of a table others refer to.
        op.drop_column(name, 'uuid')
