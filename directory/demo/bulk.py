"""Bulk loading for `seed-demo --scale`: rows go in by PostgreSQL's COPY (one stream a
table, no statement per row), or by executemany on SQLite. Either way a row gets what
an `insert()` would give it: the column's Python default when it has none, and the
column type's bind processing (UTC moments, JSON)."""

from contextlib import contextmanager

from sqlalchemy import insert, text

from ..extensions import db

_PLAIN_INDEXES = text(
    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
    "JOIN pg_class c ON c.oid = i.indrelid "
    "WHERE c.relname = ANY(:tables) AND c.relnamespace = current_schema()::regnamespace "
    "AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = i.indexrelid)")
_FOREIGN_KEYS = text(
    "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
    "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
    "WHERE c.contype = 'f' AND t.relname = ANY(:tables) "
    "AND t.relnamespace = current_schema()::regnamespace")


@contextmanager
def built_after(tables):
    """PostgreSQL, for a load of many rows into `tables`: their plain indexes (those no
    constraint stands on; primary keys and unique constraints stay) and their foreign
    keys are dropped for the load and made again after it, in the same transaction, as
    pg_restore does: one sorted index build and one join that checks every reference
    cost far less than a million index insertions and a million single-row checks.
    The same names and definitions come back; other sessions wait on these tables
    until the commit, and a reference that does not hold fails the whole load."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        yield
        return
    names = {"tables": [table.name for table in tables]}
    indexes = db.session.execute(_PLAIN_INDEXES, names).all()
    foreign_keys = db.session.execute(_FOREIGN_KEYS, names).all()
    for table, constraint, _ in foreign_keys:
        db.session.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"'))
    for index, _ in indexes:
        db.session.execute(text(f"DROP INDEX {index}"))
    yield
    db.session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    for _, definition in indexes:
        db.session.execute(text(definition))
    for table, constraint, definition in foreign_keys:
        db.session.execute(text(
            f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {definition}'))


def insert_rows(table, rows, chunk=2000):
    """Insert `rows` (dicts with the same keys) into `table` in the current transaction."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        for start in range(0, len(rows), chunk):
            db.session.execute(insert(table), rows[start:start + chunk])
        return
    columns, make_row = _row_maker(table, rows[0].keys(), connection.dialect)
    names = ", ".join(f'"{name}"' for name in columns)
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(make_row(row))


def _row_maker(table, keys, dialect):
    """(column names, a function turning one row dict into the tuple COPY takes)."""
    keys = list(keys)
    scalars, callables = {}, {}
    for column in table.columns:
        if column.name in keys or column.default is None:
            continue
        if column.default.is_callable:
            callables[column.name] = column.default.arg
        elif column.default.is_scalar:
            scalars[column.name] = column.default.arg
    columns = keys + list(scalars) + list(callables)
    processors = [(i, _remembering(table.c[name].type._cached_bind_processor(dialect)))
                  for i, name in enumerate(columns)
                  if table.c[name].type._cached_bind_processor(dialect) is not None]
    fixed = tuple(scalars.values())
    made = tuple(callables.values())

    def make_row(row):
        values = [*[row[key] for key in keys], *fixed, *[fn(None) for fn in made]]
        for i, process in processors:
            if values[i] is not None:
                values[i] = process(values[i])
        return values

    return columns, make_row


def _remembering(process):
    """`process` (a bind processor: the same value in, the same value out) that works
    each hashable value out once: a few hundred distinct moments among a million dates."""
    known = {}

    def remembered(value):
        try:
            return known[value]
        except KeyError:
            known[value] = result = process(value)
            return result
        except TypeError:  # unhashable (a dict for a JSON column)
            return process(value)

    return remembered
