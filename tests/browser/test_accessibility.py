"""axe-core finds no WCAG 2.1 A/AA violation on any public page, in Swedish or Arabic."""

import pytest

from tests.browser.conftest import axe_report, run_axe


def public_paths(live_server):
    """One of each public page, found through the API as a visitor's program would."""
    client = live_server.test_client()
    occurrence = client.get("/api/v1/occurrences?per_page=1").get_json()["contents"][0]
    organisation = client.get("/api/v1/organizations?per_page=1").get_json()["contents"][0]
    return ["/", "/organisations", f"/organisations/{organisation['slug']}", "/activities",
            "/activities?focus=utbildning&target=barn", "/activities?from=notadate",
            f"/activities/{occurrence['activity_id']}", f"/occurrences/{occurrence['id']}",
            "/venues", "/venues/kemistvagen", "/venues/kemistvagen/schedule",
            "/venues/kemistvagen/schedule?week=2026-W99", "/organisations/finns-inte", "/login",
            "/organisations/register", "/account/reset"]


@pytest.mark.parametrize("lang", ["sv", "ar"])
def test_no_axe_violations_on_public_pages(page, url, live_server, lang):
    failures = []
    for path in public_paths(live_server):
        joiner = "&" if "?" in path else "?"
        page.goto(url(f"/language/{lang}?next=/"))
        page.goto(url(path + (f"{joiner}lang={lang}" if lang == "ar" and
                              not path.startswith("/activities") else "")))
        assert page.locator("html").get_attribute("lang") == lang, path
        violations = run_axe(page)
        if violations:
            failures.append(f"{path}:\n{axe_report(violations)}")
    assert not failures, "\n\n".join(failures)


def test_the_checker_does_find_violations(page, url):
    """The harness is live: a page with a known fault is reported."""
    page.goto(url("/"))
    page.evaluate("""() => {
        const img = document.createElement('img');
        img.src = '/static/none.png';
        document.querySelector('main').appendChild(img);
        document.documentElement.removeAttribute('lang');
    }""")
    ids = {v["id"] for v in run_axe(page)}
    assert {"image-alt", "html-has-lang"} <= ids
