"""import runs: a register file's parsed rows between the dry run and the import

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 10:00:00

`/staff/import` and `flask import-organisations` keep the rows of an uploaded file here
(never re-posted by the browser), with the status the imported organisations get, the
import's state and how many rows it has done (the progress bar).
"""
import sqlalchemy as sa
from alembic import op

import directory.common.types

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'import_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('organisation_status', sa.String(length=16), nullable=False),
        sa.Column('rows', sa.JSON(), nullable=False),
        sa.Column('headers', sa.JSON(), nullable=False),
        sa.Column('ignored', sa.JSON(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('rows_done', sa.Integer(), nullable=False),
        sa.Column('created', sa.Integer(), nullable=False),
        sa.Column('updated', sa.Integer(), nullable=False),
        sa.Column('unchanged', sa.Integer(), nullable=False),
        sa.Column('refused', sa.Integer(), nullable=False),
        sa.Column('created_at', directory.common.types.UTCDateTime(timezone=True),
                  nullable=False),
        sa.Column('finished_at', directory.common.types.UTCDateTime(timezone=True),
                  nullable=True),
        sa.CheckConstraint("state IN ('ready', 'running', 'done', 'failed')",
                           name=op.f('ck_import_run_import_state')),
        sa.CheckConstraint("organisation_status IN ('pending', 'verified')",
                           name=op.f('ck_import_run_import_organisation_status')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_import_run_user_id_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_run')),
    )
    op.create_index(op.f('ix_import_run_user_id'), 'import_run', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_import_run_user_id'), table_name='import_run')
    op.drop_table('import_run')
