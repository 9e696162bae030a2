"""Who is in a room when, proven: random sequences of everything that puts a date or a
booking in a room (hypothesis, stateful), and a date moved into a slot while a
coordinator approves a booking for it (threads and two processes). After every step
plain SQL, reading the dates and bookings themselves rather than `room_use`, finds no
two uses of a room within the room's buffer of each other. On SQLite and PostgreSQL."""

import os
import subprocess
import sys
import threading
import time as clock
from collections import Counter
from datetime import time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (RuleBasedStateMachine, invariant, precondition, rule,
                                 run_state_machine_as_test)

from directory.accounts.models import User
from directory.activities.editing import (cancel_occurrence, create_activity, end_activity,
                                          move_occurrence, restore_occurrence,
                                          update_activity)
from directory.activities.models import Activity, Occurrence
from directory.bookings.models import RoomBooking
from directory.bookings.services import (approve_booking, cancel_booking, reject_booking,
                                         request_booking, weekly_periods)
from directory.common.errors import FieldError
from directory.common.time import combine_local, local_today
from directory.extensions import db
from directory.organisations.models import Membership, Organisation
from directory.venues.models import Room
from tests.conftest import make_municipality, make_organisation, make_venue
from tests.room_use import (approved_bookings_not_holding_their_date, assert_rooms_hold,
                            empty_database, snapshot)

ROOT = Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------ random sequences

def first_monday(weeks_ahead=2):
    today = local_today()
    return today + timedelta(days=7 * weeks_ahead - today.weekday())


DAY_OFFSETS = (0, 7)             # a Monday and the one after
QUARTERS = st.integers(0, 8)     # a start from 10:00 to 12:00 in quarter hours
LENGTHS = st.sampled_from((45, 60, 90, 120))
PICK = st.integers(0, 10 ** 4)   # which of the existing things a step works on
SLOTS = st.tuples(st.integers(0, len(DAY_OFFSETS) - 1), QUARTERS, LENGTHS)


