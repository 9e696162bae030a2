"""The coordinators' follow-up passes axe in Swedish and Arabic, and every chart is an
image with a text alternative beside its table."""

import pytest

from tests.browser.conftest import axe_report, log_in, run_axe
from tests.browser.test_accessibility import page_structure_problems
from tests.conftest import make_user


@pytest.mark.parametrize("lang", ["sv", "ar"])
def test_the_follow_up_page_is_accessible_with_text_alternatives(page, url, live_server,
                                                                  lang):
    email = f"uppfoljning-{lang}@example.se"
    with live_server.app_context():
        make_user(email=email, role="staff")
    log_in(page, url, email, lang)
    response = page.goto(url("/staff/follow-up?period=year"))
    assert response.status == 200
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    charts = page.locator("svg[role=img]")
    assert charts.count() > 0
    names = page.evaluate("""() => [...document.querySelectorAll('svg[role=img]')].map(
        svg => svg.getAttribute('aria-labelledby').split(' ').map(
            id => (document.getElementById(id) || {}).textContent || '').join(' ').trim())""")
    assert all(len(name) > 10 for name in names), names
    # Every chart sits beside a table with the same rows.
    assert page.locator(".chart-and-table table").count() == charts.count()
    violations = run_axe(page)
    assert not violations, axe_report(violations)
    assert not page_structure_problems(page)
