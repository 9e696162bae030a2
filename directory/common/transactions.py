"""How a transaction that only read ends on PostgreSQL: with COMMIT, not ROLLBACK; and
which statements are never kept prepared.

For the data the two are the same. But psycopg forgets every statement it prepared on
each ROLLBACK, and a request that writes nothing ends with one (the session is closed),
so the statements a page runs on every request were parsed and planned again each time
(a feed after an edit: ~1.5 ms of its 9). Ended with COMMIT, each connection keeps them
prepared after their fifth use. A transaction that ran anything but a SELECT (a flush,
an UPDATE, a savepoint) or that failed is rolled back as before.

A text search's statements are the exception: they are planned for their words.
PostgreSQL plans a prepared statement once for any values after a few uses; for a
search that plan does not know the words, and for a broad one it read every activity
(330 ms rather than 165 at national scale). A search's words are bound as WORDS
(common.listing.matches_text), which marks them in the SQL: such a statement is never
prepared, unless it is also marked INLINED (below: a search's walk), which writes the
words into its text, so a search asked again is kept prepared as a text of its own,
planned for its words once rather than at every request (`q=läxhjälp` at --scale
10000: the walk ~7.0 → 5.4 ms). The rest of the page (its dates' rows, their tags)
stays prepared.

The opposite case: a statement run on every list page whose plan is the same for any
values, but which PostgreSQL plans again at every run, because its plan for unknown
values looks dearer (it cannot tell how many dates have ended) than the plans for the
values given: a walk over the coming dates in time order (activities.services.
OccurrenceQuery.walk_statement; the list of every public date spent ~1.3 ms a request
planning at --scale 100000). Its values are few and change slowly (the minute, today,
the filters, the page's size and place), so a parameter named INLINED_… marks it: the
driver writes every value into the statement's text, and each text is prepared and
planned once (psycopg keeps one after its fifth run on a connection). A search's walk
holds its words the same way (above).

A GET or HEAD on PostgreSQL sends no BEGIN and no COMMIT unless it writes: its first
connection runs in autocommit (_first_connection_of_a_get), each statement seeing what
is committed when it starts, as in READ COMMITTED, until a statement that writes or
locks rows, which opens a transaction first (BEGIN). Two round trips fewer for a page
that only reads (each ~0.2–0.5 ms on a virtual machine after a few ms of Python);
SQLite's driver works this way of itself (it begins a transaction only before a write).
"""

import re
import weakref

from flask import has_request_context, request
from psycopg import ClientCursor
from sqlalchemy import event
from sqlalchemy.engine import Engine

from ..extensions import db

# Set on a connection whose transaction ran anything but a SELECT: it ends with ROLLBACK.
WROTE = "samverkan.wrote"
# The name of the bound parameters that hold a search's words (see above).
WORDS = "search_words"
_WORDS_IN_SQL = f"%({WORDS}_"
# The name of the bound parameter that marks a statement to run with its values written
# into its text (see above).
INLINED = "inlined"
_INLINED_IN_SQL = f"%({INLINED}_"
# A client-side cursor per connection, to write the values into a statement's text.
_writers = weakref.WeakKeyDictionary()


@event.listens_for(Engine, "do_execute")
def _planned_for_its_values(cursor, statement, parameters, context):
    """A statement holding a search's words, run unprepared (psycopg's `prepare`); one
    marked INLINED (a search's walk too), run with its values written into its text
    (ClientCursor.mogrify: the driver's own quoting)."""
    if _WORDS_IN_SQL in statement and _INLINED_IN_SQL not in statement:
        cursor.execute(statement, parameters, prepare=False)
        return True
    if _INLINED_IN_SQL in statement:
        connection = cursor.connection
        writer = _writers.get(connection)
        if writer is None:
            writer = _writers[connection] = ClientCursor(connection)
        cursor.execute(writer.mogrify(statement, parameters))
        return True
    return None


def execute_planned(cursor, statement, parameters):
    """Run a statement on a psycopg cursor as SQLAlchemy's execution would here (above:
    a search's words unprepared, INLINED values written into the text), for a statement
    run past it (common.db.driver_rows)."""
    if not _planned_for_its_values(cursor, statement, parameters, None):
        cursor.execute(statement, parameters)


def wrote():
    """Whether the session's transaction has written, or holds changes not yet flushed."""
    session = db.session()
    if session.new or session.dirty or session.deleted:
        return True
    return session.in_transaction() and WROTE in session.connection().info


@event.listens_for(Engine, "begin")
def _begun(connection):
    connection.info.pop(WROTE, None)


# The execution option that marks a request's autocommit (_first_connection_of_a_get),
# so that any other use of autocommit (a DROP DATABASE in the tests' setup) is left as
# it is.
LAZY = "samverkan_begin_lazily"
# A SELECT that locks the rows it reads (as SQLAlchemy writes it): it needs a
# transaction to hold them in. Case-sensitive: ~1 µs over a page's statement, not ~30.
_LOCKS = re.compile(r"FOR (?:NO KEY UPDATE|UPDATE|KEY SHARE|SHARE)\b")


# Where a request notes that its first connection was made (the WSGI environ: a
# request's own, never left over for the next request as `g` can be in a test's app
# context).
_CONNECTED = "samverkan.connected"


@event.listens_for(Engine, "engine_connect")
def _first_connection_of_a_get(connection):
    """A GET or HEAD's first connection to PostgreSQL, when it asks for one (a 304 from
    the data version alone takes none), in autocommit (see above); one made later in the
    request (after a commit: begin_snapshot's export) is an ordinary one."""
    if not has_request_context() or _CONNECTED in request.environ:
        return
    request.environ[_CONNECTED] = True
    if request.method in ("GET", "HEAD") and connection.dialect.name == "postgresql":
        connection.execution_options(isolation_level="AUTOCOMMIT", **{LAZY: True})


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(connection, cursor, statement, parameters, context, executemany):
    """A statement that is not a SELECT marks its transaction as one that wrote; in a
    request's autocommit (_first_connection_of_a_get) one that writes or locks rows
    begins a transaction first, so it and all that follows commit or roll back
    together."""
    selects = statement.lstrip()[:6].upper() == "SELECT"
    if not selects:
        connection.info[WROTE] = True
    if connection.get_execution_options().get(LAZY) and \
            cursor.connection.info.transaction_status.name == "IDLE" and \
            (not selects or _LOCKS.search(statement)):
        cursor.execute("BEGIN", prepare=False)


@event.listens_for(Engine, "rollback")
def _commit_what_only_read(connection):
    """Before SQLAlchemy rolls back: a psycopg transaction that only read, still in
    order, is committed (the rollback that follows then has nothing to end)."""
    if connection.invalidated or connection.info.get(WROTE):
        return
    driver = connection.connection.driver_connection
    status = getattr(getattr(driver, "info", None), "transaction_status", None)
    if status is not None and status.name == "INTRANS":
        driver.commit()
