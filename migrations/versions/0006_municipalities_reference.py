"""Sweden's 290 municipalities as reference data; an installation enables the ones it serves

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 19:30:00

Adds `municipality.enabled` and loads every municipality of
directory/taxonomy/municipalities_se.json (upserted by kommunkod). Municipalities that
exist keep their ids and slugs (names and counties take the official spelling), and are
enabled when organisations or meeting places belong to them; the others start disabled.
A new municipality whose slug is taken gets its code added to it.

A fresh install (no focus areas or target groups at all) gets the default ones, as the
demo does; lists that hold anything are left as the coordinators made them.

Downgrade drops the column and deletes the municipalities nothing refers to.
"""
import sqlalchemy as sa
from alembic import op

from directory.taxonomy.models import DEFAULT_FOCUS_AREAS, DEFAULT_TARGET_GROUPS
from directory.taxonomy.reference import reference_municipalities

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

municipality = sa.table('municipality', sa.column('id', sa.Integer),
                        sa.column('code', sa.String), sa.column('slug', sa.String),
                        sa.column('name', sa.String), sa.column('county', sa.String),
                        sa.column('enabled', sa.Boolean))


def _referring():
    """The (table, column) pairs that point at a municipality."""
    return [sa.table(name, sa.column('municipality_id', sa.Integer))
            for name in ('organisation', 'venue', 'activity', 'user')]


def _default_terms(conn):
    """The default focus areas and target groups, into lists that are empty."""
    for name, defaults in (('focus_area', DEFAULT_FOCUS_AREAS),
                           ('target_group', DEFAULT_TARGET_GROUPS)):
        table = sa.table(name, sa.column('slug', sa.String), sa.column('name', sa.String),
                         sa.column('names', sa.JSON), sa.column('position', sa.Integer))
        if conn.execute(sa.select(sa.func.count()).select_from(table)).scalar():
            continue
        conn.execute(table.insert(), [
            {'slug': slug, 'name': term, 'names': names, 'position': position}
            for position, (slug, term, names) in enumerate(defaults)])


def upgrade():
    op.add_column('municipality', sa.Column('enabled', sa.Boolean(), nullable=False,
                                            server_default=sa.false()))
    conn = op.get_bind()
    existing = {row.code: row for row in conn.execute(
        sa.select(municipality.c.id, municipality.c.code, municipality.c.slug))}
    slugs = {row.slug for row in existing.values()}
    new_rows = []
    for entry in reference_municipalities():
        if entry['code'] in existing:
            conn.execute(municipality.update()
                         .where(municipality.c.code == entry['code'])
                         .values(name=entry['name'], county=entry['county']))
            continue
        slug = entry['slug'] if entry['slug'] not in slugs else f"{entry['slug']}-{entry['code']}"
        slugs.add(slug)
        new_rows.append({'code': entry['code'], 'slug': slug, 'name': entry['name'],
                         'county': entry['county'], 'enabled': False})
    if new_rows:
        conn.execute(municipality.insert(), new_rows)
    organisation, venue = _referring()[:2]
    conn.execute(municipality.update().where(sa.or_(
        municipality.c.id.in_(sa.select(organisation.c.municipality_id)),
        municipality.c.id.in_(sa.select(venue.c.municipality_id)))).values(enabled=True))
    _default_terms(conn)


def downgrade():
    conn = op.get_bind()
    used = sa.or_(*(municipality.c.id.in_(sa.select(table.c.municipality_id).where(
        table.c.municipality_id.is_not(None))) for table in _referring()))
    conn.execute(municipality.delete().where(sa.not_(used)))
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_column('enabled')
