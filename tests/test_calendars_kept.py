"""What a process keeps of a feed (its blocks, its validators, which organisation a slug
names) is keyed by the data, never by time: a change made anywhere is in the next
answer of every process, and a feed with nothing in it still has validators."""

from datetime import timedelta

import requests
from sqlalchemy import update

from directory.activities.models import Activity
from directory.common.time import utcnow
from directory.extensions import db


def _written_earlier(*rows):
    """Everything was written a while ago, so a change now is a later second."""
    earlier = utcnow() - timedelta(minutes=5)
    for row in rows:
        row.updated_at = earlier
    db.session.commit()
    # After the dates' own changes: what the database set for them.
    ids = [row.id for row in rows if isinstance(row, Activity)]
    db.session.execute(update(Activity).where(Activity.id.in_(ids)).values(
        updated_at=earlier, parts_changed_at=earlier))
    db.session.commit()


def test_a_change_in_one_process_is_in_the_next_feed_of_another(app, factories,
                                                                server_processes):
    activity = factories.activity(title="Språkcafé")
    factories.activity(activity.organisation, title="Stickcafé")
    path = f"/organisations/{activity.organisation.slug}/calendar.ics"
    first, second = server_processes(2)
    for base in (first, second):  # both keep its blocks, validators and organisation
        for _ in range(2):
            assert "SUMMARY:Språkcafé" in requests.get(base + path, timeout=30).text
    db.session.get(Activity, activity.id).title = "Språkcafé för alla"
    db.session.commit()
    for base in (second, first):
        text = requests.get(base + path, timeout=30).text
        assert "SUMMARY:Språkcafé för alla" in text and "SUMMARY:Stickcafé" in text


def test_a_feed_with_nothing_in_it_has_validators_that_change(client, factories):
    org = factories.organisation(name="Nystartade föreningen")
    _written_earlier(org)
    path = f"/organisations/{org.slug}/calendar.ics"
    empty = client.get(path)
    assert empty.status_code == 200 and b"BEGIN:VEVENT" not in empty.data
    again = client.get(path, headers={"If-None-Match": empty.headers["ETag"]})
    assert again.status_code == 304
    factories.activity(org, title="Läxhjälp")
    changed = client.get(path, headers={"If-None-Match": empty.headers["ETag"]})
    assert changed.status_code == 200 and b"SUMMARY:L" in changed.data


def test_an_edit_moves_last_modified(client, factories):
    """A client that revalidates by date alone gets the edited feed, not a 304."""
    activity = factories.activity(title="Språkcafé")
    _written_earlier(activity.organisation, activity, *activity.occurrences)
    path = f"/organisations/{activity.organisation.slug}/calendar.ics"
    first = client.get(path)
    since = {"If-Modified-Since": first.headers["Last-Modified"]}
    assert client.get(path, headers=since).status_code == 304
    activity.title = "Språkcafé för alla"
    db.session.commit()
    edited = client.get(path, headers=since)
    assert edited.status_code == 200
    assert "SUMMARY:Språkcafé för alla" in edited.get_data(as_text=True)
    assert edited.headers["Last-Modified"] != first.headers["Last-Modified"]


def test_an_organisation_no_longer_public_has_no_feed(client, factories):
    org = factories.activity(title="Språkcafé").organisation
    path = f"/organisations/{org.slug}/calendar.ics"
    assert client.get(path).status_code == 200
    org.lapsed_at = utcnow()
    db.session.commit()
    assert client.get(path).status_code == 404


def test_an_organisations_feed_is_named_after_it_in_the_readers_language(client, factories):
    org = factories.organisation(name="Läxhjälpen Täby",
                                 translations={"en": {"name": "Homework Help Täby"}})
    factories.activity(org, title="Läxhjälp")
    path = f"/organisations/{org.slug}/calendar.ics"

    def name(lang):
        body = client.get(f"{path}?lang={lang}").get_data(as_text=True)
        return next(line for line in body.split("\r\n") if line.startswith("X-WR-CALNAME"))
    assert name("sv") == "X-WR-CALNAME:Läxhjälpen Täby"
    assert name("en") == "X-WR-CALNAME:Homework Help Täby"
    org.name = "Läxhjälpen i Täby"
    db.session.commit()
    assert name("sv") == "X-WR-CALNAME:Läxhjälpen i Täby"
