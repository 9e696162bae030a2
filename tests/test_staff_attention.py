"""What needs attention on the account page: a coordinator's counts within their scope,
each a link to the list it counts; a member's organisations' waiting and refused room
requests, full dates and waiting lists. One query per figure, however many rows."""

import re
from datetime import time, timedelta

import pytest
from sqlalchemy import event, update

from directory.common.time import local_today, utcnow
from directory.extensions import db
from directory.staff.attention import coordinator_attention, organisations_attention
from directory.venues.occupancy import RoomUse


def attention(page):
    """The text of the coordinator's 'What needs attention' list, with its links."""
    block = page.split('id="attention"', 1)[1].split("</ul>", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", block, re.S)
    return [(" ".join(re.sub(r"<[^>]+>", " ", i).split()),
             (re.findall(r'href="([^"]+)"', i) or [None])[0]) for i in items]


@pytest.fixture
def county(factories):
    """Täby: two registrations waiting, a listing not reviewed for 13 months, a fresh
    one, a request of two dates and one of one date, a room used twice at once next
    week. Göteborg: one registration and one request."""
    taby, goteborg = factories.municipality("taby"), factories.municipality("goteborg")
    now = utcnow()
    factories.organisation(name="Ny förening", status="pending")
    factories.organisation(name="Nyare förening", status="pending")
    old = factories.organisation(name="Gammal förening", created_at=now - timedelta(days=800))
    old.reviewed_at = now - timedelta(days=400)
    factories.organisation(name="Färsk förening", created_at=now - timedelta(days=800),
                           reviewed_at=now - timedelta(days=30))
    factories.organisation(name="Hisingens förening", status="pending", municipality=goteborg)
    venue = factories.venue(municipality=taby)
    angered = factories.venue(name="Angereds mötesplats", slug="angered",
                              municipality=goteborg)
    org = factories.organisation(name="Läxhjälpen")
    room = venue.rooms[0]
    day = local_today() + timedelta(days=10)
    factories.series(room, org, [day, day + timedelta(days=7)])
    factories.booking(room, org, day + timedelta(days=1))
    factories.booking(angered.rooms[0], org, day)
    first = factories.booking(room, org, day + timedelta(days=2), time(14), time(16),
                              status="approved", commit=False)
    second = factories.booking(room, org, day + timedelta(days=2), time(16), time(17),
                               status="approved", commit=False)
    db.session.execute(update(RoomUse).where(RoomUse.booking_id.in_([first.id, second.id]))
                       .values(legacy=True))
    db.session.execute(update(RoomUse).where(RoomUse.booking_id == second.id)
                       .values(starts_at=first.starts_at + timedelta(hours=1)))
    db.session.commit()
    return taby, goteborg, day + timedelta(days=2)


def test_a_county_coordinator_sees_every_count_with_its_link(client, auth, factories,
                                                              county):
    factories.user(email="lan@example.se", role="staff")
    auth.login("lan@example.se")
    week = "{}-W{:02d}".format(*county[2].isocalendar()[:2])
    assert attention(client.get("/account").get_data(as_text=True)) == [
        ("3 registrations to review", "/staff/organisations?status=pending"),
        ("3 room requests wait for a decision", "/staff/bookings"),
        ("1 time a room is used twice at once", f"/staff/schedule?week={week}"),
        ("1 listing not reviewed for a year",
         "/staff/organisations?status=verified&amp;stale=1"),
    ]
    stale = client.get("/staff/organisations?status=verified&stale=1").get_data(
        as_text=True)
    assert "Gammal förening" in stale and "Färsk förening" not in stale
    assert "Läxhjälpen" not in stale  # registered today
    verified = client.get("/staff/organisations?status=verified").get_data(as_text=True)
    assert "Färsk förening" in verified and "Gammal förening" in verified


def test_a_municipal_coordinator_counts_only_their_municipality(client, auth, factories,
                                                                county):
    taby, goteborg, _ = county
    factories.user(email="gbg@example.se", role="staff", municipality=goteborg)
    auth.login("gbg@example.se")
    assert [text for text, _ in attention(client.get("/account").get_data(
        as_text=True))] == ["1 registration to review", "1 room request waits for a decision",
                            "No room is used twice at once.",
                            "0 listings not reviewed for a year"]
    taby_figures = coordinator_attention(taby.id)
    assert (taby_figures.registrations, taby_figures.requests, taby_figures.request_dates,
            taby_figures.conflicts, taby_figures.stale) == (2, 2, 3, 1, 1)


def test_one_query_per_figure(app, factories, county):
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        coordinator_attention(None)
        assert len(statements) == 4
        statements.clear()
        orgs = [factories.organisation(name=f"Förening {i}") for i in range(5)]
        assert all(o.id for o in orgs)  # loaded after the factories' commits
        statements.clear()
        organisations_attention(orgs)
        assert len(statements) == 3
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_a_members_home_shows_requests_full_dates_and_waiting_lists(client, auth,
                                                                     factories):
    org = factories.organisation(name="Språkcafé Täby")
    other = factories.organisation(name="Annan förening")
    venue = factories.venue()
    room = venue.rooms[0]
    day = local_today() + timedelta(days=5)
    factories.series(room, org, [day, day + timedelta(days=7)])  # one request, two dates
    factories.booking(room, org, day + timedelta(days=1), status="rejected")
    factories.booking(room, org, day - timedelta(days=30), status="rejected")  # past
    factories.booking(room, other, day + timedelta(days=2))
    activity = factories.activity(org, title="Läxhjälp", registration_required=True,
                                  default_capacity=1)
    coming = sorted((o for o in activity.occurrences if o.starts_at > utcnow()),
                    key=lambda o: o.starts_at)
    factories.signup(coming[0], name="Amina")
    factories.signup(coming[0], name="Omar", contact="070-765 43 21")  # waits
    factories.signup(coming[1], name="Sara")  # full, nobody waits
    factories.user(email="a@example.se", organisation=org)
    factories.user(email="b@example.se", organisation=other)
    auth.login("a@example.se")
    page = client.get("/account").get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "1 room request waits for a decision" in text
    assert "1 room request was refused" in text
    assert "2 coming dates are full" in text
    assert "1 coming date has a waiting list" in text
    assert page.count(f'href="/manage/organisations/{org.slug}/bookings"') >= 2
    assert f'href="/manage/occurrences/{coming[0].id}/signups"' in page
    assert f'href="/manage/occurrences/{coming[1].id}/signups"' in page
    assert "full, 1 waiting" in text
    auth.logout()
    auth.login("b@example.se")
    text = " ".join(re.sub(r"<[^>]+>", " ", client.get("/account").get_data(
        as_text=True)).split())
    assert "1 room request waits for a decision" in text
    assert "refused" not in text and "full" not in text
    assert f"/manage/occurrences/{coming[0].id}/signups" not in text
