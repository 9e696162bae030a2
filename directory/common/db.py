"""Database helpers shared by the services that must serialise their writes."""

import json
from contextlib import nullcontext
from functools import lru_cache

from sqlalchemy import (JSON, Integer, Text, any_, bindparam, cast, func, literal_column,
                        select, text, true)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import NullType

from ..extensions import db
from .transactions import execute_planned


def begin_write():
    """Start this transaction as a writer, before reading what it will change.

    SQLite: BEGIN IMMEDIATE takes the write lock now, so two processes cannot both
    read a count and then both write (they queue on the busy timeout instead of
    failing on a stale snapshot). PostgreSQL needs nothing here; callers lock the
    rows they change (SELECT … FOR UPDATE) or use conditional updates.
    """
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        _begin_sqlite(connection, "BEGIN IMMEDIATE")


def begin_snapshot():
    """Begin a transaction that reads one snapshot of the database throughout, for a long
    read whose parts must agree (the open-data export: no service whose organisation
    was hidden between two batches). PostgreSQL: REPEATABLE READ (each statement of a
    READ COMMITTED transaction sees what is committed when it starts); SQLite: a
    transaction begun now (each read otherwise sees the moment it runs). The session's
    transaction is committed first. End it with commit."""
    db.session.commit()
    if is_postgres():
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        return
    _begin_sqlite(db.session.connection(), "BEGIN")


def _begin_sqlite(connection, begin):
    """SQLite: the transaction begun with `begin` now, unless one is open (the driver
    begins one only before a write)."""
    if not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql(begin)


def is_postgres():
    return db.session.get_bind().dialect.name == "postgresql"


def in_ids(column, ids):
    """SQL: `column` is one of `ids`. On PostgreSQL one array parameter (`= ANY`) rather
    than one parameter per id: a list of thousands is then neither written out nor
    bound id by id. SQLite plans its own IN lists best."""
    ids = [int(i) for i in ids]
    if is_postgres():
        return column == any_(id_array(ids))
    return column.in_(ids)


def id_array(ids, name=None):
    """PostgreSQL: an integer[] of these ids as one parameter (named `name`, when
    given), sent as its text ('{1,2,3}': the driver writes a list id by id, checking
    each: 12,000 ids near a busy place at --scale 100000, ~10 ms), see _integer_array."""
    return _integer_array(bindparam(name, _array_text(ids), type_=NullType()))


def _integer_array(parameter):
    """SQL: an integer[] from a parameter holding its text, bound untyped (no `::VARCHAR`
    before the cast): PostgreSQL reads it as an integer[] when it is bound, so a
    statement planned for its values holds the array as a constant, and looks rows up in
    a hash of it (nine ids or more). Cast from text, the array was read again and
    compared id by id for every row: the JSON page of 100 dates with 480 activities
    not public left out by id ~11 → ~3 ms; 13,549 ids over 17,668 dates ~22 s → ~6 ms."""
    return cast(parameter, ARRAY(Integer))


def _array_text(ids):
    if isinstance(ids, IdArray):
        return ids.text
    return "{" + ",".join(str(int(i)) for i in ids) + "}"


class IdArray:
    """Ids as PostgreSQL writes an integer[] ('{1,2,3}': `array_agg(id)::text`), kept as
    that text: their number at once, the ids themselves when iterated (in_ids, for a
    few), and the text as it came when many are sent back (in_many_ids). A broad
    search's 13,549 ids read as rows and written out again cost ~13 ms of Python at
    --scale 100000."""

    def __init__(self, text):
        self.text = text or "{}"

    def __len__(self):
        return 0 if self.text == "{}" else self.text.count(",") + 1

    def __iter__(self):
        return iter([int(i) for i in self.text[1:-1].split(",")] if len(self) else [])


def id_array_of(stmt):
    """PostgreSQL: the ids a select of one id column gives, as an IdArray (one row, one
    text: no row per id)."""
    rows = stmt.subquery()
    return IdArray(db.session.scalar(select(cast(func.array_agg(rows.c[0]), Text))))


def in_many_ids(column, ids, name):
    """SQL: `column` is one of `ids`, many of them (thousands), bound as parameter
    `name`, for a statement that must never be kept prepared (a `name` beginning with
    common.transactions.WORDS). PostgreSQL looks each row's value up in a hash of them
    made once a run (a hashed subplan: the IN wrapped in IS TRUE is not made a join,
    which looked up each id's rows in turn): as `= ANY` of the array the planner
    weighed each id (a broad search's 13,549: ~3–6 ms planning; its dates 6.7–8.7 →
    5.1–5.6 ms)."""
    found = column.in_(select(listed_ids(ids, name).c.value))
    return found.is_(true()) if is_postgres() else found


def one_of(column, ids):
    """SQL: `column` is one of `ids`, as a set read from one parameter (listed_ids):
    the planner then looks each id up (a semi-join from the set), where with in_ids'
    `= ANY(array)`, or an IN list, it may scan another index in full checking every
    row against the list (the meeting places of 20 activities at --scale 100000:
    ~430 ms → ~0.4 ms), and in a plan kept for any values `= ANY` compares each row
    with every id in turn."""
    return column.in_(select(listed_ids(ids).c.value))


