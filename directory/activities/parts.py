"""What a calendar shows of an activity beyond its own row, kept on that row by the
database: `parts_version` grows and `parts_changed_at` is set in the transaction that
adds, removes or changes one of its dates as a calendar shows it (its time, its slot,
its room, its status and reason, its sequence) or adds or removes one of its focus
areas. A sign-up changes only a date's counts: not these.

So a feed's kept blocks (calendars.parts) are keyed by the activity's row alone — no
read of its dates or its focus areas per activity — and a calendar's LAST-MODIFIED is
the later of the activity's `updated_at` and `parts_changed_at` (Activity.
calendar_changed_at), the same whichever process writes it.

The triggers (PostgreSQL once per statement, from its transition tables; SQLite per row)
are installed with the tables (activities.models) and by migration 0020. On PostgreSQL a
flush that changes dates locks their activities first (`_activities_first`), in id
order, so a date's change never waits for its activity while an edit of that activity
waits for the date (the trigger's UPDATE would otherwise take the locks in the other
order than a series' edit, which updates the activity before its dates).
"""

from sqlalchemy import event, select
from sqlalchemy.orm import Session

# A date's columns a calendar shows (calendars.ical).
DATE_COLUMNS = ("activity_id", "starts_at", "ends_at", "original_starts_at", "room_id",
                "status", "cancel_reason", "sequence")

# SQLite keeps times as 'YYYY-MM-DD HH:MM:SS.ffffff' text (SQLAlchemy's format).
_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f000', 'now')"
_SQLITE_BUMP = ("UPDATE activity SET parts_version = parts_version + 1, "
                f"parts_changed_at = {_SQLITE_NOW} WHERE id IN ({{ids}});")
_SQLITE_DATE_CHANGED = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in DATE_COLUMNS)

SQLITE_RULES = (
    "CREATE TRIGGER activity_parts_occurrence_insert AFTER INSERT ON occurrence BEGIN "
    + _SQLITE_BUMP.format(ids="NEW.activity_id") + " END",
    f"CREATE TRIGGER activity_parts_occurrence_update AFTER UPDATE OF "
    f"{', '.join(DATE_COLUMNS)} ON occurrence WHEN {_SQLITE_DATE_CHANGED} BEGIN "
    + _SQLITE_BUMP.format(ids="OLD.activity_id, NEW.activity_id") + " END",
    "CREATE TRIGGER activity_parts_occurrence_delete AFTER DELETE ON occurrence BEGIN "
    + _SQLITE_BUMP.format(ids="OLD.activity_id") + " END",
    "CREATE TRIGGER activity_parts_focus_insert AFTER INSERT ON activity_focus_area BEGIN "
    + _SQLITE_BUMP.format(ids="NEW.activity_id") + " END",
    "CREATE TRIGGER activity_parts_focus_update AFTER UPDATE ON activity_focus_area BEGIN "
    + _SQLITE_BUMP.format(ids="OLD.activity_id, NEW.activity_id") + " END",
    "CREATE TRIGGER activity_parts_focus_delete AFTER DELETE ON activity_focus_area BEGIN "
    + _SQLITE_BUMP.format(ids="OLD.activity_id") + " END",
)
SQLITE_DROP = tuple(
    f"DROP TRIGGER IF EXISTS activity_parts_{table}_{what}"
    for table in ("occurrence", "focus") for what in ("insert", "update", "delete"))

_PG_BUMP = ("UPDATE activity SET parts_version = parts_version + 1, "
            "parts_changed_at = clock_timestamp() WHERE id IN ({ids});")
_PG_DATE_CHANGED = (f"({', '.join('o.' + c for c in DATE_COLUMNS)}) IS DISTINCT FROM "
                    f"({', '.join('n.' + c for c in DATE_COLUMNS)})")

PG_RULES = (
    f"""CREATE FUNCTION activity_parts_of_dates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_PG_BUMP.format(ids="SELECT activity_id FROM new_rows")}
  ELSIF TG_OP = 'DELETE' THEN
    {_PG_BUMP.format(ids="SELECT activity_id FROM old_rows")}
  ELSE
    {_PG_BUMP.format(ids="SELECT unnest(ARRAY[o.activity_id, n.activity_id]) FROM "
                         "old_rows o JOIN new_rows n ON n.id = o.id WHERE "
                         + _PG_DATE_CHANGED)}
  END IF;
  RETURN NULL;
END $$""",
    f"""CREATE FUNCTION activity_parts_of_links() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    {_PG_BUMP.format(ids="SELECT activity_id FROM new_rows")}
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    {_PG_BUMP.format(ids="SELECT activity_id FROM old_rows")}
  END IF;
  RETURN NULL;
END $$""",
    *(f"CREATE TRIGGER activity_parts_{name}_{what.lower()} AFTER {what} ON {table} "
      f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
      for name, table, function in (
          ("occurrence", "occurrence", "activity_parts_of_dates"),
          ("focus", "activity_focus_area", "activity_parts_of_links"))
      for what, tables in (("INSERT", "NEW TABLE AS new_rows"),
                           ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
                           ("DELETE", "OLD TABLE AS old_rows"))),
)
PG_DROP = tuple(
    f"DROP TRIGGER IF EXISTS activity_parts_{name}_{what} ON {table}"
    for name, table in (("occurrence", "occurrence"), ("focus", "activity_focus_area"))
    for what in ("insert", "update", "delete")) + (
    "DROP FUNCTION IF EXISTS activity_parts_of_dates()",
    "DROP FUNCTION IF EXISTS activity_parts_of_links()")


@event.listens_for(Session, "before_flush")
def _activities_first(session, flush_context, instances):
    """PostgreSQL: before a flush writes dates, lock their activities (id order)."""
    from .models import Activity, Occurrence
    ids = {o.activity_id for o in (*session.new, *session.dirty, *session.deleted)
           if isinstance(o, Occurrence) and o.activity_id is not None}
    if not ids:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    connection.execute(select(Activity.id).where(Activity.id.in_(sorted(ids)))
                       .order_by(Activity.id).with_for_update(key_share=True))
