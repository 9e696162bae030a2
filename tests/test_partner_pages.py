"""A LÖK partner's own accounts: `create-user --partner`, the partner's page with its
feeds and subscribe links, and a new secret link made by the partner itself."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from directory.accounts.models import User
from directory.audit.models import AuditEvent
from directory.calendars.models import FeedSubscription
from directory.extensions import db


# The link carries the page's language (common.urls.subscribe_links).
FEED = re.compile(r'value="(https?://[^/"]+(/feeds/[A-Za-z0-9_-]+\.ics)(?:\?lang=[a-z]+)?)"')


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture
def partners(app, factories):
    """Two partners with a feed each, a partner account of the first, a member and a
    coordinator."""
    org = factories.organisation(name="Språkcafé Täby")
    factories.activity(org, title="Jobbcafé", focus=["arbete"], targets=["vuxna"])
    venue = factories.venue()
    af = factories.partner("Arbetsförmedlingen")
    fk = factories.partner("Försäkringskassan")
    work, _ = factories.feed(af, "Arbete i Täby",
                             {"focus": ["arbete"], "target": ["vuxna"],
                              "venue": [venue.slug], "org": [org.slug]}, True)
    everything, _ = factories.feed(af, "Allt")
    gone, _ = factories.feed(af, "Gammal", revoked=True)
    other, _ = factories.feed(fk, "Försäkring")
    factories.user(email="af@example.se", role="partner", partner=af)
    factories.user(email="fk@example.se", role="partner", partner=fk)
    factories.user(email="medlem@example.se", organisation=org)
    factories.user(email="staff@example.se", role="staff")
    return {"af": af.slug, "work": work.id, "everything": everything.id, "gone": gone.id,
            "other": other.id, "venue": venue.name, "org": org.name}


def feed_paths(page):
    return [path for _, path in FEED.findall(page)]


# ----------------------------------------------------------------------- create-user

def test_create_user_links_a_partner_account(app, partners):
    made = cli(app, "create-user", "Ny@Example.se", "--role", "partner",
               "--partner", partners["af"])
    assert made.exit_code == 0, made.output
    assert "/account/password/" in made.output
    user = db.session.scalar(sa.select(User).filter_by(email="ny@example.se"))
    assert user.role == "partner" and user.partner.slug == partners["af"]


def test_create_user_refuses_a_bad_partner_and_creates_nothing(app, partners):
    for args, message in (
            (["--role", "partner", "--partner", "okand"], "no partner has the slug 'okand'"),
            (["--role", "member", "--partner", partners["af"]], "only a partner account"),
            (["--role", "staff", "--partner", partners["af"]], "only a partner account")):
        result = cli(app, "create-user", "fel@example.se", *args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, result.output
        assert "--partner" in result.output
    assert partners["af"] in cli(app, "create-user", "fel@example.se", "--role", "partner",
                                 "--partner", "okand").output  # says which ones exist
    assert db.session.scalar(sa.select(User).filter_by(email="fel@example.se")) is None


# ------------------------------------------------------------------ the partner's page

def test_the_partner_sees_its_live_feeds_with_working_subscribe_links(client, partners, auth):
    auth.login("af@example.se")
    response = client.get("/partner")
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert "<h1>Arbetsförmedlingen</h1>" in page
    assert "Arbete i Täby" in page and "Allt" in page
    assert "Gammal" not in page and "Försäkring" not in page  # revoked; another partner's
    # What each feed filters, by name, in the page's language.
    assert "Work and self-sufficiency" in page and "Adults" in page
    assert partners["venue"] in page and partners["org"] in page
    assert "Never" in page
    links = FEED.findall(page)
    assert len(links) == 2
    google = [parse_qs(urlsplit(g).query)["cid"][0] for g in re.findall(
        r'href="(https://calendar\.google\.com/calendar/render\?cid=[^"]+)"', page)]
    outlook = [parse_qs(urlsplit(o).query) for o in re.findall(
        r'href="(https://outlook\.live\.com/calendar/0/addfromweb\?[^"]+)"', page)]
    for url, path in links:
        webcal = "webcal://" + url.split("://", 1)[1]
        assert f'href="{webcal}"' in page
        assert webcal in google
        assert url in {o["url"][0] for o in outlook}
        feed = client.get(path)
        assert feed.status_code == 200 and feed.mimetype == "text/calendar"
        assert b"BEGIN:VCALENDAR" in feed.data
    assert {o["name"][0] for o in outlook} == {"Arbete i Täby", "Allt"}
    # Fetched: the page says when.
    assert "Never" not in client.get("/partner").get_data(as_text=True)


def test_the_page_is_labelled_and_works_without_javascript(client, partners, auth):
    auth.login("af@example.se")
    page = client.get("/partner").get_data(as_text=True)
    assert "<script" not in page.split('<main', 1)[1].split("</main>", 1)[0]
    for field_id in re.findall(r'<input id="([^"]+)" type="text"', page):
        assert f'<label for="{field_id}">' in page
    assert page.count("<h3") == 2 and "<h2>" in page
    assert page.count('name="csrf_token"') >= 2
    assert re.search(r'<form method="post" action="/partner/feeds/\d+/rotate">', page)


def test_account_page_links_to_the_partner_page_instead_of_raw_links(client, partners, auth):
    auth.login("af@example.se")
    page = client.get("/account").get_data(as_text=True)
    assert 'href="/partner"' in page
    assert "/feeds/" not in page


def feed_path_in_section(page, subscription_id):
    """The feed link shown in one feed's section of the partner's page."""
    section = page.split(f'id="feed-{subscription_id}"', 1)[1].split("</section>", 1)[0]
    return feed_paths(section)[0]


def test_rotating_stops_the_old_link_and_shows_the_new_one(client, partners, auth):
    auth.login("af@example.se")
    work, everything = partners["work"], partners["everything"]
    page = client.get("/partner").get_data(as_text=True)
    old, kept = feed_path_in_section(page, work), feed_path_in_section(page, everything)
    assert client.get(old).status_code == 200
    response = client.post(f"/partner/feeds/{work}/rotate")
    assert response.status_code == 303
    assert response.location.endswith(f"/partner#feed-{work}")
    page = client.get("/partner").get_data(as_text=True)
    assert "has a new link" in page
    new = feed_path_in_section(page, work)
    assert new != old
    assert client.get(old).status_code == 404
    fresh = client.get(new)
    assert fresh.status_code == 200 and fresh.mimetype == "text/calendar"
    assert feed_path_in_section(page, everything) == kept  # the other feed keeps its link
    assert client.get(kept).status_code == 200
    event = db.session.scalar(sa.select(AuditEvent).filter_by(action="feed.rotate"))
    assert event.user.email == "af@example.se" and event.object_id == work


def test_another_partners_feed_a_revoked_one_and_unknown_ids_answer_404(client, partners, auth):
    auth.login("af@example.se")
    for feed_id in (partners["other"], partners["gone"], 999999):
        assert client.post(f"/partner/feeds/{feed_id}/rotate").status_code == 404
    other = db.session.get(FeedSubscription, partners["other"])
    gone = db.session.get(FeedSubscription, partners["gone"])
    assert other.rotated_at is None and gone.rotated_at is None
    assert gone.revoked_at is not None
    assert db.session.scalar(sa.select(AuditEvent).filter_by(action="feed.rotate")) is None


@pytest.mark.parametrize("email", ["medlem@example.se", "staff@example.se"])
def test_members_and_coordinators_get_404(client, partners, email, auth):
    auth.login(email)
    assert client.get("/partner").status_code == 404
    assert client.post(f"/partner/feeds/{partners['work']}/rotate").status_code == 404
    assert "/partner" not in client.get("/account").get_data(as_text=True).replace(
        "/staff/partners", "")


def test_an_unlinked_partner_account_gets_404_and_anonymous_logs_in(client, partners,
                                                                     factories, auth):
    assert client.get("/partner").status_code == 302
    assert "/login" in client.get("/partner").location
    assert client.post(f"/partner/feeds/{partners['work']}/rotate").status_code == 302
    factories.user(email="ingen@example.se", role="partner")
    auth.login("ingen@example.se")
    assert client.get("/partner").status_code == 404
