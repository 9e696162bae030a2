"""Persian, Somali, Tigrinya and Ukrainian in a browser: no axe violation on a
newcomer's pages, Persian mirrored, Tigrinya drawn with a font that has its letters,
no sideways scrolling on a phone."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_report, run_axe


def signup_date(live_server):
    """A coming date that takes sign-ups and has places left: not yet begun (the list
    holds the dates under way too, and those take no sign-ups)."""
    occurrences = live_server.test_client().get(
        "/api/v1/occurrences?per_page=100").get_json()["contents"]
    soon = datetime.now(UTC) + timedelta(minutes=10)
    return next(o for o in occurrences if o["status"] == "scheduled"
                and datetime.fromisoformat(o["starts_at"]) > soon
                and o["registration_required"] and (o.get("seats_left") or 0) > 2)


@pytest.mark.parametrize("lang", ["fa", "so", "ti", "uk"])
def test_no_axe_violations_on_a_newcomer_s_pages(page, url, live_server, lang):
    occurrence = signup_date(live_server)
    page.goto(url(f"/language/{lang}?next=/"))
    failures = []

    def check(what):
        assert page.locator("html").get_attribute("lang") == lang, what
        if violations := run_axe(page):
            failures.append(f"{what}:\n{axe_report(violations)}")

    for path in ("/", "/activities", "/organisations", "/venues", "/venues/kemistvagen",
                 f"/occurrences/{occurrence['id']}", "/privacy", "/accessibility",
                 "/contact", "/no-such-page"):
        page.goto(url(path))
        check(path)
    page.goto(url(f"/occurrences/{occurrence['id']}/signup"))
    submit = page.locator("form.form:not([action]) button[type=submit]")  # not "send my link"
    submit.click()  # empty: the errors beside the fields
    expect(page.locator(".field .error").first).to_be_visible()
    check("the sign-up form with errors")
    page.locator("#name").fill("Amina")
    page.locator("#contact").fill(f"amina.{lang}@example.se")
    submit.click()
    page.wait_for_url("**/signups/*")
    check("the personal page")
    assert not failures, "\n\n".join(failures)


def test_persian_is_mirrored_like_arabic(page, url):
    page.goto(url("/?lang=fa"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    width = page.viewport_size["width"]
    brand = page.locator(".brand").bounding_box()
    assert brand["x"] + brand["width"] / 2 > width / 2
    assert page.locator("h1").inner_text() == "برنامه‌هایی برای تازه‌واردان"
    h1 = page.locator("main h1").bounding_box()
    assert h1["x"] + h1["width"] > width / 2


def test_tigrinya_is_drawn_with_a_font_that_has_its_letters(page, url):
    page.goto(url("/?lang=ti"))
    page.evaluate("document.fonts.ready")
    text = page.locator("main h1").inner_text()
    assert text == "ንሓደስቲ መጻእቲ እንታይ ኣሎ"
    assert page.evaluate("""async (text) => {
        await document.fonts.load('16px "Samverkan Ethiopic"', text);
        return document.fonts.check('16px "Samverkan Ethiopic"', text);
    }""", text)
    loaded = page.evaluate("""() => [...document.fonts]
        .filter(f => f.family.includes('Samverkan Ethiopic') && f.status === 'loaded')
        .length""")
    assert loaded >= 1
    # The shipped file itself (used where the system has no Ethiopic font) loads, and
    # draws the letters: with it a word is as wide as with the system's Noto Sans
    # Ethiopic, and not as wide as the boxes of a font without them.
    widths = page.evaluate("""async (text) => {
        const face = new FontFace('Shipped',
            'url(/static/fonts/NotoSansEthiopic-Regular.woff2)');
        await face.load();
        document.fonts.add(face);
        const canvas = document.createElement('canvas').getContext('2d');
        const width = family => { canvas.font = `32px ${family}`;
                                  return canvas.measureText(text).width; };
        return {status: face.status, shipped: width('Shipped'),
                ethiopic: width('"Samverkan Ethiopic"')};
    }""", text)
    assert widths["status"] == "loaded"
    assert abs(widths["shipped"] - widths["ethiopic"]) < 1


def test_tigrinya_letters_are_drawn_not_boxes(page, url):
    """A screenshot of the Tigrinya heading in the shipped font against the same font
    drawing characters it has no glyph for (private-use code points: the missing-glyph
    box): the letters are drawn, so the pictures differ, and two renders of the letters
    agree (the comparison can tell them apart)."""
    page.goto(url("/?lang=ti"))
    text = page.locator("main h1").inner_text()
    page.evaluate("""async (text) => {
        const face = new FontFace('Shipped',
            'url(/static/fonts/NotoSansEthiopic-Regular.woff2)');
        await face.load();
        document.fonts.add(face);
        const missing = [...text].map((c, i) => c === ' ' ? ' '
                                      : String.fromCharCode(0xE000 + i)).join('');
        for (const [id, words] of [['letters', text], ['again', text],
                                   ['boxes', missing]]) {
            const el = document.createElement('p');
            el.id = id;
            el.textContent = words;
            el.style.cssText = 'font: 32px/1.5 Shipped; display: block; margin: 0; ' +
                               'width: max-content; white-space: nowrap; ' +
                               'background: #fff; color: #000; padding: 4px';
            document.body.prepend(el);
        }
    }""", text)
    letters = page.locator("#letters").screenshot()
    assert page.locator("#again").screenshot() == letters
    assert page.locator("#boxes").screenshot() != letters


def test_no_sideways_scrolling_on_a_phone_in_the_new_languages(browser, url, live_server):
    occurrence = signup_date(live_server)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    for lang in ("fa", "so", "ti", "uk"):
        page.goto(url(f"/language/{lang}?next=/"))
        for path in ("/", "/activities", f"/occurrences/{occurrence['id']}",
                     f"/occurrences/{occurrence['id']}/signup", "/privacy"):
            page.goto(url(path))
            assert page.locator("html").get_attribute("lang") == lang
            overflow = page.evaluate("document.documentElement.scrollWidth - "
                                     "document.documentElement.clientWidth")
            assert overflow <= 0, (lang, path)
    context.close()
