"""The database's rule for room use: the triggers that keep `room_use` from its sources
(scheduled dates in a room, approved bookings of their own) and refuse two uses of a room
at once, buffer included, for PostgreSQL and SQLite. occupancy.py installs them with the
table; migration 0005 installs them on existing databases.

A use row is kept from its source by the triggers below; the rule that two uses of a
room never overlap (buffer included) holds for every row not marked legacy, and a legacy
row blocks new uses too.
"""

_USE_OF_OCCURRENCE = ("NEW.room_id IS NOT NULL AND NEW.status = 'scheduled'")
_USE_OF_BOOKING = ("NEW.status = 'approved' AND NEW.occurrence_id IS NULL")
_OCCURRENCE_CHANGED = ("OLD.room_id IS NOT NEW.room_id OR OLD.status IS NOT NEW.status "
                       "OR OLD.starts_at IS NOT NEW.starts_at OR OLD.ends_at IS NOT NEW.ends_at")
_BOOKING_CHANGED = ("OLD.room_id IS NOT NEW.room_id OR OLD.status IS NOT NEW.status "
                    "OR OLD.starts_at IS NOT NEW.starts_at OR OLD.ends_at IS NOT NEW.ends_at "
                    "OR OLD.occurrence_id IS NOT NEW.occurrence_id")

# SQLite keeps times as 'YYYY-MM-DD HH:MM:SS.ffffff' text (SQLAlchemy's format); the
# buffered end is written in the same shape so text comparison orders it rightly.
_SQLITE_BLOCKED = ("strftime('%Y-%m-%d %H:%M:%f000', NEW.ends_at, '+' || r.buffer_minutes "
                   "|| ' minutes')")
_SQLITE_OVERLAP = (
    "NOT NEW.legacy AND EXISTS (SELECT 1 FROM room_use u WHERE u.room_id = NEW.room_id "
    "AND u.id IS NOT NEW.id AND u.starts_at < NEW.blocked_until "
    "AND NEW.starts_at < u.blocked_until)")

