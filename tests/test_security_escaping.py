"""What people type comes back as text, never as markup: in notices built from
translated messages, and in the reasons a room cannot be used."""

from datetime import time, timedelta

from directory.common.time import local_today
from directory.extensions import db
from tests.conftest import next_weekday


def test_a_typed_date_or_venue_in_a_notice_is_shown_as_text(client):
    page = client.get("/activities?from=<b>x</b>&venue=<i>y</i>").get_data(as_text=True)
    assert "<b>x</b>" not in page and "<i>y</i>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "&lt;i&gt;y&lt;/i&gt;" in page


def test_a_name_in_the_reasons_a_room_is_taken_is_shown_as_text(client, factories, auth):
    venue = factories.venue(rooms=[("Stora salen", 40)])
    room = venue.rooms[0]
    room.min_notice_hours = 1
    other = factories.organisation(name="<script>alert(1)</script> Förening")
    day = next_weekday(3, local_today() + timedelta(days=2))
    factories.activity(other, title="<img src=x onerror=alert(2)>", room=room,
                       starts_on=day, weekdays="3", start_time=time(14),
                       end_time=time(16), until=day + timedelta(days=1))
    org = factories.organisation(name="Läxhjälpen")
    factories.user(email="a@example.se", organisation=org)
    auth.login("a@example.se")
    page = client.post(f"/manage/organisations/{org.slug}/bookings", data={
        "room": str(room.id), "day": day.isoformat(), "start_time": "15:00",
        "end_time": "17:00", "activity": "0", "action": "check"}).get_data(as_text=True)
    assert "The room is in use then:" in page
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Förening" in page
    db.session.rollback()