def listed_ids(ids, name=None):
    """The rows (value) of these ids, from one parameter (on PostgreSQL named `name`,
    when given): PostgreSQL's array unnested, SQLite's JSON array (json_each)."""
    if is_postgres():
        return func.unnest(id_array(ids, name)).table_valued("value").render_derived()
    return func.json_each(json.dumps([int(i) for i in ids])).table_valued("value")


def among(column, name, postgres):
    """SQL for a statement built once: `column` is one of the ids given as parameter
    `name` when it runs (`{name: [ids]}`), written as in_ids writes it for that
    database, one parameter: PostgreSQL an array (100 ids bound one by one cost ~1 ms a
    statement), SQLite a JSON list read by json_each (the same SQL text for any number
    of ids: no IN list written out per run, and SQLite's statement cache reuses it)."""
    if postgres:
        return column == any_(_integer_array(bindparam(name, type_=NullType())))
    return column.in_(select(literal_column("value"))
                      .select_from(func.json_each(bindparam(name, type_=JSON))))


def listed_among(name, postgres):
    """listed_ids for a statement built once (as `among`): the rows (value) of the ids
    given as parameter `name` when it runs (among_value)."""
    if postgres:
        return (func.unnest(_integer_array(bindparam(name, type_=NullType())))
                .table_valued("value").render_derived())
    return func.json_each(bindparam(name, type_=JSON)).table_valued("value")


def among_value(ids):
    """The value of an `among` parameter: on PostgreSQL the array's text (id_array's),
    on SQLite the list."""
    return _array_text(ids) if is_postgres() else [int(i) for i in ids]


def among_or_one(column, name, postgres, one):
    """`among`, or with `one` `column = :name` (a statement for a single id, built
    once too): PostgreSQL plans a statement with an array each time it runs (its plan
    for any array looks dearer than one for the values given), ~0.3 ms, and keeps one
    plan for a single id. Bind it with `bound_ids`."""
    return column == bindparam(name) if one else among(column, name, postgres)


def bound_ids(ids):
    """(whether there is one id, the value of an `among_or_one` parameter: on
    PostgreSQL the array's text, as id_array sends it)."""
    ids = list(ids)
    if len(ids) == 1:
        return True, ids[0]
    return False, among_value(ids)


def rows_together(*statements, binary=False):
    """[rows of each (select, values)], the rows as sequences of the column types'
    values but for moments (read with raw_moment, or UTCDateTime columns: the caller
    makes them utc_moment). PostgreSQL: run on the session's connection past
    SQLAlchemy's execution and rows, each compiled once and run as planned
    (common.transactions.execute_planned), several sent together in one round trip
    (psycopg's pipeline mode), `binary`: the rows read in the binary format
    (timestamps and numbers neither written out nor parsed as text). SQLite: through
    SQLAlchemy, one after the other."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return [connection.execute(stmt, values).all() for stmt, values in statements]
    driver = connection.connection.driver_connection
    cursors = []
    with driver.pipeline() if len(statements) > 1 else nullcontext():
        for stmt, values in statements:
            cursor = driver.cursor(binary=binary)
            cursors.append(cursor)
            execute_planned(cursor, *_bound(stmt, connection.dialect, values))
    try:
        return [cursor.fetchall() for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()


def driver_rows(stmt, values, binary=True):
    """The rows of one statement built once, as rows_together reads them, by default in
    the binary format: the JSON page's 100 dates ~0.5 ms less in process."""
    return rows_together((stmt, values), binary=binary)[0]


def _bound(stmt, dialect, values):
    """(SQL, parameters) of a statement built once, with these values, as the driver
    takes them."""
    sql, compiled, processors = _compiled(stmt, dialect)
    params = compiled.construct_params(values)
    for name, processor in processors.items():
        if name in params:  # not those written into the SQL
            params[name] = processor(params[name])
    return sql, params


@lru_cache(maxsize=64)
def _compiled(stmt, dialect):
    """(its SQL, the compiled statement, {parameter: its type's bind processor}) of a
    statement built once."""
    compiled = stmt.compile(dialect=dialect)
    sql = compiled.string
    if compiled.literal_execute_params and not compiled.post_compile_params:
        # Values SQLAlchemy writes into the text as it runs it (aggregate_strings'
        # separator), the same every time: written in once.
        others = [name for name, bind in compiled.binds.items()
                  if bind not in compiled.literal_execute_params]
        sql = compiled.construct_expanded_state(dict.fromkeys(others)).statement
    return sql, compiled, {name: processor for name, bind in compiled.binds.items()
                           if (processor := bind.type.bind_processor(dialect)) is not None}


def database_reachable():
    """Whether the database answers a trivial query (for /healthz)."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means unreachable
        return False
    return True


def id_batches(column, where, size, load):
    """Lists of `load(ids)`, `size` ids at a time, walking the ids of the rows meeting
    `where` in order from the smallest (each batch one range of the key's index: a
    whole table read once, where pages by offset read it again up to each page)."""
    last = None
    while True:
        stmt = select(column).where(*where).order_by(column).limit(size)
        ids = db.session.scalars(stmt if last is None else stmt.where(column > last)).all()
        if ids:
            yield load(ids)
        if len(ids) < size:
            return
        last = ids[-1]