def clock_times(quarter, minutes):
    start = 10 * 60 + 15 * quarter
    return (time(start // 60, start % 60),
            time((start + minutes) // 60, (start + minutes) % 60))


class RoomUseMachine(RuleBasedStateMachine):
    """Three organisations and two rooms of one meeting place: Stora salen needs a
    coordinator's approval and keeps 15 minutes between uses; Grupprum is booked at once."""

    outcomes = Counter()  # (step, "done" | "refused") over every example of a run

    def __init__(self):
        super().__init__()
        empty_database()
        make_municipality()
        self.organisation_ids = [make_organisation(name=f"Förening {c}").id for c in "ABC"]
        venue = make_venue(rooms=[("Stora salen", 40), ("Grupprum", 8)])
        rooms = {r.name: r for r in venue.rooms}
        rooms["Stora salen"].buffer_minutes = 15
        rooms["Grupprum"].requires_approval = False
        db.session.commit()
        self.room_ids = [rooms["Stora salen"].id, rooms["Grupprum"].id]
        # People who never log in here: no password to hash for each example.
        self.coordinator = User(email="samordnare@example.se", role="staff")
        self.members = {}
        for i, org_id in enumerate(self.organisation_ids):
            member = User(email=f"medlem{i}@example.se")
            db.session.add(Membership(user=member, role="owner",
                                      organisation=db.session.get(Organisation, org_id)))
            self.members[org_id] = member
        db.session.add(self.coordinator)
        db.session.commit()
        self.monday = first_monday()

    # Helpers.

    def when(self, slot):
        day_index, quarter, minutes = slot
        day = self.monday + timedelta(days=DAY_OFFSETS[day_index])
        return (day, *clock_times(quarter, minutes))

    def room(self, index):
        return db.session.get(Room, self.room_ids[index])

    @staticmethod
    def exists(model, *conditions):
        return db.session.scalar(db.select(model.id).where(*conditions).limit(1)) is not None

    def pick(self, model, index, *conditions):
        things = db.session.scalars(db.select(model).where(*conditions)
                                    .order_by(model.id)).all()
        return things[index % len(things)] if things else None

    def member_of(self, organisation_id):
        return self.members[organisation_id]

    def attempt(self, step, change):
        """Run one service call as a request would: commit it, or roll it back when the
        service refuses (a FieldError with a message), and then nothing may have
        changed."""
        before = snapshot()
        try:
            result = change()
            db.session.commit()
            # A request whose every date fails its checks is answered, but asks nothing.
            asked_nothing = isinstance(result, tuple) and not result[0]
            self.outcomes[step, "nothing" if asked_nothing else "done"] += 1
        except FieldError as error:
            db.session.rollback()
            assert str(error.message).strip()
            assert snapshot() == before, f"{step} was refused but left changes behind"
            self.outcomes[step, "refused"] += 1

    def has_scheduled_dates(self):
        return self.exists(Occurrence, Occurrence.status == "scheduled")

    def has_cancelled_dates(self):
        return self.exists(Occurrence, Occurrence.status == "cancelled")

    def has_bookings(self):
        return self.exists(RoomBooking)

    def has_pending(self):
        return self.exists(RoomBooking, RoomBooking.status == "pending")

    def has_activities(self):
        return self.exists(Activity, Activity.status == "active")

    # The steps.

    @rule(organisation=st.integers(0, 2), room=st.integers(0, 1), slot=SLOTS,
          weeks=st.integers(1, 2))
    def request_room(self, organisation, room, slot, weeks):
        day, start, end = self.when(slot)
        org_id = self.organisation_ids[organisation]
        self.attempt("request", lambda: request_booking(
            self.room(room), db.session.get(Organisation, org_id),
            weekly_periods(day, start, end, count=weeks), self.member_of(org_id),
            purpose="Styrelsemöte"))

    @precondition(lambda self: self.has_scheduled_dates())
    @rule(date=PICK, room=st.integers(0, 1))
    def request_room_for_a_date(self, date, room):
        occurrence = self.pick(Occurrence, date, Occurrence.status == "scheduled")
        if occurrence is None:
            return
        activity = occurrence.activity
        self.attempt("request for a date", lambda: request_booking(
            self.room(room), activity.organisation,
            [(occurrence.starts_at, occurrence.ends_at)],
            self.member_of(activity.organisation_id), activity=activity))

    @precondition(lambda self: self.has_pending())
    @rule(booking=PICK)
    def approve(self, booking):
        chosen = self.pick(RoomBooking, booking, RoomBooking.status == "pending")
        if chosen is not None:
            self.attempt("approve", lambda: approve_booking(chosen, self.coordinator))

    @precondition(lambda self: self.has_bookings())
    @rule(booking=PICK)
    def approve_anything(self, booking):
        """Approving what has been decided already is refused, never a second use."""
        chosen = self.pick(RoomBooking, booking)
        if chosen is not None:
            self.attempt("approve any", lambda: approve_booking(chosen, self.coordinator))

    @precondition(lambda self: self.has_pending())
    @rule(booking=PICK)
    def reject(self, booking):
        chosen = self.pick(RoomBooking, booking, RoomBooking.status == "pending")
        if chosen is not None:
            self.attempt("reject", lambda: reject_booking(chosen, "Lokalen behövs till annat.",
                                                          self.coordinator))

    @precondition(lambda self: self.has_bookings())
    @rule(booking=PICK)
    def reject_anything(self, booking):
        """Rejecting what has been decided already (an approved booking) is refused."""
        chosen = self.pick(RoomBooking, booking)
        if chosen is not None:
            self.attempt("reject any", lambda: reject_booking(
                chosen, "Lokalen behövs till annat.", self.coordinator))

    @precondition(lambda self: self.has_bookings())
    @rule(booking=PICK)
    def cancel_a_booking(self, booking):
        chosen = self.pick(RoomBooking, booking)
        if chosen is not None:
            self.attempt("cancel booking", lambda: cancel_booking(
                chosen, self.member_of(chosen.organisation_id)))

    @rule(organisation=st.integers(0, 2), room=st.sampled_from((0, 1, None, None)), slot=SLOTS,
          weekly=st.booleans())
    def create_activity_in_a_room(self, organisation, room, slot, weekly):
        day, start, end = self.when(slot)
        data = {"title": f"Språkcafé {organisation}{slot}", "recurrence":
                "weekly" if weekly else "once", "starts_on": day, "start_time": start,
                "end_time": end, "weekdays": [day.weekday()], "count": 2 if weekly else None,
                "until": None, "room_id": None if room is None else self.room_ids[room]}
        org = db.session.get(Organisation, self.organisation_ids[organisation])
        self.attempt("create activity", lambda: create_activity(org, data, self.coordinator))

    @precondition(lambda self: self.has_scheduled_dates())
    @rule(date=PICK, slot=SLOTS)
    def move_a_date(self, date, slot):
        occurrence = self.pick(Occurrence, date, Occurrence.status == "scheduled")
        if occurrence is None:
            return
        day, start, end = self.when(slot)
        self.attempt("move date", lambda: move_occurrence(occurrence, day, start, end,
                                                          self.coordinator))

    @precondition(lambda self: self.has_scheduled_dates())
    @rule(date=PICK)
    def cancel_a_date(self, date):
        occurrence = self.pick(Occurrence, date, Occurrence.status == "scheduled")
        if occurrence is not None:
            self.attempt("cancel date", lambda: cancel_occurrence(
                occurrence, "Ledaren är sjuk.", self.coordinator))

    @precondition(lambda self: self.has_cancelled_dates())
    @rule(date=PICK)
    def restore_a_date(self, date):
        occurrence = self.pick(Occurrence, date, Occurrence.status == "cancelled")
        if occurrence is not None:
            self.attempt("restore date", lambda: restore_occurrence(occurrence,
                                                                    self.coordinator))

    @precondition(lambda self: self.has_activities())
    @rule(activity=PICK, quarter=QUARTERS, minutes=LENGTHS,
          room=st.sampled_from(("same", 0, 1, None)))
    def retime_a_series(self, activity, quarter, minutes, room):
        chosen = self.pick(Activity, activity, Activity.status == "active")
        if chosen is None:
            return
        start, end = clock_times(quarter, minutes)
        data = {"title": chosen.title, "recurrence": chosen.recurrence,
                "starts_on": chosen.starts_on, "start_time": start, "end_time": end,
                "weekdays": list(chosen.weekday_list), "count": chosen.count,
                "until": chosen.until}
        if room != "same":
            data["room_id"] = None if room is None else self.room_ids[room]
        self.attempt("retime series", lambda: update_activity(
            chosen, data, self.coordinator, confirmed=True))

    @precondition(lambda self: self.has_activities())
    @rule(activity=PICK)
    def end_a_series(self, activity):
        chosen = self.pick(Activity, activity, Activity.status == "active")
        if chosen is not None:
            self.attempt("end series", lambda: end_activity(chosen, self.coordinator))

    @invariant()
    def no_room_is_used_twice_at_once(self):
        assert_rooms_hold()


def test_random_sequences_never_use_a_room_twice_at_once(app):
    RoomUseMachine.outcomes = Counter()
    # A failure prints its whole sequence of steps. Shrinking it to the shortest takes
    # minutes here (each example builds its own organisations and rooms): add
    # Phase.shrink to `phases` when you want that.
    run_state_machine_as_test(RoomUseMachine, settings=settings(
        max_examples=40, stateful_step_count=20, deadline=None, database=None,
        derandomize=True, suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.reuse, Phase.generate)))
    done = {step for (step, outcome) in RoomUseMachine.outcomes if outcome == "done"}
    refused = {step for (step, outcome) in RoomUseMachine.outcomes if outcome == "refused"}
    # The sequences did reach every kind of change, and were refused some of them.
    assert {"request", "request for a date", "approve", "reject", "cancel booking",
            "create activity", "move date", "cancel date", "restore date",
            "retime series", "end series"} <= done, RoomUseMachine.outcomes
    assert {"approve any", "reject any", "create activity", "move date"} <= refused, \
        RoomUseMachine.outcomes


# ------------------------------------------------------------------ the same slot, at once

PAIRS = 12


def racing_pairs(factories):
    """PAIRS days; on each, a date of one organisation in Stora salen at 18–19 and
    another organisation's request for the room at 12–13. Each date is then moved to
    12–13 (the same time) or 13:05–14 (inside the room's 15 minutes after the booking)
    while the request is approved: [(date id, booking id, day, start, end)]."""
    org, other = factories.organisation(), factories.organisation()
    venue = factories.venue(rooms=[("Stora salen", 40)])
    room = venue.rooms[0]
    room.buffer_minutes = 15
    coordinator = User(email="samordnare@example.se", role="staff")
    db.session.add(coordinator)
    db.session.commit()
    pairs = []
    for i in range(PAIRS):
        day = first_monday() + timedelta(days=i)
        activity = create_activity(org, {
            "title": f"Läxhjälp {i}", "recurrence": "once", "starts_on": day,
            "start_time": time(18), "end_time": time(19), "room_id": room.id}, coordinator)
        [booking], failed = request_booking(
            room, other, [(combine_local(day, time(12)), combine_local(day, time(13)))], None,
            purpose="Styrelsemöte")
        assert not failed
        db.session.commit()
        start, end = (time(12), time(13)) if i % 2 else (time(13, 5), time(14))
        pairs.append((activity.occurrences[0].id, booking.id, day, start, end))
    return pairs, coordinator


def assert_exactly_one_won(pairs, outcomes):
    """Per pair: one change won, the other was refused with the error its page shows;
    the date and the booking are where the winner put them."""
    db.session.expire_all()
    for date_id, booking_id, day, start, end in pairs:
        moved, approved = outcomes[date_id, "move"], outcomes[booking_id, "approve"]
        assert sorted([moved, approved]) in (["refused ActivityError", "won"],
                                             ["refused BookingConflict", "won"]), \
            (day, moved, approved)
        assert (moved == "won") == (approved == "refused BookingConflict")
        date, booking = db.session.get(Occurrence, date_id), db.session.get(RoomBooking,
                                                                             booking_id)
        if moved == "won":
            assert (date.starts_at, booking.status) == (combine_local(day, start), "pending")
        else:
            assert (date.starts_at, booking.status) == (combine_local(day, time(18)),
                                                        "approved")
    assert_rooms_hold()


@pytest.mark.app_config(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 2 * PAIRS + 5,
                                                   "max_overflow": 0})
def test_a_date_moved_into_a_slot_while_it_is_approved_from_threads(app, factories):
    from tests.room_use_worker import make_change
    pairs, coordinator = racing_pairs(factories)
    coordinator_id = coordinator.id
    changes = [(date_id, "move", f"move:{date_id}:{day}:{start:%H%M}:{end:%H%M}")
               for date_id, _, day, start, end in pairs]
    changes += [(booking_id, "approve", f"approve:{booking_id}")
                for _, booking_id, _, _, _ in pairs]
    outcomes = {}
    start_together = threading.Barrier(len(changes))

    def change(key, kind, what):
        with app.app_context():
            try:
                by_user = db.session.get(User, coordinator_id)
                db.session.rollback()
                start_together.wait(timeout=60)
                outcomes[key, kind] = make_change(what, by_user)
            except Exception as error:  # anything else is the failure to report
                outcomes[key, kind] = repr(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=change, args=c) for c in changes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(outcomes) == 2 * PAIRS, outcomes
    assert_exactly_one_won(pairs, outcomes)


def test_a_date_moved_into_a_slot_while_it_is_approved_from_two_processes(app, factories):
    pairs, _ = racing_pairs(factories)
    moves = [f"move:{date_id}:{day}:{start:%H%M}:{end:%H%M}"
             for date_id, _, day, start, end in pairs]
    approvals = [f"approve:{booking_id}" for _, booking_id, _, _, _ in pairs]
    start_at = str(clock.time() + 4)  # both processes loaded and waiting by then
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    processes = [subprocess.Popen(
        [sys.executable, "-m", "tests.room_use_worker", app.config["SQLALCHEMY_DATABASE_URI"],
         start_at, *changes], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for changes in (moves, approvals)]
    outcomes = {}
    for process in processes:
        out, _ = process.communicate(timeout=180)
        assert process.returncode == 0
        for line in out.splitlines():
            change, outcome = line.split(" ", 1)
            kind, key = change.split(":")[:2]
            outcomes[int(key), kind] = outcome
    assert len(outcomes) == 2 * PAIRS, outcomes
    assert_exactly_one_won(pairs, outcomes)


# ------------------------------------------------------------------ cases found on the way

def _booked_date(factories, weekly=False):
    """An activity without a room of its own whose first date holds Stora salen by an
    approved booking."""
    org = factories.organisation()
    venue = factories.venue(rooms=[("Stora salen", 40)])
    room = venue.rooms[0]
    coordinator = User(email="samordnare@example.se", role="staff")
    db.session.add(coordinator)
    db.session.commit()
    day = first_monday()
    activity = create_activity(org, {
        "title": "Läxhjälp", "recurrence": "weekly" if weekly else "once", "starts_on": day,
        "start_time": time(10), "end_time": time(11), "weekdays": [day.weekday()],
        "count": 2 if weekly else None, "until": None}, coordinator)
    db.session.commit()
    date = activity.occurrences[0] if not weekly else min(activity.occurrences,
                                                          key=lambda o: o.starts_at)
    [booking], _ = request_booking(room, org, [(date.starts_at, date.ends_at)], None,
                                   activity=activity)
    approve_booking(booking, coordinator)
    db.session.commit()
    return activity, date, booking, room, coordinator


def test_a_date_restored_after_its_series_was_retimed_keeps_its_booking_at_its_time(
        factories):
    activity, date, booking, room, coordinator = _booked_date(factories, weekly=True)
    cancel_occurrence(date, "Ledaren är sjuk.", coordinator)
    db.session.commit()
    update_activity(activity, {
        "title": activity.title, "recurrence": "weekly", "starts_on": activity.starts_on,
        "start_time": time(12), "end_time": time(13), "weekdays": [activity.starts_on.weekday()],
        "count": 2, "until": None}, coordinator, confirmed=True)
    db.session.commit()
    restore_occurrence(date, coordinator)
    db.session.commit()
    db.session.refresh(date)
    db.session.refresh(booking)
    assert (date.status, date.room_id) == ("scheduled", room.id)
    assert booking.status == "approved"
    assert (booking.starts_at, booking.ends_at) == (date.starts_at, date.ends_at)
    assert_rooms_hold()


def test_a_date_held_in_one_room_is_not_left_approved_there_when_booked_elsewhere(
        factories):
    activity, date, booking, room, coordinator = _booked_date(factories)
    other = Room(venue=room.venue, name="Grupprum", capacity=8, requires_approval=False)
    db.session.add(other)
    db.session.commit()
    request_booking(other, activity.organisation, [(date.starts_at, date.ends_at)], None,
                    activity=activity)
    db.session.commit()
    db.session.expire_all()
    # Either the second request was refused (the date has a room) or the first booking
    # gave the date up: no booking shows as approved for a room its date is not in.
    assert approved_bookings_not_holding_their_date() == []
