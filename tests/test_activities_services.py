"""Occurrences are materialised from the schedule, in Stockholm time, on both databases."""

from datetime import date, time

from directory.activities.models import Occurrence
from directory.activities.materialising import materialise_occurrences
from directory.common.time import to_local
from directory.extensions import db
from directory.organisations.services import valid_org_number


def test_weekly_activity_keeps_local_time_in_the_database_across_summer_time(factories):
    activity = factories.activity(starts_on=date(2026, 3, 3), until=date(2026, 11, 24),
                                  start_time=time(17), end_time=time(18, 30))
    db.session.expire_all()
    stored = db.session.scalars(db.select(Occurrence).where(
        Occurrence.activity_id == activity.id).order_by(Occurrence.starts_at)).all()
    assert len(stored) == 39
    assert {(to_local(o.starts_at).hour, to_local(o.starts_at).minute) for o in stored} == \
        {(17, 0)}
    assert {to_local(o.starts_at).weekday() for o in stored} == {1}
    assert all(o.starts_at.tzinfo is not None for o in stored)
    offsets = {to_local(o.starts_at).utcoffset().total_seconds() / 3600 for o in stored}
    assert offsets == {1.0, 2.0}


def test_materialising_again_adds_nothing_and_keeps_changed_dates(factories):
    activity = factories.activity()
    count = activity.occurrences.count()
    first = activity.occurrences.first()
    first.status = "cancelled"
    db.session.commit()
    assert materialise_occurrences(activity, date(2027, 12, 31)) == 0
    assert activity.occurrences.count() == count
    assert db.session.get(Occurrence, first.id).status == "cancelled"


def test_organisation_number_check_digit():
    assert valid_org_number("802000-1908")  # a valid Luhn number
    assert valid_org_number("8020001908")
    assert not valid_org_number("802000-1907")
    assert not valid_org_number("12345")
    assert not valid_org_number("abcdef-ghij")
