"""An activity's focus areas and target groups as ids on its own row, kept by the
database: `activity.focus_area_ids` and `activity.target_group_ids` ("3,7", in no
order; NULL for none) are set in the statement that adds, changes or removes one of
its links (activity_focus_area, activity_target_group), by the triggers below, never
by the app: the columns are not mapped (activities.models).

The links stay the truth (forms, filters and feeds read them). A list reads each
date's tags from its activity's row (activities.listed) rather than with two lookups
in the link tables per date: a JSON page of 100 dates ~0.5 ms less on PostgreSQL.
tests/test_activity_parts checks with plain SQL, after random changes, that each row
says what its links say.

A row is written only when its ids change (a seed that writes them with the links, or
a link table rewritten as it was, leaves the rows alone). Installed with the tables
(activities.models) and by migration 0022.
"""

# (column on activity, link table, the link's term column)
LINKS = (("focus_area_ids", "activity_focus_area", "focus_area_id"),
         ("target_group_ids", "activity_target_group", "target_group_id"))


def ids_of(table, term, activity, aggregate):
    """SQL: the term ids of one activity's links, as one text ("3,7") or NULL."""
    return (f"(SELECT {aggregate}(CAST(l.{term} AS TEXT), ',') FROM {table} l "
            f"WHERE l.activity_id = {activity})")


def _sqlite_set(column, table, term, ref):
    now = ids_of(table, term, f"{ref}.activity_id", "group_concat")
    return (f"UPDATE activity SET {column} = {now} WHERE id = {ref}.activity_id "
            f"AND {column} IS NOT {now};")


SQLITE_RULES = tuple(
    f"CREATE TRIGGER activity_{column}_{what.lower()} AFTER {what} ON {table} BEGIN "
    + " ".join(_sqlite_set(column, table, term, ref) for ref in refs) + " END"
    for column, table, term in LINKS
    for what, refs in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")),
                       ("DELETE", ("OLD",))))
SQLITE_DROP = tuple(f"DROP TRIGGER IF EXISTS activity_{column}_{what}"
                    for column, _, _ in LINKS for what in ("insert", "update", "delete"))


def _pg_set(column, table, term, rows):
    now = ids_of(table, term, "a.id", "string_agg")
    return (f"UPDATE activity a SET {column} = {now} WHERE a.id IN "
            f"(SELECT activity_id FROM {rows}) AND a.{column} IS DISTINCT FROM {now};")


PG_RULES = tuple(
    statement for column, table, term in LINKS for statement in (
        f"""CREATE FUNCTION activity_{column}_of_links() RETURNS trigger LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    {_pg_set(column, table, term, "new_rows")}
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    {_pg_set(column, table, term, "old_rows")}
  END IF;
  RETURN NULL;
END $$""",
        *(f"CREATE TRIGGER activity_{column}_{what.lower()} AFTER {what} ON {table} "
          f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION "
          f"activity_{column}_of_links()"
          for what, tables in (("INSERT", "NEW TABLE AS new_rows"),
                               ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
                               ("DELETE", "OLD TABLE AS old_rows")))))
PG_DROP = tuple(
    f"DROP TRIGGER IF EXISTS activity_{column}_{what} ON {table}"
    for column, table, _ in LINKS for what in ("insert", "update", "delete")) + tuple(
    f"DROP FUNCTION IF EXISTS activity_{column}_of_links()" for column, _, _ in LINKS)
