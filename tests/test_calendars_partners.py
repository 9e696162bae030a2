"""LÖK partners' private feeds: secret links shown once, stored hashed, filtered,
rotatable and revocable."""

import re
from datetime import timedelta

from directory.calendars.models import FeedSubscription
from directory.common.time import utcnow
from directory.extensions import db
from tests.conftest import AuthActions
from tests.test_calendars_feeds import icaljs, window

FEED = re.compile(r"https?://[^/\s]+(/feeds/[A-Za-z0-9_-]+\.ics)")


def staff_makes_a_feed(client, factories, **fields):
    factories.user(email="staff@example.se", role="staff")
    AuthActions(client).login("staff@example.se")
    response = client.post("/staff/partners", data={"name": "Arbetsförmedlingen"})
    partner_url = response.location
    page = client.post(partner_url, data={"name": "Arbete i Täby", **fields})
    return partner_url, FEED.search(page.get_data(as_text=True)).group(1)


def test_feed_link_is_shown_once_and_stored_only_hashed(client, factories):
    partner_url, path = staff_makes_a_feed(client, factories, focus=["arbete"])
    token = path.split("/")[-1][:-4]
    assert len(token) >= 22  # 128 bits or more in URL-safe base64
    assert not FEED.search(client.get(partner_url).get_data(as_text=True))
    subscription = db.session.scalar(db.select(FeedSubscription))
    assert subscription.token_hash != token
    assert token not in repr({c.name: getattr(subscription, c.name)
                              for c in FeedSubscription.__table__.columns})


def test_feed_shows_what_the_filter_asks_for_and_parses(client, factories, auth):
    factories.activity(title="Jobbcoachning", focus=["arbete"])
    factories.activity(title="Sagostund", focus=["barn-och-unga"])
    _, path = staff_makes_a_feed(client, factories, focus=["arbete"])
    auth.logout()
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    titles = {summary for _, _, summary in icaljs(response.data, *window())}
    assert titles == {"Jobbcoachning"}
    subscription = db.session.scalar(db.select(FeedSubscription))
    db.session.refresh(subscription)
    assert subscription.last_fetched_at is not None
    again = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_tentative_bookings_only_when_asked(client, factories):
    venue = factories.venue()
    activity = factories.activity(title="Jobbcoachning", focus=["arbete"])
    start = utcnow() + timedelta(days=10)
    factories.booking(venue.rooms[0], activity.organisation, activity=activity,
                      starts_at=start, ends_at=start + timedelta(hours=2))
    _, with_tentative = staff_makes_a_feed(client, factories, focus=["arbete"],
                                           include_tentative="y")
    body = client.get(with_tentative).data.decode()
    assert "STATUS:TENTATIVE" in body
    partner_url = f"/staff/partners/{db.session.scalar(db.select(FeedSubscription)).partner_id}"
    plain = FEED.search(client.post(partner_url, data={"name": "Utan", "focus": ["arbete"]})
                        .get_data(as_text=True)).group(1)
    assert "TENTATIVE" not in client.get(plain).data.decode()


def test_rotate_and_revoke(client, factories):
    _, old = staff_makes_a_feed(client, factories)
    subscription = db.session.scalar(db.select(FeedSubscription))
    page = client.post(f"/staff/feeds/{subscription.id}/rotate").get_data(as_text=True)
    new = FEED.search(page).group(1)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    client.post(f"/staff/feeds/{subscription.id}/revoke")
    assert client.get(new).status_code == 404
    assert client.get("/feeds/not-a-token.ics").status_code == 404


def test_partner_users_see_their_own_feed_links(client, factories, auth):
    _, path = staff_makes_a_feed(client, factories)
    auth.logout()
    subscription = db.session.scalar(db.select(FeedSubscription))
    factories.user(email="af@example.se", role="partner", partner=subscription.partner)
    auth.login("af@example.se")
    assert "/partner" in client.get("/account").get_data(as_text=True)
    home = client.get("/partner").get_data(as_text=True)
    assert FEED.search(home).group(1) == path


