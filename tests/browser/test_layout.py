"""The Arabic layout mirrors; pages work without JavaScript and on a phone."""

import re


def test_arabic_page_is_mirrored(page, url):
    page.goto(url("/?lang=sv"))
    assert page.locator("html").get_attribute("dir") == "ltr"
    width = page.viewport_size["width"]
    box = page.locator(".brand").bounding_box()
    assert box["x"] + box["width"] / 2 < width / 2
    page.goto(url("/?lang=ar"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    box = page.locator(".brand").bounding_box()
    assert box["x"] + box["width"] / 2 > width / 2
    assert page.locator("h1").inner_text() == "ما الذي يحدث للقادمين الجدد"
    # The page's text starts on the right too, not only the header.
    h1 = page.locator("main h1").bounding_box()
    assert h1["x"] + h1["width"] > width / 2


def upcoming_total(page):
    """The number in "N kommande tillfällen"."""
    return int(re.search(r"\d+", page.locator(".count").inner_text()).group())


def test_filters_work_without_javascript(browser, url, live_server):
    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    page = context.new_page()
    page.goto(url("/language/sv?next=/activities"))
    before = upcoming_total(page)
    assert page.locator(".filter-box").get_attribute("open") is not None  # nothing chosen
    page.select_option("#f-focus", "arbete")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_url("**/activities?*focus=arbete*")
    after = upcoming_total(page)
    assert 0 < after <= before  # both may be "more than 60"
    api = live_server.test_client().get("/api/v1/occurrences?focus=arbete&per_page=20")
    assert after == api.get_json()["total_items"]
    titles = page.locator(".card-title").all_inner_texts()
    assert titles and all("Språkcafé" not in t and "Fotboll" not in t for t in titles)
    # The results come first: the filters fold to one line saying what was chosen, and
    # open again (without JavaScript) to change it.
    assert page.locator(".filter-box").get_attribute("open") is None
    assert page.locator(".filter-box > summary").inner_text().endswith(
        ": Arbete och egen försörjning")
    page.locator(".filter-box > summary").click()
    assert page.locator("#f-focus").input_value() == "arbete"
    context.close()


def test_no_sideways_scrolling_on_a_phone(browser, url, live_server):
    occurrence = live_server.test_client().get(
        "/api/v1/occurrences?per_page=1").get_json()["contents"][0]
    context = browser.new_context(viewport={"width": 375, "height": 667})
    page = context.new_page()
    for lang in ("sv", "ar"):
        page.goto(url(f"/language/{lang}?next=/"))
        for path in ("/activities", "/", f"/occurrences/{occurrence['id']}",
                     "/venues/kemistvagen/schedule"):
            page.goto(url(path))
            assert page.locator("html").get_attribute("lang") == lang
            overflow = page.evaluate("document.documentElement.scrollWidth - "
                                     "document.documentElement.clientWidth")
            assert overflow <= 0, (lang, path)
    context.close()


def test_results_come_first_on_a_phone(browser, url):
    """360 × 740, no JavaScript: after a search the first result is above the fold, the
    home page asks for a place, and header links and check boxes are 24 px or more."""
    context = browser.new_context(viewport={"width": 360, "height": 740},
                                  java_script_enabled=False, locale="sv-SE")
    page = context.new_page()
    for lang in ("sv", "ar"):
        page.goto(url(f"/language/{lang}?next=/"))
        page.fill("#home-near", "Täby")
        page.locator("#home-near").press("Enter")
        page.wait_for_url("**/activities?near=*")
        assert page.locator(".filter-box").get_attribute("open") is None
        first = page.locator(".cards .card").first.bounding_box()
        assert first["y"] + 40 < 740, (lang, first)
        small = page.evaluate("""() => [...document.querySelectorAll(
                '.site-header a, .site-header button, .filter-box > summary')]
            .map(el => [el.textContent.trim(), el.getBoundingClientRect()])
            .filter(([, r]) => r.width < 24 || r.height < 24)
            .map(([text, r]) => `${text}: ${r.width}×${r.height}`)""")
        assert not small, (lang, small)
        overflow = page.evaluate("document.documentElement.scrollWidth - "
                                 "document.documentElement.clientWidth")
        assert overflow <= 0, lang
    page.goto(url("/organisations/register"))
    boxes = page.evaluate("""() => [...document.querySelectorAll('input[type=checkbox]')]
        .map(el => el.getBoundingClientRect()).map(r => Math.min(r.width, r.height))""")
    assert boxes and min(boxes) >= 24
    context.close()
