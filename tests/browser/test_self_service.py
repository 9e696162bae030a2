"""An owner logs in, creates a weekly activity after seeing its dates, and finds it on
the public pages in Swedish and Arabic; pages behind login pass axe too."""

from datetime import timedelta

from playwright.sync_api import expect

from directory.common.time import local_today
from directory.extensions import db
from directory.organisations.models import Organisation
from tests.browser.conftest import axe_report, log_in, run_axe
from tests.conftest import make_user


def owner_of_a_verified_organisation(live_server, email):
    with live_server.app_context():
        org = db.session.scalar(db.select(Organisation).filter_by(status="verified")
                                .order_by(Organisation.id))
        make_user(email=email, organisation=org)
        slug = org.slug
        db.session.remove()
    return slug


def test_owner_creates_a_weekly_activity_and_it_is_public(page, url, live_server):
    slug = owner_of_a_verified_organisation(live_server, "agare@example.se")
    log_in(page, url, "agare@example.se")
    failures = []
    for path in ("/account", f"/manage/organisations/{slug}",
                 f"/manage/organisations/{slug}/activities",
                 f"/manage/organisations/{slug}/members",
                 f"/manage/organisations/{slug}/bookings"):
        page.goto(url(path))
        if violations := run_axe(page):
            failures.append(f"{path}:\n{axe_report(violations)}")

    page.goto(url(f"/manage/organisations/{slug}/activities/new"))
    first = local_today() + timedelta(days=(1 - local_today().weekday()) % 7 or 7)
    page.get_by_label("Titel (på svenska)").fill("Schackklubb för unga")
    page.get_by_label("Titel på arabiska (frivilligt)").fill("نادي الشطرنج للشباب")
    page.get_by_label("Första datum").fill(first.isoformat())
    page.get_by_label("Börjar").fill("17:00")
    page.get_by_label("Slutar").fill("18:30")
    page.get_by_label("tisdag").check()
    page.get_by_label("Sista datum").fill((first + timedelta(days=63)).isoformat())
    page.get_by_label("svenska", exact=True).check()
    page.get_by_label("arabiska", exact=True).check()
    page.get_by_role("button", name="Visa datumen").click()
    expect(page.locator(".preview li")).to_have_count(10)
    if violations := run_axe(page):
        failures.append(f"preview:\n{axe_report(violations)}")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url("**/dates")
    assert page.locator(".card").count() == 10
    if violations := run_axe(page):
        failures.append(f"dates:\n{axe_report(violations)}")
    assert not failures, "\n\n".join(failures)

    page.goto(url("/activities?q=schackklubb"))
    assert "Schackklubb för unga" in page.locator("main").inner_text()
    page.goto(url("/language/ar?next=/activities%3Fq%3Dschack"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "نادي الشطرنج للشباب" in page.locator("main").inner_text()


def test_coordinator_pages_pass_axe(page, url, live_server):
    with live_server.app_context():
        make_user(email="samordnare@example.se", role="staff")
        db.session.remove()
    log_in(page, url, "samordnare@example.se", "ar")
    failures = []
    for path in ("/account", "/staff/organisations", "/staff/audit", "/staff/users",
                 "/staff/terms", "/staff/partners", "/staff/bookings", "/staff/schedule",
                 "/staff/venues", "/staff/venues/kemistvagen", "/staff/map"):
        page.goto(url(path))
        assert page.locator("html").get_attribute("dir") == "rtl"
        if violations := run_axe(page):
            failures.append(f"{path}:\n{axe_report(violations)}")
    assert not failures, "\n\n".join(failures)


def test_room_request_with_the_week_shown_passes_axe(page, url, live_server):
    slug = owner_of_a_verified_organisation(live_server, "lokal@example.se")
    log_in(page, url, "lokal@example.se", "ar")
    page.goto(url(f"/manage/organisations/{slug}/bookings"))
    day = local_today() + timedelta(days=3)
    page.locator("#day").fill(day.isoformat())
    page.locator("#start_time").fill("17:00")
    page.locator("#end_time").fill("19:00")
    page.locator("#count").fill("3")
    page.locator("button[value=check]").click()
    expect(page.locator(".preview li")).to_have_count(3)
    assert page.locator("table.schedule caption").count() == 1
    violations = run_axe(page)
    assert not violations, axe_report(violations)
