"""Organisation members create and change activities; nothing changes silently."""

from datetime import timedelta

from directory.activities.models import Activity, Occurrence
from directory.audit.models import AuditEvent
from directory.common.time import local_today, to_local, utcnow
from directory.extensions import db
from tests.conftest import AuthActions, next_weekday


def weekly_form(**overrides):
    first = next_weekday(1, local_today() + timedelta(days=1))
    data = {"title": "Läxhjälp i Täby", "description": "Ta med läxan.",
            "title_ar": "مساعدة في الواجبات", "languages": ["sv", "ar"],
            "recurrence": "weekly",
            "starts_on": first.isoformat(), "start_time": "17:00", "end_time": "18:30",
            "interval": "1", "weekdays": ["1"],
            "until": (first + timedelta(days=70)).isoformat(),
            "registration_required": "y", "default_capacity": "8",
            "street_address": "Storgatan 1", "city": "Täby", "action": "save"}
    data.update(overrides)
    return data


def member_client(client, factories):
    org = factories.organisation(name="Läxhjälpen Täby")
    factories.user(email="a@example.se", organisation=org)
    AuthActions(client).login("a@example.se")
    return org


def test_preview_shows_dates_without_saving_then_save_publishes(client, factories):
    org = member_client(client, factories)
    url = f"/manage/organisations/{org.slug}/activities/new"
    preview = client.post(url, data=weekly_form(action="preview"))
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Nothing is saved yet." in body
    assert body.count("<li><time") == 10
    assert db.session.scalar(db.select(db.func.count()).select_from(Activity)) == 0
    saved = client.post(url, data=weekly_form())
    assert saved.status_code == 303
    activity = db.session.scalar(db.select(Activity))
    dates = activity.occurrences.all()
    assert len(dates) == 11
    assert {(to_local(o.starts_at).weekday(), to_local(o.starts_at).hour) for o in dates} == \
        {(1, 17)}
    public = client.get("/activities?q=läxhjälp i täby").get_data(as_text=True)
    assert "Läxhjälp i Täby" in public
    assert "مساعدة في الواجبات" in client.get("/activities?q=täby&lang=ar"
                                              ).get_data(as_text=True)


def test_bad_schedules_get_messages_beside_the_fields_and_save_nothing(client, factories):
    org = member_client(client, factories)
    url = f"/manage/organisations/{org.slug}/activities/new"
    first = next_weekday(1, local_today() + timedelta(days=1))
    cases = {
        "The end must be after the start.": dict(end_time="16:00"),
        "The last date must be after the first.": dict(until=(first - timedelta(days=7))
                                                       .isoformat()),
        "A series can last at most one year.": dict(until=(first + timedelta(days=400))
                                                    .isoformat()),
        "Choose at least one weekday.": dict(weekdays=[]),
        "Say how many places there are.": dict(default_capacity=""),
        "The first date cannot be in the past.": dict(starts_on=(local_today() -
                                                                 timedelta(days=3))
                                                      .isoformat()),
        "Write a date as YYYY-MM-DD.": dict(starts_on="someday"),
        "Write a title.": dict(title=""),
    }
    for message, change in cases.items():
        response = client.post(url, data=weekly_form(**change))
        body = response.get_data(as_text=True)
        assert response.status_code == 422, message
        assert message in body, message
        assert 'value="Storgatan 1"' in body
    long_series = client.post(url, data=weekly_form(until="", count="500"))
    assert long_series.status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(Activity)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(Occurrence)) == 0


def test_cancel_and_move_one_date(client, factories):
    org = member_client(client, factories)
    activity = factories.activity(org)
    occ = next(o for o in activity.occurrences if o.starts_at > utcnow() + timedelta(days=1))
    refused = client.post(f"/manage/occurrences/{occ.id}/cancel", data={"reason": ""})
    assert refused.status_code == 422 and "Say why" in refused.get_data(as_text=True)
    client.post(f"/manage/occurrences/{occ.id}/cancel", data={"reason": "Höstlov"})
    db.session.refresh(occ)
    assert occ.status == "cancelled" and occ.sequence == 1
    page = client.get(f"/occurrences/{occ.id}").get_data(as_text=True)
    assert "Höstlov" in page
    client.post(f"/manage/occurrences/{occ.id}/restore")
    db.session.refresh(occ)
    assert occ.status == "scheduled"
    new_day = to_local(occ.starts_at).date() + timedelta(days=1)
    moved = client.post(f"/manage/occurrences/{occ.id}/move",
                        data={"day": new_day.isoformat(), "start_time": "18:00",
                              "end_time": "19:00"})
    assert moved.status_code == 303
    db.session.refresh(occ)
    assert to_local(occ.starts_at).date() == new_day and to_local(occ.starts_at).hour == 18
    assert occ.is_moved
    past = client.post(f"/manage/occurrences/{occ.id}/move",
                       data={"day": "2020-01-01", "start_time": "18:00", "end_time": "19:00"})
    assert past.status_code == 422


def test_editing_a_series_says_what_happens_to_dates_with_sign_ups(client, factories):
    org = member_client(client, factories)
    client.post(f"/manage/organisations/{org.slug}/activities/new", data=weekly_form())
    activity = db.session.scalar(db.select(Activity))
    dates = activity.occurrences.all()
    booked = dates[2]
    booked.confirmed_count = 3
    db.session.commit()
    to_thursday = weekly_form(weekdays=["3"])
    refused = client.post(f"/manage/activities/{activity.id}", data=to_thursday)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "1 date with sign-ups is cancelled and stays visible" in body
    assert db.session.get(Occurrence, booked.id).status == "scheduled"
    accepted = client.post(f"/manage/activities/{activity.id}",
                           data={**to_thursday, "confirm": "y"})
    assert accepted.status_code == 303
    db.session.expire_all()
    kept = db.session.get(Occurrence, booked.id)
    assert kept.status == "cancelled" and kept.confirmed_count == 3
    others = [o for o in activity.occurrences if o.id != booked.id]
    assert {to_local(o.starts_at).weekday() for o in others} == {3}


def test_changing_the_time_keeps_the_dates_and_their_sign_ups(client, factories):
    org = member_client(client, factories)
    client.post(f"/manage/organisations/{org.slug}/activities/new", data=weekly_form())
    activity = db.session.scalar(db.select(Activity))
    ids = [o.id for o in activity.occurrences]
    client.post(f"/manage/activities/{activity.id}",
                data=weekly_form(start_time="16:00", end_time="17:30"))
    db.session.expire_all()
    assert [o.id for o in activity.occurrences] == ids
    assert {to_local(o.starts_at).hour for o in activity.occurrences} == {16}
    assert all(o.sequence == 1 for o in activity.occurrences)


def test_end_activity_and_staff_changes_are_audited(client, factories, auth):
    org = factories.organisation()
    activity = factories.activity(org)
    factories.user(email="staff@example.se", role="staff")
    auth.login("staff@example.se")
    assert client.post(f"/manage/activities/{activity.id}/end").status_code == 303
    db.session.refresh(activity)
    assert activity.status == "ended"
    assert all(o.starts_at <= utcnow() for o in activity.occurrences)
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="activity.end"))
    assert event is not None and event.user.email == "staff@example.se"