SQLITE_RULES = (
    "CREATE TRIGGER room_use_no_overlap_insert BEFORE INSERT ON room_use "
    f"WHEN {_SQLITE_OVERLAP} BEGIN SELECT RAISE(ABORT, 'room_use_no_overlap'); END",
    "CREATE TRIGGER room_use_no_overlap_update BEFORE UPDATE OF room_id, starts_at, "
    f"blocked_until, legacy ON room_use WHEN {_SQLITE_OVERLAP} "
    "BEGIN SELECT RAISE(ABORT, 'room_use_no_overlap'); END",
    # Occurrences.
    f"CREATE TRIGGER room_use_occurrence_insert AFTER INSERT ON occurrence "
    f"WHEN {_USE_OF_OCCURRENCE} BEGIN "
    "INSERT INTO room_use (room_id, starts_at, ends_at, blocked_until, occurrence_id, legacy) "
    f"SELECT NEW.room_id, NEW.starts_at, NEW.ends_at, {_SQLITE_BLOCKED}, NEW.id, 0 "
    "FROM room r WHERE r.id = NEW.room_id; END",
    "CREATE TRIGGER room_use_occurrence_update AFTER UPDATE OF room_id, status, starts_at, "
    f"ends_at ON occurrence WHEN {_OCCURRENCE_CHANGED} BEGIN "
    "DELETE FROM room_use WHERE occurrence_id = NEW.id; "
    "INSERT INTO room_use (room_id, starts_at, ends_at, blocked_until, occurrence_id, legacy) "
    f"SELECT NEW.room_id, NEW.starts_at, NEW.ends_at, {_SQLITE_BLOCKED}, NEW.id, 0 "
    "FROM room r WHERE r.id = NEW.room_id AND NEW.status = 'scheduled'; "
    # A booking tied to a date follows the date's time.
    "UPDATE room_booking SET starts_at = NEW.starts_at, ends_at = NEW.ends_at "
    "WHERE occurrence_id = NEW.id AND status IN ('pending', 'approved') "
    "AND (starts_at IS NOT NEW.starts_at OR ends_at IS NOT NEW.ends_at); "
    # ... and is released with it, and taken back (at the date's time, which may have
    # changed meanwhile) when the date is restored in its room.
    "UPDATE room_booking SET status = 'cancelled' WHERE occurrence_id = NEW.id "
    "AND OLD.status = 'scheduled' AND NEW.status = 'cancelled' "
    "AND status IN ('pending', 'approved'); "
    "UPDATE room_booking SET status = 'approved', decision_reason = NULL, "
    "starts_at = NEW.starts_at, ends_at = NEW.ends_at "
    "WHERE occurrence_id = NEW.id AND OLD.status = 'cancelled' "
    "AND NEW.status = 'scheduled' AND status = 'cancelled' AND decided_at IS NOT NULL "
    "AND room_id = NEW.room_id; END",
    # Bookings.
    f"CREATE TRIGGER room_use_booking_insert AFTER INSERT ON room_booking "
    f"WHEN {_USE_OF_BOOKING} BEGIN "
    "INSERT INTO room_use (room_id, starts_at, ends_at, blocked_until, booking_id, legacy) "
    f"SELECT NEW.room_id, NEW.starts_at, NEW.ends_at, {_SQLITE_BLOCKED}, NEW.id, 0 "
    "FROM room r WHERE r.id = NEW.room_id; END",
    "CREATE TRIGGER room_use_booking_update AFTER UPDATE OF room_id, status, starts_at, "
    f"ends_at, occurrence_id ON room_booking WHEN {_BOOKING_CHANGED} BEGIN "
    "DELETE FROM room_use WHERE booking_id = NEW.id; "
    "INSERT INTO room_use (room_id, starts_at, ends_at, blocked_until, booking_id, legacy) "
    f"SELECT NEW.room_id, NEW.starts_at, NEW.ends_at, {_SQLITE_BLOCKED}, NEW.id, 0 "
    "FROM room r WHERE r.id = NEW.room_id AND NEW.status = 'approved' "
    "AND NEW.occurrence_id IS NULL; END",
    # A changed buffer applies to the room's coming uses.
    "CREATE TRIGGER room_use_buffer AFTER UPDATE OF buffer_minutes ON room "
    "WHEN OLD.buffer_minutes IS NOT NEW.buffer_minutes BEGIN "
    "UPDATE room_use SET blocked_until = strftime('%Y-%m-%d %H:%M:%f000', ends_at, "
    "'+' || NEW.buffer_minutes || ' minutes') WHERE room_id = NEW.id "
    "AND ends_at > strftime('%Y-%m-%d %H:%M:%f000', 'now'); END",
)

