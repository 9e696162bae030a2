"""Move dates or approve bookings from a process of its own, from a given moment on;
prints one line per change: the change, then `won` or `refused <error class>`.

    python -m tests.room_use_worker DATABASE_URI START_AT CHANGE [CHANGE …]

A CHANGE is `move:<date id>:<YYYY-MM-DD>:<HHMM>:<HHMM>` (a new day, start and end in
Stockholm time) or `approve:<booking id>`; START_AT is a Unix time, so that two processes
begin together.
"""

import sys
import time as clock
from datetime import date, time

from directory import create_app
from directory.accounts.models import User
from directory.activities.editing import move_occurrence
from directory.activities.models import ActivityError, Occurrence
from directory.bookings.models import RoomBooking
from directory.bookings.services import BookingConflict, approve_booking
from directory.extensions import db
from tests.conftest import config_for_tests


def _clock(value):
    return time(int(value[:2]), int(value[2:]))


def make_change(change, coordinator):
    """Make one change in a transaction of its own; 'won' or 'refused <error>'."""
    kind, *args = change.split(":")
    try:
        if kind == "move":
            occurrence_id, day, start, end = args
            move_occurrence(db.session.get(Occurrence, int(occurrence_id)),
                            date.fromisoformat(day), _clock(start), _clock(end), coordinator)
        else:
            approve_booking(db.session.get(RoomBooking, int(args[0])), coordinator)
        db.session.commit()
        return "won"
    except (ActivityError, BookingConflict) as error:
        db.session.rollback()
        return f"refused {type(error).__name__}"


if __name__ == "__main__":
    app = create_app(config_for_tests(sys.argv[1]))
    with app.app_context():
        coordinator = db.session.scalar(db.select(User).filter_by(role="staff"))
        db.session.rollback()
        clock.sleep(max(0.0, float(sys.argv[2]) - clock.time()))
        for change in sys.argv[3:]:
            print(change, make_change(change, coordinator), flush=True)
