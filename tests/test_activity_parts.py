"""An activity's dates and focus areas as calendars show them, kept on its row by the
database (activities.parts): the counter moves when, and only when, what a calendar
shows of them changes — proven with plain SQL after random sequences of changes
(hypothesis), and by every feed: a sign-up leaves each feed's bytes and ETag as they
were, a cancelled date changes them all. Each activity's row keeps the ids of the
focus areas and target groups its links say (activities.tags), however they change. A
date changed while its series is edited, from two threads and from two processes, waits
rather than deadlocks. On SQLite and PostgreSQL (the races: PostgreSQL's row locks)."""

import os
import subprocess
import sys
import threading
import time as clock
from datetime import time, timedelta
from pathlib import Path

import pytest
from flask import current_app
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, \
    run_state_machine_as_test
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from directory.accounts.models import User
from directory.activities.editing import (cancel_occurrence, move_occurrence,
                                          restore_occurrence, update_activity)
from directory.activities.models import Activity, Occurrence
from directory.calendars.parts import forget_kept_blocks
from directory.common.caching import cache
from directory.common.db import is_postgres
from directory.common.errors import FieldError
from directory.common.time import local_today, to_local, utcnow
from directory.extensions import db
from directory.signups.services import sign_up
from directory.taxonomy.models import FocusArea, TargetGroup
from directory.taxonomy.services import ensure_default_terms
from tests.conftest import make_activity, make_municipality, make_organisation, make_venue
from tests.parts_worker import rounds
from tests.room_use import empty_database

# What a calendar shows of each activity's dates and focus areas, read with plain SQL.
SHOWN = text("""
    SELECT 'date', o.activity_id, o.id, o.starts_at, o.ends_at, o.original_starts_at,
           o.room_id, o.status, o.cancel_reason, o.sequence
    FROM occurrence o
    UNION ALL
    SELECT 'focus', l.activity_id, l.focus_area_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM activity_focus_area l""")
PARTS = text("SELECT id, parts_version, parts_changed_at FROM activity")
# Each activity's focus areas and target groups: as its row keeps them (activities.tags),
# and as its links say.
KEPT_TAGS = text("SELECT id, focus_area_ids, target_group_ids FROM activity")
LINKED_TAGS = text("""
    SELECT 'focus', activity_id, focus_area_id FROM activity_focus_area
    UNION ALL
    SELECT 'target', activity_id, target_group_id FROM activity_target_group""")


def kept_and_linked_tags():
    """({activity id: (focus ids, target ids)} as rows keep them, the same as linked)."""
    kept = {row[0]: tuple(frozenset(int(i) for i in (ids or "").split(",") if i)
                          for ids in row[1:]) for row in db.session.execute(KEPT_TAGS)}
    linked = {activity_id: (set(), set()) for activity_id in kept}
    for kind, activity_id, term_id in db.session.execute(LINKED_TAGS):
        linked[activity_id][kind == "target"].add(term_id)
    return kept, {key: tuple(map(frozenset, value)) for key, value in linked.items()}


def shown():
    """{activity id: sorted rows of what a calendar shows of its dates and focus areas}."""
    found = {}
    for row in db.session.execute(SHOWN):
        found.setdefault(row[1], []).append(tuple(map(str, row)))
    return {key: sorted(rows) for key, rows in found.items()}


def parts():
    return {row[0]: (row[1], str(row[2])) for row in db.session.execute(PARTS)}


