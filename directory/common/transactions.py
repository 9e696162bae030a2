"""How a transaction that only read ends on PostgreSQL: with COMMIT, not ROLLBACK.

For the data the two are the same. But psycopg forgets every statement it prepared on
each ROLLBACK, and a request that writes nothing ends with one (the session is closed),
so the statements a page runs on every request were parsed and planned again each time
(a feed after an edit: ~1.5 ms of its 9). Ended with COMMIT, each connection keeps them
prepared after their fifth use. A transaction that ran anything but a SELECT (a flush,
an UPDATE, a savepoint) or that failed is rolled back as before.

A text search is the exception (`planned_for_its_values`): its transaction ends with
ROLLBACK, so its statements are never kept prepared. PostgreSQL plans a prepared
statement once for any values after a few uses; for a search that plan does not know
the words, and for a broad one it read every activity (330 ms rather than 165 at
national scale).
"""

from sqlalchemy import event
from sqlalchemy.engine import Engine

from ..extensions import db
from .db import is_postgres

# Set on a connection whose transaction must end with ROLLBACK: it wrote, or asked to
# be planned for its values; and whose transaction ran anything but a SELECT.
ROLL_BACK = "samverkan.roll_back"
WROTE = "samverkan.wrote"


def planned_for_its_values():
    """Keep this transaction's statements from being kept prepared (a text search:
    their best plan depends on the words); PostgreSQL only, nothing elsewhere."""
    if is_postgres():
        db.session.connection().info[ROLL_BACK] = True


def wrote():
    """Whether the session's transaction has written, or holds changes not yet flushed."""
    session = db.session()
    if session.new or session.dirty or session.deleted:
        return True
    return session.in_transaction() and WROTE in session.connection().info


@event.listens_for(Engine, "begin")
def _begun(connection):
    connection.info.pop(ROLL_BACK, None)
    connection.info.pop(WROTE, None)


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(connection, cursor, statement, parameters, context, executemany):
    if statement.lstrip()[:6].upper() != "SELECT":
        connection.info[ROLL_BACK] = connection.info[WROTE] = True


@event.listens_for(Engine, "rollback")
def _commit_what_only_read(connection):
    """Before SQLAlchemy rolls back: a psycopg transaction that only read, still in
    order, is committed (the rollback that follows then has nothing to end)."""
    if connection.invalidated or connection.info.get(ROLL_BACK):
        return
    driver = connection.connection.driver_connection
    status = getattr(getattr(driver, "info", None), "transaction_status", None)
    if status is not None and status.name == "INTRANS":
        driver.commit()