def test_a_fetch_leaves_the_site_as_it_was_and_a_change_of_the_feed_does_not(
        app, client, factories, auth):
    """A partner's feed notes when it was fetched, but that is no change of public data:
    the data version (every public answer's validator) stays, so a public page still
    answers 304; renaming the feed (its calendar's name) or revoking it moves it. The
    columns the triggers count are every column of the table but the id and the fetch."""
    from directory.common.caching import SHOWN_COLUMNS, data_version
    columns = {c.name for c in FeedSubscription.__table__.columns}
    assert set(SHOWN_COLUMNS["feed_subscription"]) == columns - {"id", "last_fetched_at"}
    factories.activity(title="Jobbcoachning", focus=["arbete"])
    _, path = staff_makes_a_feed(client, factories, focus=["arbete"])
    auth.logout()
    visitor = app.test_client()
    page = visitor.get("/activities")
    before = data_version()
    assert client.get(path).status_code == 200 and client.get(path).status_code == 200
    subscription = db.session.scalar(db.select(FeedSubscription))
    db.session.refresh(subscription)
    assert subscription.last_fetched_at is not None
    assert data_version() == before
    assert visitor.get("/activities", headers={
        "If-None-Match": page.headers["ETag"]}).status_code == 304
    subscription.name = "Arbete i hela Täby"
    db.session.commit()
    assert data_version() > before
    renamed = client.get(path).data.decode()
    assert "Arbete i hela Täby" in renamed
    moved = data_version()
    subscription.revoked_at = utcnow()
    db.session.commit()
    assert data_version() > moved and client.get(path).status_code == 404


def test_a_feed_for_some_municipalities_holds_their_activities_alone(client, factories,
                                                                      auth):
    """A LÖK partner serves its own municipalities: a feed of a focus area in Täby and
    Mölndal leaves out the same focus area in Göteborg; the filter is shown by name, to
    the coordinators and to the partner's own users."""
    goteborg, molndal = factories.municipality("goteborg"), factories.municipality("molndal")
    factories.activity(title="Jobbcoachning Täby", focus=["arbete"])
    factories.activity(factories.organisation(municipality=goteborg),
                       title="Jobbcoachning Göteborg", focus=["arbete"])
    factories.activity(factories.organisation(municipality=molndal),
                       title="Jobbcoachning Mölndal", focus=["arbete"])
    factories.activity(title="Sagostund Täby", focus=["barn-och-unga"])
    partner_url, path = staff_makes_a_feed(client, factories, focus=["arbete"],
                                           kommun=["taby", "molndal"])
    subscription = db.session.scalar(db.select(FeedSubscription))
    assert subscription.filters["kommun"] == ["molndal", "taby"]
    staff_page = client.get(partner_url).get_data(as_text=True)
    assert "<dt>Municipalities</dt><dd>Mölndal, Täby</dd>" in staff_page
    assert "kommun:" not in staff_page and "focus:" not in staff_page
    auth.logout()
    titles = {summary for _, _, summary in icaljs(client.get(path).data, *window())}
    assert titles == {"Jobbcoachning Täby", "Jobbcoachning Mölndal"}
    factories.user(email="af@example.se", role="partner", partner=subscription.partner)
    auth.login("af@example.se")
    assert "<dt>Municipalities</dt><dd>Mölndal, Täby</dd>" in client.get("/partner").get_data(
        as_text=True)


def test_a_municipality_not_served_is_refused_beside_the_field(client, factories):
    """Only the municipalities the installation serves are offered; another one posted
    is an error beside the field, the form keeps what was typed, and no feed is made."""
    factories.user(email="staff@example.se", role="staff")
    AuthActions(client).login("staff@example.se")
    partner_url = client.post("/staff/partners", data={"name": "Arbetsförmedlingen"}).location
    response = client.post(partner_url, data={"name": "Arbete i Atlantis",
                                              "kommun": ["atlantis"], "focus": ["arbete"]})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="Arbete i Atlantis"' in page and not FEED.search(page)
    assert re.search(r'<p class="error" id="kommun-error">[^<]*atlantis', page)
    assert db.session.scalar(db.select(db.func.count(FeedSubscription.id))) == 0
