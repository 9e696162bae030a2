"""places within a radius read from their index alone, and the organisations not public
found by index: ix_activity_geo and ix_organisation_geo on (latitude, longitude, id),
ix_organisation_lapsed on lapsed_at

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-26 23:45:00

A search near a place reads the id and coordinates of every activity in a bounding box
(geo.services.within). With the id in the index PostgreSQL reads them from the index
alone rather than visiting each row (16,000 activities near Täby at --scale 100000:
~10,000 pages read → the index's). The activities of organisations not public are
found by the status index and one on lapsed_at, not by reading every organisation.
"""
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    for table in ("activity", "organisation"):
        op.drop_index(f'ix_{table}_geo', table_name=table)
        op.create_index(f'ix_{table}_geo', table, ['latitude', 'longitude', 'id'],
                        unique=False)
    op.create_index('ix_organisation_lapsed', 'organisation', ['lapsed_at'], unique=False)


def downgrade():
    op.drop_index('ix_organisation_lapsed', table_name='organisation')
    for table in ("activity", "organisation"):
        op.drop_index(f'ix_{table}_geo', table_name=table)
        op.create_index(f'ix_{table}_geo', table, ['latitude', 'longitude'], unique=False)
