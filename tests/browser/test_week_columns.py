"""/staff/schedule in a browser: every meeting place's week has its days in the same
columns, on a wide screen and in Arabic (right to left), and a filtered week passes axe."""

import pytest
from playwright.sync_api import expect

from directory.extensions import db
from tests.browser.conftest import axe_report, log_in, run_axe
from tests.conftest import make_user


@pytest.fixture
def coordinator_page(page, url, live_server):
    from directory.accounts.models import User
    with live_server.app_context():  # one live server for the whole session
        if db.session.scalar(db.select(User).filter_by(email="veckan@example.se")) is None:
            make_user(email="veckan@example.se", role="staff")
        db.session.remove()
    return page


def column_edges(page):
    """For every week table, the left and right edges of its header cells."""
    return page.evaluate("""() => [...document.querySelectorAll('table.schedule')].map(
        t => [...t.querySelectorAll('thead th')].map(th => {
            const box = th.getBoundingClientRect();
            return [Math.round(box.left), Math.round(box.right)];
        }))""")


@pytest.mark.parametrize("lang", ["sv", "ar"])
def test_the_days_line_up_across_meeting_places(coordinator_page, url, lang):
    page = coordinator_page
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, url, "veckan@example.se", lang)
    page.goto(url("/staff/schedule"))
    edges = column_edges(page)
    assert len(edges) > 2 and all(len(e) == 8 for e in edges)
    assert all(e == edges[0] for e in edges), edges


def test_a_filtered_week_passes_axe(coordinator_page, url):
    page = coordinator_page
    log_in(page, url, "veckan@example.se")
    page.goto(url("/staff/schedule?kommun=finns-inte"))
    assert page.locator(".notice").count() == 1
    page.locator("#f-venue").select_option(index=1)
    page.locator(".schedule-filters button[type=submit]").click()
    page.wait_for_url("**venue=*")
    expect(page.locator("table.schedule")).to_have_count(1)
    if violations := run_axe(page):
        pytest.fail(axe_report(violations))
