"""the open data's services walked by title: ix_activity_title on (title, id)

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-27 04:15:00

The HSDS lists of services, services at locations and locations list public activities
by title, counted only so far past the page: the index gives them in that order, where
every public activity was sorted and counted (--scale 100000: ~0.8 s a page).
"""
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_activity_title', 'activity', ['title', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_activity_title', table_name='activity')