def test_the_database_moves_the_counter_with_the_dates_and_focus_areas(app, factories):
    activity = factories.activity(title="Läxhjälp")
    date = activity.occurrences[0]
    version = lambda: db.session.execute(  # noqa: E731
        text("SELECT parts_version FROM activity WHERE id = :id"), {"id": activity.id}
    ).scalar_one()
    focus_id = db.session.scalar(db.select(FocusArea.id).filter_by(slug="utbildning"))
    steps = [  # (plain SQL, whether a calendar shows the change)
        ("UPDATE occurrence SET confirmed_count = 3, waitlist_count = 1 WHERE id = :d",
         False),
        ("UPDATE occurrence SET updated_at = updated_at WHERE id = :d", False),
        ("UPDATE occurrence SET status = status WHERE id = :d", False),
        ("UPDATE occurrence SET status = 'cancelled', cancel_reason = 'Sjuk' "
         "WHERE id = :d", True),
        ("UPDATE occurrence SET cancel_reason = 'Sjukdom' WHERE id = :d", True),
        ("UPDATE occurrence SET sequence = sequence + 1 WHERE id = :d", True),
        ("UPDATE occurrence SET starts_at = original_starts_at WHERE id = :d", False),
        ("INSERT INTO activity_focus_area (activity_id, focus_area_id) VALUES (:a, :f)",
         True),
        ("DELETE FROM activity_focus_area WHERE activity_id = :a", True),
        ("DELETE FROM occurrence WHERE id = :d", True),
    ]
    for sql, moves in steps:
        before = version()
        db.session.execute(text(sql), {"d": date.id, "a": activity.id, "f": focus_id})
        db.session.commit()
        assert version() == before + moves, sql


@pytest.fixture
def feeds(client, factories):
    """An organisation's series in a meeting place's room, open for sign-up; each feed
    that shows it: {path: first answer}."""
    org = factories.organisation(name="Läxhjälpen")
    venue = factories.venue()
    series = factories.activity(org, title="Läxhjälp", room=venue.rooms[0],
                                registration_required=True, default_capacity=10)
    for date in series.occurrences:
        date.room = venue.rooms[0]
    db.session.commit()
    partner = factories.partner()
    _, token = factories.feed(partner, filters={"organisation": org.slug})
    coming = [d for d in series.occurrences if d.starts_at > utcnow()]
    paths = [f"/organisations/{org.slug}/calendar.ics", f"/venues/{venue.slug}/calendar.ics",
             f"/activities/{series.id}/calendar.ics", "/activities/calendar.ics?q=läxhjälp",
             f"/feeds/{token}.ics", f"/occurrences/{coming[0].id}.ics"]
    first = {path: client.get(path) for path in paths}
    for path, answer in first.items():
        assert answer.status_code == 200 and b"SUMMARY:L" in answer.data, path
    return {"first": first, "coming": coming}


def test_a_signup_leaves_every_feed_as_it_was_and_a_cancelled_date_changes_them(
        client, feeds):
    sign_up(feeds["coming"][0].id, "Amina", "070-123 45 67")
    db.session.commit()
    for path, first in feeds["first"].items():
        again = client.get(path)
        assert again.data == first.data, path
        assert again.headers["ETag"] == first.headers["ETag"], path
        assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}
                          ).status_code == 304, path
    staff = User(email="samordnare@example.se", role="staff")
    db.session.add(staff)
    cancel_occurrence(feeds["coming"][0], "Ledaren är sjuk", staff)
    db.session.commit()
    for path, first in feeds["first"].items():
        again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 200 and again.data != first.data, path
        assert again.last_modified >= first.last_modified, path


# ------------------------------------------------------------------ random sequences

PICK = st.integers(0, 10 ** 4)


