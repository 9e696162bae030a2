"""axe-core finds no WCAG 2.1 A/AA violation on any public page, in every interface language;
headings do not skip levels, ids are unique, and text in another language is marked."""

import re

import pytest

from directory.common.i18n import LANGUAGE_NAMES

from tests.browser.conftest import axe_report, run_axe

ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")


def public_paths(live_server):
    """One of each public page, found through the API as a visitor's program would.

    Each path maps to what the page must show, so a check never passes on an
    empty list or a page other than the one meant.
    """
    client = live_server.test_client()
    occurrences = client.get("/api/v1/occurrences?per_page=60").get_json()["contents"]
    scheduled = next(o for o in occurrences if o["status"] == "scheduled"
                     and o["focus_areas"] and o["target_groups"])
    cancelled = next((o for o in occurrences if o["status"] == "cancelled"), scheduled)
    with_signup = next((o for o in occurrences if o["status"] == "scheduled"
                        and o["registration_required"]), scheduled)
    organisation = client.get("/api/v1/organizations?per_page=1").get_json()["contents"][0]
    filtered = (f"/activities?focus={scheduled['focus_areas'][0]}"
                f"&target={scheduled['target_groups'][0]}")
    return {
        "/": "main h1",
        "/organisations": ".cards .card",
        f"/organisations/{organisation['slug']}": "main h1",
        "/activities": ".cards .card",
        filtered: ".cards .card",
        "/activities?from=notadate": ".notice",
        "/activities?near=T%C3%A4by&radius_km=50": ".card .distance",
        "/activities?near=Xyzzyq": ".notice",
        f"/activities/{scheduled['activity_id']}": ".facts",
        f"/occurrences/{scheduled['id']}": ".facts",
        f"/occurrences/{cancelled['id']}": ".facts",
        f"/occurrences/{with_signup['id']}": ".facts",
        "/venues": ".cards .card",
        "/venues/kemistvagen": ".hours",
        "/venues/kemistvagen/schedule": "table",
        "/venues/kemistvagen/schedule?week=2026-W99": ".notice",
        "/organisations/finns-inte": "main h1",
        f"/occurrences/{with_signup['id']}/signup": "main h1",
        f"/organisations?focus={scheduled['focus_areas'][0]}": ".filter-box summary bdi",
        "/accessibility": "main h1",
        "/privacy": ".retention",
        "/contact": "main h1",
        "/login": "form",
        "/organisations/register": "form",
        "/account/reset": "form",
    }


def page_structure_problems(page):
    """What axe leaves to best practice but we keep: one h1, headings that never skip a
    level, ids that are unique."""
    return page.evaluate("""() => {
        const problems = [];
        const levels = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
            .map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 40)]);
        if (levels.filter(([l]) => l === 1).length !== 1) problems.push('not one h1');
        let previous = 0;
        for (const [level, text] of levels) {
            if (level > previous + 1) problems.push(`h${level} after h${previous}: ${text}`);
            previous = level;
        }
        const seen = new Set();
        for (const el of document.querySelectorAll('[id]')) {
            if (seen.has(el.id)) problems.push(`duplicate id ${el.id}`);
            seen.add(el.id);
        }
        return problems;
    }""")


@pytest.mark.parametrize("lang", ["sv", "en", "ar", "fa", "so", "ti", "uk"])
def test_no_axe_violations_on_public_pages(page, url, live_server, lang):
    failures = []
    page.goto(url(f"/language/{lang}?next=/"))  # the cookie, for /activities?lang=…
    for path, shown in public_paths(live_server).items():
        joiner = "&" if "?" in path else "?"
        # On /activities `lang` is the spoken-language filter; the cookie chose the page's.
        suffix = f"{joiner}lang={lang}" if not path.startswith("/activities") else ""
        response = page.goto(url(path + suffix))
        assert response.status == (404 if "finns-inte" in path else 200), path
        assert page.locator("html").get_attribute("lang") == lang, path
        assert page.locator(shown).count() > 0, f"{path} shows no {shown}"
        if shown == ".notice":
            assert page.locator(".notice").is_visible(), path
        violations = run_axe(page)
        if violations:
            failures.append(f"{path}:\n{axe_report(violations)}")
        if problems := page_structure_problems(page):
            failures.append(f"{path}:\n" + "\n".join(problems))
    assert not failures, "\n\n".join(failures)


def test_text_in_another_language_is_marked(page, url, live_server):
    """On Arabic pages, Swedish texts (descriptions not yet translated) and each
    language's own name carry their `lang`, and are laid out left to right, so they are
    read with the right voice and their punctuation stays at their end."""
    client = live_server.test_client()
    occurrence = client.get("/api/v1/occurrences?per_page=1").get_json()["contents"][0]
    page.goto(url("/language/ar?next=/organisations"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    swedish = page.locator(".card p[lang=sv]")
    assert swedish.count() > 0
    assert page.locator(".card p:not(.meta):not(.tags):not([lang])").count() == 0
    assert swedish.first.evaluate("el => getComputedStyle(el).direction") == "ltr"

    page.goto(url(f"/occurrences/{occurrence['id']}"))
    prose = page.locator(".prose")
    if not ARABIC_LETTER.search(prose.inner_text()):
        assert prose.get_attribute("lang") == "sv"
        assert prose.evaluate("el => getComputedStyle(el).direction") == "ltr"
    for code in occurrence["languages"]:  # each language's own name, marked once
        own_name = page.locator(f".facts [lang={code}]").filter(has_text=LANGUAGE_NAMES[code])
        assert own_name.count() == 1, code

    page.goto(url("/activities"))
    for code, name in (("sv", "Svenska"), ("ar", "العربية")):
        assert page.locator(f".card .tags .tag[lang={code}]").first.inner_text() == name


def test_the_checker_does_find_violations(page, url):
    """The harness is live: a page with a known fault is reported."""
    page.goto(url("/"))
    page.evaluate("""() => {
        const img = document.createElement('img');
        img.src = '/static/none.png';
        document.querySelector('main').appendChild(img);
        document.documentElement.removeAttribute('lang');
        const h5 = document.createElement('h5');
        h5.id = 'main';
        document.querySelector('h1').after(h5);
    }""")
    ids = {v["id"] for v in run_axe(page)}
    assert {"image-alt", "html-has-lang"} <= ids
    problems = page_structure_problems(page)
    assert "duplicate id main" in problems
    assert any(p.startswith("h5 after") for p in problems)
