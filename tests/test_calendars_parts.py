"""Feeds from parts: each series' VEVENTs are written once per change and kept, so a feed
is assembled; the assembled bytes are the bytes written whole, an edit writes only the
series it touched again, and no change to what a VEVENT shows leaves a kept part stale."""

import random
from datetime import timedelta

import icalendar
import pytest
from sqlalchemy import update

from directory.activities.models import Activity
from directory.calendars.ical import organizer_line
from directory.calendars.lines import VEvent, event_bytes, library_lines
from directory.calendars.parts import forget_kept_blocks
from directory.common.caching import cache
from directory.common.time import local_today, to_local, utcnow
from directory.extensions import db
from directory.taxonomy.models import FocusArea
from directory.venues.management import ROOM_FIELDS, save_room


def kept_parts():
    return {key for key in cache.cache._cache if key.startswith("feed-part:")}


def forget_parts():
    """Nothing kept, in this process or the response cache: the next feed is written
    whole."""
    cache.clear()
    forget_kept_blocks()


def test_a_feed_from_kept_parts_equals_the_feed_written_whole(client, factories):
    org = factories.organisation(name="Läxhjälpen")
    first = factories.activity(org, title="Läxhjälp")
    factories.activity(org, title="Språkcafé")
    factories.activity(org, title="Stickcafé")
    path = f"/organisations/{org.slug}/calendar.ics"
    assembled = client.get(path).data
    assert len(kept_parts()) == 3
    forget_parts()
    assert client.get(path).data == assembled  # written whole again: the same bytes

    before = kept_parts()
    first.title = "Läxhjälp för alla"
    db.session.commit()
    changed = client.get(path).data
    assert "SUMMARY:Läxhjälp för alla".encode() in changed
    assert "SUMMARY:Stickcafé".encode() in changed
    assert len(kept_parts() - before) == 1  # only the edited series was written again
    forget_parts()
    assert client.get(path).data == changed


@pytest.fixture
def world(factories):
    org = factories.organisation(name="Läxhjälpen Gårdsten", email="info@example.se")
    venue = factories.venue(rooms=[("Stora salen", 40), ("Lilla salen", 10)])
    series = factories.activity(org, title="Läxhjälp", room=venue.rooms[0],
                                focus=["utbildning"],
                                starts_on=local_today() - timedelta(days=20),
                                until=local_today() + timedelta(days=200))
    for occ in series.occurrences:
        occ.room = venue.rooms[0]
    other = factories.activity(org, title="Stickcafé")
    staff = factories.user("samordnare@example.se", role="staff")
    # Everything was written a while ago, so a change now is a later moment.
    earlier = utcnow() - timedelta(minutes=5)
    for row in [org, venue, series, other, *series.occurrences, *other.occurrences]:
        row.updated_at = earlier
    db.session.commit()
    # After the dates' rooms: what the database set for them.
    db.session.execute(update(Activity).where(Activity.id.in_([series.id, other.id]))
                       .values(updated_at=earlier, parts_changed_at=earlier))
    db.session.commit()
    coming = [o for o in series.occurrences if o.starts_at > utcnow() + timedelta(days=3)]
    return {"org": org, "venue": venue, "series": series, "staff": staff,
            "coming": coming}


def _rename_room(world, name, through_service):
    venue = world["venue"]
    room = venue.rooms[0]
    if through_service:
        data = {field: getattr(room, field) for field in ROOM_FIELDS}
        save_room(venue, {**data, "name": name}, world["staff"], room)
    else:
        room.name = name


def _move_date(occ):
    occ.move(occ.starts_at + timedelta(hours=1), occ.ends_at + timedelta(hours=1))


def _focus_area(slug):
    return db.session.scalar(db.select(FocusArea).filter_by(slug=slug))