class PartsMachine(RuleBasedStateMachine):
    """Two activities of one organisation, a weekly series in a room and a one-off; a
    step changes a date, signs up, changes focus areas or edits the series."""

    def __init__(self):
        super().__init__()
        empty_database()
        ensure_default_terms()
        forget_kept_blocks()
        cache.clear()
        make_municipality()
        org = make_organisation(name="Läxhjälpen")
        venue = make_venue(rooms=[("Stora salen", 40), ("Lilla salen", 10)])
        self.room_ids = [r.id for r in venue.rooms]
        self.series = make_activity(org, title="Läxhjälp", registration_required=True,
                                    default_capacity=2)
        self.one_off = make_activity(org, title="Språkcafé", recurrence="once",
                                     starts_on=local_today() + timedelta(days=4))
        self.staff = User(email="samordnare@example.se", role="staff")
        db.session.add(self.staff)
        db.session.commit()
        self.slug = org.slug
        self.client = current_app.test_client()
        self.seen = (shown(), parts())

    def _coming(self, pick):
        dates = db.session.scalars(db.select(Occurrence).where(
            Occurrence.starts_at > utcnow()).order_by(Occurrence.id)).all()
        return dates[pick % len(dates)] if dates else None

    def _done(self, change):
        """The change, or nothing when its rules refuse it (the room's rule included)."""
        try:
            change()
            db.session.commit()
        except (FieldError, IntegrityError):
            db.session.rollback()

    @rule(pick=PICK)
    def cancel_or_restore(self, pick):
        date = self._coming(pick)
        if date is not None:
            self._done(lambda: restore_occurrence(date, self.staff) if date.is_cancelled
                       else cancel_occurrence(date, "Sjuk", self.staff))

    @rule(pick=PICK, hours=st.integers(-2, 2))
    def move(self, pick, hours):
        date = self._coming(pick)
        if date is not None and not date.is_cancelled:
            start = to_local(date.starts_at) + timedelta(hours=hours)
            self._done(lambda: move_occurrence(date, start.date(), start.time(),
                                               (start + timedelta(hours=1)).time(),
                                               self.staff))

    @rule(pick=PICK, room=st.integers(0, 2))
    def place(self, pick, room):
        date = self._coming(pick)
        if date is not None:
            self._done(lambda: date.place_in(self.room_ids[room] if room < 2 else None))

    @rule(pick=PICK)
    def sign_up(self, pick):
        date = self._coming(pick)
        if date is not None and date.activity_id == self.series.id:
            self._done(lambda: sign_up(date.id, f"Person {pick}", f"p{pick}@example.se"))

    @rule(slug=st.sampled_from(("utbildning", "halsa", None)), series=st.booleans())
    def focus(self, slug, series):
        activity = db.session.get(Activity, (self.series if series else self.one_off).id)
        area = slug and db.session.scalar(db.select(FocusArea).filter_by(slug=slug))
        activity.focus_areas = [area] if area else []
        db.session.commit()

    @rule(slugs=st.lists(st.sampled_from(("barn", "kvinnor", "familjer")),
                         unique=True, max_size=3), series=st.booleans())
    def target(self, slugs, series):
        activity = db.session.get(Activity, (self.series if series else self.one_off).id)
        activity.target_groups = db.session.scalars(
            db.select(TargetGroup).where(TargetGroup.slug.in_(slugs))).all()
        db.session.commit()

    @rule(plain_sql=st.sampled_from((
        "DELETE FROM activity_target_group WHERE target_group_id IN "
        "(SELECT id FROM target_group WHERE slug = 'kvinnor')",
        "UPDATE activity_focus_area SET focus_area_id = "
        "(SELECT id FROM focus_area WHERE slug = 'halsa') WHERE focus_area_id = "
        "(SELECT id FROM focus_area WHERE slug = 'utbildning') AND NOT EXISTS (SELECT 1 "
        "FROM activity_focus_area x WHERE x.activity_id = activity_focus_area.activity_id "
        "AND x.focus_area_id = (SELECT id FROM focus_area WHERE slug = 'halsa'))",
        "INSERT INTO activity_target_group (activity_id, target_group_id) "
        "SELECT a.id, t.id FROM activity a, target_group t WHERE t.slug = 'familjer' "
        "AND NOT EXISTS (SELECT 1 FROM activity_target_group l WHERE l.activity_id = a.id "
        "AND l.target_group_id = t.id)")))
    def links_in_plain_sql(self, plain_sql):
        """Links changed past the app, several activities in one statement."""
        db.session.execute(text(plain_sql))
        db.session.commit()

    @rule(hour=st.sampled_from((16, 17)), title=st.sampled_from(("Läxhjälp", "Läxor")))
    def edit_series(self, hour, title):
        activity = db.session.get(Activity, self.series.id)
        data = {"title": title, "recurrence": "weekly", "starts_on": activity.starts_on,
                "start_time": time(hour), "end_time": time(hour + 1, 30),
                "weekdays": [1], "until": activity.until}
        self._done(lambda: update_activity(activity, data, self.staff, confirmed=True))

    @invariant()
    def the_counter_moves_with_what_calendars_show(self):
        db.session.expire_all()
        now = (shown(), parts())
        before_shown, before_parts = self.seen
        for activity_id, (version, _) in now[1].items():
            changed = now[0].get(activity_id) != before_shown.get(activity_id)
            old = before_parts[activity_id][0]
            assert (version > old) if changed else (version == old), activity_id
        self.seen = now

    @invariant()
    def each_row_keeps_the_tags_its_links_say(self):
        db.session.expire_all()
        kept, linked = kept_and_linked_tags()
        assert kept == linked

    @invariant()
    def the_feed_from_kept_parts_is_the_feed_written_whole(self):
        path = f"/organisations/{self.slug}/calendar.ics"
        kept = self.client.get(path).data
        forget_kept_blocks()
        cache.clear()
        assert self.client.get(path).data == kept


