"""Attendance as people come: ticking who came and counting walk-ins on the roster
sets the date's count; the personal-data purge keeps it."""

from datetime import timedelta

import pytest

from directory.common.time import utcnow
from directory.extensions import db
from directory.signups.models import Signup


@pytest.fixture
def occ(factories):
    activity = factories.activity(title="Läxhjälp", registration_required=True,
                                  default_capacity=2)
    return next(o for o in activity.occurrences if o.starts_at > utcnow())


def _rows(occ):
    db.session.expire_all()
    return db.session.scalars(db.select(Signup).where(Signup.occurrence_id == occ.id)
                              .order_by(Signup.id)).all()


def test_ticking_and_walk_ins_set_the_count_and_the_purge_keeps_it(app, client, factories,
                                                                   occ, auth):
    for name in ("Amina", "Bashir", "Carin"):
        factories.signup(occ, name, f"{name.lower()}@example.se")
    amina, bashir, carin = _rows(occ)
    assert carin.status == "waitlisted"
    factories.user(email="a@example.se", organisation=occ.activity.organisation)
    auth.login("a@example.se")
    page = client.get(f"/manage/occurrences/{occ.id}/signups").get_data(as_text=True)
    assert f'name="came-{amina.id}"' in page and 'name="att-walk_ins"' in page

    response = client.post(f"/manage/occurrences/{occ.id}/signups", data={
        "form": "came", f"came-{amina.id}": "1", f"came-{carin.id}": "1",
        "att-walk_ins": "4"})
    assert response.status_code == 303
    db.session.refresh(occ)
    assert (occ.attended_count, occ.walk_in_count) == (6, 4)
    assert [s.attended for s in _rows(occ)] == [True, False, True]

    # Unticking one and fewer walk-ins: the count follows.
    client.post(f"/manage/occurrences/{occ.id}/signups", data={
        "form": "came", f"came-{amina.id}": "1", "att-walk_ins": "1"})
    db.session.refresh(occ)
    assert (occ.attended_count, occ.walk_in_count) == (2, 1)
    page = client.get(f"/manage/occurrences/{occ.id}/signups").get_data(as_text=True)
    assert f'name="came-{amina.id}" value="1" checked' in page

    # A wrong number of walk-ins changes nothing.
    bad = client.post(f"/manage/occurrences/{occ.id}/signups", data={
        "form": "came", "att-walk_ins": "-3"})
    assert bad.status_code == 422
    db.session.refresh(occ)
    assert occ.attended_count == 2

    # The date is long past: the purge erases names, never the counts or the marks.
    length = occ.ends_at - occ.starts_at
    occ.ends_at = utcnow() - timedelta(days=40)
    occ.starts_at = occ.ends_at - length
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge-personal-data"])
    assert result.exit_code == 0
    db.session.expire_all()
    assert all(s.name is None for s in _rows(occ))
    assert [s.attended for s in _rows(occ)] == [True, False, False]
    assert (occ.attended_count, occ.walk_in_count) == (2, 1)


def test_another_organisations_member_cannot_tick(client, factories, occ, auth):
    factories.signup(occ, "Amina", "amina@example.se")
    other = factories.organisation(name="Annan förening")
    factories.user(email="b@example.se", organisation=other)
    auth.login("b@example.se")
    response = client.post(f"/manage/occurrences/{occ.id}/signups",
                           data={"form": "came", "att-walk_ins": "5"})
    assert response.status_code == 404
    db.session.refresh(occ)
    assert occ.attended_count is None