# (what changes, how, a text the feed then shows (None: only that it differs))
CHANGES = [
    ("title", lambda w: setattr(w["series"], "title", "Läxhjälp för alla"),
     "SUMMARY:Läxhjälp för alla"),
    ("description", lambda w: setattr(w["series"], "description", "Ta med böckerna."),
     "DESCRIPTION:Ta med böckerna."),
    ("translation", lambda w: setattr(w["series"], "translations",
                                      {"en": {"title": "Homework help"}}),
     "SUMMARY:Homework help"),
    ("start time", lambda w: setattr(w["series"], "start_time",
                                     w["series"].start_time.replace(hour=16)), None),
    ("moved date", lambda w: _move_date(w["coming"][1]), "RECURRENCE-ID"),
    ("cancelled date", lambda w: w["coming"][0].cancel("Sjuk"), "EXDATE"),
    ("removed date", lambda w: db.session.delete(w["coming"][2]), "EXDATE"),
    ("date in another room", lambda w: setattr(w["coming"][3], "room",
                                               w["venue"].rooms[1]), "Lilla salen"),
    ("room renamed by its form", lambda w: _rename_room(w, "Salen", True),
     "LOCATION:Mötesplats Kemistvägen\\, Salen"),
    ("room renamed by any path", lambda w: _rename_room(w, "Salen", False),
     "LOCATION:Mötesplats Kemistvägen\\, Salen"),
    ("venue name", lambda w: setattr(w["venue"], "name", "Gårdstensgården"),
     "LOCATION:Gårdstensgården"),
    ("venue translation", lambda w: setattr(w["venue"], "translations",
                                            {"en": {"name": "Gardsten House"}}),
     "LOCATION:Gardsten House"),
    ("organisation name", lambda w: setattr(w["org"], "name", "Läxhjälpen i Gårdsten"),
     "CN=\"Läxhjälpen i Gårdsten\""),
    ("organisation translation", lambda w: setattr(w["org"], "translations",
                                                   {"en": {"name": "Homework Club"}}),
     "CN=\"Homework Club\""),
    ("focus area renamed", lambda w: setattr(_focus_area("utbildning"), "names",
                                             {"en": "Learning"}), "CATEGORIES:Learning"),
    ("focus area added", lambda w: w["series"].focus_areas.append(_focus_area("halsa")),
     "Health"),
]


@pytest.mark.parametrize("what,change,shown", CHANGES, ids=[c[0] for c in CHANGES])
def test_every_change_to_what_a_vevent_shows_writes_its_part_again(client, world, what,
                                                                   change, shown):
    paths = [f"/organisations/{world['org'].slug}/calendar.ics",
             f"/venues/{world['venue'].slug}/calendar.ics"]
    before = {path: client.get(path).data for path in paths}
    assert kept_parts()
    change(world)
    db.session.commit()
    for path in paths:
        after = client.get(path).data
        assert after != before[path], (what, path)
        if shown is not None and "organisations" in path:
            assert shown.encode() in after, (what, path)
        forget_parts()  # nothing kept: the feed written whole is the same
        assert client.get(path).data == after, (what, path)


def test_the_feeds_language_is_part_of_every_kept_part(client, world):
    world["series"].translations = {"en": {"title": "Homework help"},
                                    "ar": {"title": "مساعدة في الواجبات"}}
    db.session.commit()
    path = f"/organisations/{world['org'].slug}/calendar.ics"
    answers = {lang: client.get(path, headers={"Accept-Language": lang}).data
               for lang in ("sv", "en", "ar")}
    assert "SUMMARY:Läxhjälp".encode() in answers["sv"]
    assert b"SUMMARY:Homework help" in answers["en"]
    assert "SUMMARY:مساعدة في الواجبات".encode() in answers["ar"]
    forget_parts()
    for lang, body in answers.items():
        assert client.get(path, headers={"Accept-Language": lang}).data == body, lang


def test_folded_lines_are_the_icalendar_librarys():
    """Long lines, multibyte characters and escapes at the fold: the bytes the icalendar
    library writes."""
    rnd = random.Random(18)
    letters = "abc åäöÅ\\^,;:\n\"€😀مرحبا" + "x" * 10
    for _ in range(2000):
        event = icalendar.Event()
        event.add("summary", "".join(rnd.choice(letters) for _ in range(rnd.randint(0, 300))))
        event.add("organizer", "mailto:info@example.se", parameters={
            "CN": "".join(rnd.choice("ab åä^\\,x") for _ in range(rnd.randint(0, 90)))})
        assert event_bytes(event) == event.to_ical()