def test_random_changes_move_the_counter_exactly_when_a_calendar_shows_them(app):
    run_state_machine_as_test(PartsMachine, settings=settings(
        max_examples=12, stateful_step_count=8, deadline=None, derandomize=True,
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=list(HealthCheck)))


# ------------------------------------------------------------------ at the same time

ROUNDS = 6
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def racing(app, factories):
    """A weekly series, one of its coming dates and a coordinator: (ids), on PostgreSQL
    (SQLite has one writer at a time: no row locks to take in any order)."""
    if not is_postgres():
        pytest.skip("row locks: PostgreSQL's")
    series = factories.activity(title="Läxhjälp")
    staff = User(email="samordnare@example.se", role="staff")
    db.session.add(staff)
    db.session.commit()
    date_id = next(d.id for d in series.occurrences if d.starts_at > utcnow())
    return series.id, date_id, staff.id


def _every_change_landed(series_id, outcomes):
    assert outcomes == ["ok"] * (2 * ROUNDS)
    db.session.expire_all()
    assert db.session.get(Activity, series_id).title == f"Läxhjälp {ROUNDS - 1}"


def test_a_date_changed_while_its_series_is_edited_from_threads(app, racing):
    """One thread cancels and restores a date while another edits its series (title
    and time, so every date is written again): on PostgreSQL each locks the activity
    before its dates, so neither waits for the other in a circle; every change lands."""
    series_id, date_id, staff_id = racing
    outcomes = []
    start_together = threading.Barrier(2)

    def in_thread(kind):
        with app.app_context():
            start_together.wait()
            outcomes.extend(rounds(kind, series_id, date_id, ROUNDS, staff_id))
            db.session.remove()

    threads = [threading.Thread(target=in_thread, args=(kind,)) for kind in ("date", "series")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    _every_change_landed(series_id, outcomes)


def test_a_date_changed_while_its_series_is_edited_from_two_processes(app, racing):
    series_id, date_id, _ = racing
    start_at = str(clock.time() + 4)  # both processes loaded and waiting by then
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    processes = [subprocess.Popen(
        [sys.executable, "-m", "tests.parts_worker", app.config["SQLALCHEMY_DATABASE_URI"],
         start_at, kind, str(series_id), str(date_id), str(ROUNDS)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) for kind in ("date", "series")]
    outcomes = []
    for process in processes:
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 0
        outcomes.extend(out.split())
    _every_change_landed(series_id, outcomes)
