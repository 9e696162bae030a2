"""The API reads its dates as plain rows (activities.listed); what it says of each date
agrees with the loaded models the pages render: title and names in the reader's
language, places left, capacity, spoken languages, tags, place, a cancellation."""

import json
from datetime import time

import pytest
from flask import url_for

from directory.activities.models import Occurrence
from directory.activities.places import place_line
from directory.common.i18n import said
from directory.common.time import utcnow
from directory.extensions import db
from directory.taxonomy.models import FocusArea
from tests.factories import make_signup


@pytest.fixture
def dates(factories):
    org = factories.organisation(name="Kvinnors nätverk",
                                 translations={"ar": {"name": "شبكة النساء"}})
    venue = factories.venue(translations={"ar": {"name": "ملتقى كيميستفيغن"}})
    in_room = factories.activity(org, title="Språkcafé", room=venue.rooms[0],
                                 translations={"ar": {"title": "مقهى اللغة"}},
                                 registration_required=True, default_capacity=3,
                                 focus=["arbete", "utbildning"], targets=["vuxna"],
                                 languages=["sv", "ar", "so"], weekdays="2")
    factories.activity(org, title="Läxhjälp", weekdays="3", start_time=time(16),
                       end_time=time(17), street_address="Storgatan 1", city="Täby",
                       postal_code=None)
    coming = in_room.occurrences.filter(Occurrence.starts_at > utcnow())
    first = coming.first()
    for name in ("Amina", "Hodan"):
        make_signup(first, name=name, contact=f"{name.lower()}@example.se")
    second = coming.offset(1).first()
    second.capacity = 0
    third = coming.offset(2).first()
    third.status, third.cancel_reason = "cancelled", "The room is closed that day."
    db.session.commit()


@pytest.mark.parametrize("lang", ["sv", "ar", "en"])
def test_each_date_in_the_api_is_what_the_models_say(client, app, dates, lang):
    contents = client.get("/api/v1/occurrences?per_page=100",
                          headers={"Accept-Language": lang}).get_json()["contents"]
    assert len(contents) > 10
    with app.test_request_context(headers={"Accept-Language": lang}):
        for item in contents:
            occ = db.session.get(Occurrence, item["id"])
            act = occ.activity
            assert item["title"] == str(act.translated("title"))
            assert item["organization"]["name"] == str(act.organisation.translated("name"))
            assert item["seats_left"] == occ.seats_left
            assert item["capacity"] == (occ.effective_capacity
                                        if act.registration_required else None)
            assert item["languages"] == act.languages
            assert item["url"] == url_for("activities.occurrence", occurrence_id=occ.id,
                                          _external=True)
            assert item["focus_areas"] == [fa.slug for fa in act.focus_areas]
            assert item["target_groups"] == [tg.slug for tg in act.target_groups]
            assert item["cancel_reason"] == (said(occ.cancel_reason)
                                             if occ.is_cancelled else None)
            place = item["place"]
            if occ.room is not None:
                assert place["venue"] == occ.room.venue.slug
                assert ", ".join(p for p in (place["venue_name"], place["room"],
                                             place["address"]) if p) == place_line(act,
                                                                                   occ.room)
            else:
                assert place["venue"] is None and place["address"] == place_line(act, None)
    seats = {item["seats_left"] for item in contents if item["seats_left"] is not None}
    assert {0, 1, 3} <= seats  # two signed up of three, no places, none taken
    if lang == "ar":
        assert {"مقهى اللغة", "Läxhjälp"} <= {item["title"] for item in contents}
        assert any(item["place"]["venue_name"] == "ملتقى كيميستفيغن" for item in contents)


def test_one_date_reads_as_in_the_list(client, dates):
    listed = client.get("/api/v1/occurrences?per_page=5").get_json()["contents"]
    for item in listed:
        assert client.get(f"/api/v1/occurrences/{item['id']}").get_json() == item


def test_the_answer_is_utf8_json_with_sorted_keys(client, dates):
    """Text outside ASCII is written as it is (UTF-8), not escaped; keys in order."""
    answer = client.get("/api/v1/occurrences?per_page=100")
    assert answer.mimetype == "application/json"
    assert "Språkcafé".encode() in answer.data and b"\\u00e5" not in answer.data
    item = json.loads(answer.data.decode("utf-8"))["contents"][0]
    assert list(item) == sorted(item)


def test_tags_come_in_the_terms_order_and_a_new_term_at_once(client, factories):
    """An activity's focus areas and target groups are listed in the terms' order,
    whatever order they were given in; a term made since the last answer is in the
    next one (the terms are read again when the data changes)."""
    org = factories.organisation()
    activity = factories.activity(org, title="Samtal", focus=["barn-och-unga", "halsa", "arbete"],
                                  targets=["vuxna", "barn"])
    db.session.commit()

    def tags():
        item = client.get("/api/v1/occurrences?per_page=1").get_json()["contents"][0]
        return item["focus_areas"], item["target_groups"]

    assert tags() == (["arbete", "halsa", "barn-och-unga"], ["barn", "vuxna"])
    culture = FocusArea(slug="kultur", name="Kultur", position=-1)
    activity.focus_areas.append(culture)
    db.session.commit()
    assert tags() == (["kultur", "arbete", "halsa", "barn-och-unga"], ["barn", "vuxna"])
    activity.focus_areas.remove(culture)
    db.session.commit()
    assert tags() == (["arbete", "halsa", "barn-och-unga"], ["barn", "vuxna"])