def test_hand_written_lines_are_the_icalendar_librarys():
    """Times, numbers and names written by hand: the bytes of the same event built with
    the icalendar library."""
    rnd = random.Random(5545)
    letters = "ab,;:\\\n\r^\"åä😀 "
    for _ in range(500):
        uid = "".join(rnd.choice(letters) for _ in range(rnd.randint(1, 120)))
        start = utcnow() + timedelta(days=rnd.randint(-400, 400),
                                     minutes=rnd.randint(0, 9999))
        moments = [start + timedelta(weeks=i) for i in range(rnd.randint(1, 12))]
        library = icalendar.Event()
        library.add("summary", uid)
        library.add("uid", uid)
        library.add("dtstart", to_local(start).replace(tzinfo=None),
                    parameters={"TZID": "Europe/Stockholm"})
        library.add("exdate", [to_local(m).replace(tzinfo=None) for m in moments],
                    parameters={"TZID": "Europe/Stockholm"})
        library.add("sequence", rnd.randint(0, 99))
        library.add("dtstamp", start)
        ours = VEvent(library_lines(_only(library, "SUMMARY")))
        ours.text("UID", uid)
        ours.local("DTSTART", start)
        ours.local("EXDATE", *moments)
        ours.number("SEQUENCE", library["SEQUENCE"])
        ours.utc("DTSTAMP", start)
        assert event_bytes(ours) == library.to_ical()


def test_an_events_texts_are_the_icalendar_librarys():
    """The summary, description, place, link, categories and organiser of an event
    (calendars.ical._describe) written by hand: the bytes the icalendar library writes
    of the same values."""
    rnd = random.Random(6868)
    letters = "ab,;:\\\n\r^\"'’åä😀 مرحبا" + "x" * 8

    def text(most):
        return "".join(rnd.choice(letters) for _ in range(rnd.randint(0, most)))
    for _ in range(500):
        summary, description, location = text(90) or "x", text(400), text(90)
        latitude, longitude = rnd.uniform(-90, 90), round(rnd.uniform(-180, 180), 6)
        url = f"https://samverkan.example/activities/{rnd.randint(1, 10 ** 6)}"
        categories = [text(30) for _ in range(rnd.randint(1, 4))]
        email, name = f"info{rnd.randint(1, 99)}@example.se", text(60)
        library = icalendar.Event()
        ours = VEvent()
        for key, value in (("summary", summary), ("description", description),
                           ("location", location)):
            if value:
                library.add(key, value)
                ours.text(key.upper(), value)
        library.add("geo", (latitude, longitude))
        ours.value("GEO", f"{latitude};{longitude}")
        library.add("url", url)
        ours.value("URL", url)
        library.add("categories", categories)
        ours.texts("CATEGORIES", categories)
        library.add("organizer", f"mailto:{email}", parameters={"CN": name})
        ours.lines["ORGANIZER"] = organizer_line(email, name)
        assert event_bytes(ours) == library.to_ical()


def _only(event, name):
    """A library event with just one of `event`'s properties."""
    one = icalendar.Event()
    one[name] = event[name]
    return one


def test_a_meeting_places_feed_leaves_out_an_organisation_not_public_until_it_is_again(
        client, factories):
    """A meeting place's feed covers every activity with a date there, whatever its
    organisation; only those of public organisations are shown (and kept parts of the
    others are never assembled into it)."""
    venue = factories.venue()
    room = venue.rooms[0]
    lapsing = factories.organisation(name="Läxhjälpen")
    for org, title, weekday in ((factories.organisation(name="Språkvänner"), "Språkcafé",
                                 "1"), (lapsing, "Läxhjälp", "3")):
        activity = factories.activity(org, title=title, room=room, weekdays=weekday)
        for occ in activity.occurrences:
            occ.room = room
    db.session.commit()
    path = f"/venues/{venue.slug}/calendar.ics"
    both = client.get(path)
    assert b"SUMMARY:Spr" in both.data and b"SUMMARY:L\xc3\xa4xhj\xc3\xa4lp" in both.data

    lapsing.lapsed_at = utcnow()
    db.session.commit()
    one = client.get(path, headers={"If-None-Match": both.headers["ETag"]})
    assert one.status_code == 200
    assert b"SUMMARY:Spr" in one.data and b"SUMMARY:L\xc3\xa4xhj\xc3\xa4lp" not in one.data

    lapsing.lapsed_at = None
    db.session.commit()
    assert client.get(path).data == both.data
