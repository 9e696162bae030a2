"""geocoding cache and an index for near-me on activities

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 02:35:00
"""
from alembic import op
import sqlalchemy as sa

import directory.common.types

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'geocode_cache',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('query', sa.String(length=200), nullable=False),
        sa.Column('name', sa.String(length=300), nullable=True),
        sa.Column('latitude', sa.Float(), nullable=True),
        sa.Column('longitude', sa.Float(), nullable=True),
        sa.Column('created_at', directory.common.types.UTCDateTime(timezone=True),
                  nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_geocode_cache')),
        sa.UniqueConstraint('query', name=op.f('uq_geocode_cache_query')))
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index('ix_activity_geo', ['latitude', 'longitude'], unique=False)


def downgrade():
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_geo')
    op.drop_table('geocode_cache')
