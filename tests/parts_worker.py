"""Change a date or edit its series, round after round, from a process of its own, from a
given moment on; prints one line per round: `ok` or the error's class.

    python -m tests.parts_worker DATABASE_URI START_AT date|series ACTIVITY_ID DATE_ID ROUNDS

START_AT is a Unix time, so that two processes begin together. The changes are the
ones tests/test_activity_parts.py makes from threads.
"""

import sys
import time as clock
from datetime import time

from directory import create_app
from directory.accounts.models import User
from directory.activities.editing import cancel_occurrence, restore_occurrence, update_activity
from directory.activities.models import Activity, Occurrence
from directory.extensions import db
from tests.conftest import config_for_tests


def change_date(date_id, round_, user):
    """Cancel the date, or restore it when it is cancelled."""
    date = db.session.get(Occurrence, date_id)
    if date.is_cancelled:
        restore_occurrence(date, user)
    else:
        cancel_occurrence(date, "Sjuk", user)


def edit_series(activity_id, round_, user):
    """A new title and another hour for every date of the weekly series."""
    activity = db.session.get(Activity, activity_id)
    update_activity(activity, {
        "title": f"Läxhjälp {round_}", "recurrence": "weekly",
        "starts_on": activity.starts_on, "start_time": time(16 + round_ % 2),
        "end_time": time(17 + round_ % 2, 30), "weekdays": [1],
        "until": activity.until}, user, confirmed=True)


def rounds(kind, activity_id, date_id, count, user_id):
    """Yield, per round, 'ok' or the class of the error that ended its transaction."""
    for round_ in range(count):
        try:
            user = db.session.get(User, user_id)
            if kind == "date":
                change_date(date_id, round_, user)
            else:
                edit_series(activity_id, round_, user)
            db.session.commit()
            yield "ok"
        except Exception as error:  # noqa: BLE001 (any failure is the finding)
            db.session.rollback()
            yield type(error).__name__


if __name__ == "__main__":
    uri, start_at, kind, activity_id, date_id, count = sys.argv[1:7]
    app = create_app(config_for_tests(uri))
    with app.app_context():
        user_id = db.session.scalar(db.select(User.id).filter_by(role="staff"))
        db.session.rollback()
        clock.sleep(max(0.0, float(start_at) - clock.time()))
        for outcome in rounds(kind, int(activity_id), int(date_id), int(count), user_id):
            print(outcome, flush=True)