_PG_BLOCKED = "NEW.ends_at + make_interval(mins => r.buffer_minutes)"
PG_RULES = (
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE room_use ADD CONSTRAINT room_use_no_overlap EXCLUDE USING gist "
    "(room_id WITH =, tstzrange(starts_at, blocked_until, '[)') WITH &&) "
    "WHERE (NOT legacy)",
    # A legacy use still blocks new ones (the constraint above leaves it out).
    """CREATE FUNCTION room_use_not_over_legacy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT NEW.legacy AND EXISTS (SELECT 1 FROM room_use u WHERE u.legacy
      AND u.room_id = NEW.room_id AND u.id <> NEW.id
      AND u.starts_at < NEW.blocked_until AND NEW.starts_at < u.blocked_until) THEN
    RAISE EXCEPTION 'room_use_no_overlap' USING ERRCODE = 'exclusion_violation';
  END IF;
  RETURN NEW;
END $$""",
    "CREATE TRIGGER room_use_not_over_legacy BEFORE INSERT OR UPDATE ON room_use "
    "FOR EACH ROW EXECUTE FUNCTION room_use_not_over_legacy()",
    f"""CREATE FUNCTION room_use_of_occurrence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM room_use WHERE occurrence_id = NEW.id;
  IF {_USE_OF_OCCURRENCE} THEN
    INSERT INTO room_use (room_id, starts_at, ends_at, blocked_until, occurrence_id, legacy)
    SELECT NEW.room_id, NEW.starts_at, NEW.ends_at, {_PG_BLOCKED}, NEW.id, false
    FROM room r WHERE r.id = NEW.room_id;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    UPDATE room_booking SET starts_at = NEW.starts_at, ends_at = NEW.ends_at
    WHERE occurrence_id = NEW.id AND status IN ('pending', 'approved')
      AND (starts_at, ends_at) IS DISTINCT FROM (NEW.starts_at, NEW.ends_at);
    IF OLD.status = 'scheduled' AND NEW.status = 'cancelled' THEN
      UPDATE room_booking SET status = 'cancelled'
      WHERE occurrence_id = NEW.id AND status IN ('pending', 'approved');
    ELSIF OLD.status = 'cancelled' AND NEW.status = 'scheduled' THEN
      UPDATE room_booking SET status = 'approved', decision_reason = NULL,
        starts_at = NEW.starts_at, ends_at = NEW.ends_at
      WHERE occurrence_id = NEW.id AND status = 'cancelled' AND decided_at IS NOT NULL
        AND room_id = NEW.room_id;
    END IF;
  END IF;
  RETURN NULL;
END $$""",
    "CREATE TRIGGER room_use_occurrence_insert AFTER INSERT ON occurrence FOR EACH ROW "
    f"WHEN ({_USE_OF_OCCURRENCE}) EXECUTE FUNCTION room_use_of_occurrence()",
    "CREATE TRIGGER room_use_occurrence_update AFTER UPDATE ON occurrence FOR EACH ROW "
    f"WHEN ({_OCCURRENCE_CHANGED.replace('IS NOT', 'IS DISTINCT FROM')}) "
    "EXECUTE FUNCTION room_use_of_occurrence()",
    f"""CREATE FUNCTION room_use_of_booking() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM room_use WHERE booking_id = NEW.id;
  IF {_USE_OF_BOOKING} THEN
    INSERT INTO room_use (room_id, starts_at, ends_at, blocked_until, booking_id, legacy)
    SELECT NEW.room_id, NEW.starts_at, NEW.ends_at, {_PG_BLOCKED}, NEW.id, false
    FROM room r WHERE r.id = NEW.room_id;
  END IF;
  RETURN NULL;
END $$""",
    "CREATE TRIGGER room_use_booking_insert AFTER INSERT ON room_booking FOR EACH ROW "
    f"WHEN ({_USE_OF_BOOKING}) EXECUTE FUNCTION room_use_of_booking()",
    "CREATE TRIGGER room_use_booking_update AFTER UPDATE ON room_booking FOR EACH ROW "
    f"WHEN ({_BOOKING_CHANGED.replace('IS NOT', 'IS DISTINCT FROM')}) "
    "EXECUTE FUNCTION room_use_of_booking()",
    """CREATE FUNCTION room_use_buffer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE room_use SET blocked_until = ends_at + make_interval(mins => NEW.buffer_minutes)
  WHERE room_id = NEW.id AND ends_at > now();
  RETURN NULL;
END $$""",
    "CREATE TRIGGER room_use_buffer AFTER UPDATE OF buffer_minutes ON room FOR EACH ROW "
    "WHEN (OLD.buffer_minutes IS DISTINCT FROM NEW.buffer_minutes) "
    "EXECUTE FUNCTION room_use_buffer()",
)

PG_DROP = (
    "DROP TRIGGER IF EXISTS room_use_buffer ON room",
    "DROP TRIGGER IF EXISTS room_use_booking_update ON room_booking",
    "DROP TRIGGER IF EXISTS room_use_booking_insert ON room_booking",
    "DROP TRIGGER IF EXISTS room_use_occurrence_update ON occurrence",
    "DROP TRIGGER IF EXISTS room_use_occurrence_insert ON occurrence",
    "DROP FUNCTION IF EXISTS room_use_buffer()",
    "DROP FUNCTION IF EXISTS room_use_of_booking()",
    "DROP FUNCTION IF EXISTS room_use_of_occurrence()",
    "DROP FUNCTION IF EXISTS room_use_not_over_legacy() CASCADE",
)
SQLITE_DROP = tuple(
    f"DROP TRIGGER IF EXISTS {name}" for name in (
        "room_use_no_overlap_insert", "room_use_no_overlap_update",
        "room_use_occurrence_insert", "room_use_occurrence_update",
        "room_use_booking_insert", "room_use_booking_update", "room_use_buffer"))

