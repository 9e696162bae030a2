"""The feed organisations `run.py` measures, written into the benchmark's own database
through the app's models (in this process, `create_app` on the same DATABASE_URL), and
the edits it makes between requests while gunicorn serves that database.

- `bench-veckor`: weekly series holding ~500 dates (~60 VEVENTs: a series is one
  VEVENT with its RRULE, a moved date one more);
- `bench-engangs`: 500 one-off activities (recurrence "once", one date each: 500
  VEVENTs), the same organisation `wire.py` weighs;
- `bench-stor`: weekly series holding ~5,000 dates.
"""

import sys
from pathlib import Path

from sqlalchemy import update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from directory import create_app  # noqa: E402
from directory.activities.models import Activity, Occurrence  # noqa: E402
from directory.common.time import utcnow  # noqa: E402
from directory.config import database_uri  # noqa: E402
from directory.extensions import db  # noqa: E402
from directory.organisations.models import Organisation  # noqa: E402

import feeds  # noqa: E402
import wire  # noqa: E402

WEEKLY, ONE_OFF, LARGE = "bench-veckor", "bench-engangs", "bench-stor"


def feed_path(slug):
    return f"/organisations/{slug}/calendar.ics"


class FeedOrganisations:
    """The app on the benchmark's database, for seeding and for edits made between
    requests (each edit commits, so the data version moves as an editor's would)."""

    def __init__(self, database_url, workdir):
        self.app = create_app({
            "SQLALCHEMY_DATABASE_URI": database_uri(database_url),
            "SECRET_KEY": "bench-editor", "RATELIMIT_ENABLED": False,
            "ANSWER_CACHE": False, "TASK_QUEUE_FILE": f"{workdir}/tasks.sqlite"})
        self.edits = 0

    def seed(self):
        """Add the three organisations; returns {slug: dates in its feed's window}."""
        with self.app.app_context():
            counts = {WEEKLY: feeds.seed(500, WEEKLY, "Veckoföreningen"),
                      LARGE: feeds.seed(5000, LARGE, "Storföreningen")}
            wire.seed_one_off_dates()
            counts[ONE_OFF] = self._dates(ONE_OFF)
            db.session.remove()
        return counts

    @staticmethod
    def _dates(slug):
        return db.session.query(Occurrence).join(Activity).join(Organisation).filter(
            Organisation.slug == slug).count()

    def edit_one(self, slug):
        """One editor's change: the title of the organisation's first activity (always
        the same one, so each app process has exactly one series to write again)."""
        with self.app.app_context():
            activity = db.session.query(Activity).join(Organisation).filter(
                Organisation.slug == slug).order_by(Activity.id).first()
            self.edits += 1
            activity.title = f"Språkcafé, ändrad {self.edits}"
            activity.sequence += 1
            db.session.commit()
            db.session.remove()

    def touch_all(self, slug):
        """Every activity of the organisation changed: no kept part of its feed is
        current any more, so the next request writes the whole feed (a cold feed)."""
        with self.app.app_context():
            org_id = db.session.query(Organisation.id).filter_by(slug=slug).scalar()
            db.session.execute(update(Activity).where(Activity.organisation_id == org_id)
                               .values(updated_at=utcnow()))
            db.session.commit()
            db.session.remove()

    def close(self):
        with self.app.app_context():
            db.engine.dispose()
