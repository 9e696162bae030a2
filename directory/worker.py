"""The task worker (Huey): delivers the outbox and runs the periodic work, so no cron is
needed. `flask --app wsgi worker` runs it; `make run` and `make serve` start it beside
the web server.

The queue lives in SQLite in instance/ by default, in Redis when REDIS_URL is set (so
several hosts share it). The queue only says "deliver now"; the messages themselves
are in the outbox table, written in the transaction that causes them, so a lost
wake-up delays a message by at most a minute (the sweep) and loses nothing.
"""

import logging
import os
from datetime import timedelta
from functools import wraps

from flask import current_app
from huey import RedisHuey, SqliteHuey, crontab

from .activities.materialising import extend_all_occurrences, horizon_end
from .activities.models import Activity
from .common.time import utcnow
from .extensions import db
from .geo.placing import place_missing
from .messages.delivery import deliver_due
from .messages.outbox import forget_older_than
from .organisations.freshness import check_freshness
from .organisations.models import Organisation
from .signups.notices import send_reminders
from .signups.services import purge_personal_data
from .staff.digests import send_daily_digests
from .venues.models import Venue

log = logging.getLogger(__name__)


def make_queue(app):
    """The Huey instance for this app's settings."""
    if app.config.get("REDIS_URL"):
        return RedisHuey("samverkan", url=app.config["REDIS_URL"])
    filename = app.config.get("TASK_QUEUE_FILE") or os.path.join(app.instance_path,
                                                                 "tasks.sqlite")
    return SqliteHuey("samverkan", filename=filename)


def init_worker(app):
    """Build the queue, register the tasks, and let a commit that wrote messages wake
    the worker (messages.outbox calls `wake_worker` after commit)."""
    queue = make_queue(app)

    def in_app(work):
        @wraps(work)
        def run(*args, **kwargs):
            with app.app_context():
                try:
                    return work(*args, **kwargs)
                finally:
                    db.session.remove()
        return run

    deliver = queue.task(name="deliver")(in_app(deliver_now))
    queue.periodic_task(crontab(minute="*"), name="deliver-due")(in_app(deliver_now))
    queue.periodic_task(crontab(minute="*/15"), name="reminders")(in_app(remind))
    queue.periodic_task(crontab(hour="2", minute="17"), name="purge")(in_app(purge))
    queue.periodic_task(crontab(hour="2", minute="47"), name="extend")(in_app(extend))
    queue.periodic_task(crontab(minute="33"), name="geocode")(in_app(geocode))
    queue.periodic_task(crontab(hour="5", minute="30"), name="digests")(in_app(digests))
    queue.periodic_task(crontab(hour="9", minute="7"), name="freshness")(in_app(freshness))
    app.extensions["huey"] = queue
    app.extensions["wake_worker"] = deliver


def deliver_now():
    outcome = deliver_due()
    if outcome.sent or outcome.retrying or outcome.failed:
        log.info("messages: %d sent, %d to retry, %d failed", outcome.sent,
                 outcome.retrying, outcome.failed)
    return outcome.sent


def remind(now=None):
    """Reminders the day before, then deliver them."""
    count = send_reminders(now)
    db.session.commit()
    deliver_due()
    return count


def purge(now=None):
    """Names and contacts of sign-ups, and the outbox's addresses, after the retention."""
    now = now or utcnow()
    days = current_app.config["SIGNUP_RETENTION_DAYS"]
    erased = purge_personal_data(days, now)
    forget_older_than(now - timedelta(days=days))
    db.session.commit()
    return erased


def extend():
    """Materialise the dates of every series up to the rolling horizon."""
    added = extend_all_occurrences(horizon_end(
        days=current_app.config["OCCURRENCE_HORIZON_DAYS"]))
    db.session.commit()
    return added


def geocode():
    """Place the saved addresses the geocoder missed (a few each hour)."""
    counts = place_missing((Venue, Organisation, Activity), 50)
    db.session.commit()
    return counts


def digests(now=None):
    """The daily digests (organisations' new sign-ups; coordinators' new registrations
    and room requests), then deliver them."""
    count = send_daily_digests(now)
    db.session.commit()
    deliver_due()
    return count


def freshness(now=None):
    """Ask owners to confirm listings eleven months old; take those unconfirmed at
    thirteen months off the public lists, telling the owners; then deliver."""
    asked, lapsed = check_freshness(now)
    db.session.commit()
    deliver_due()
    return asked, lapsed
