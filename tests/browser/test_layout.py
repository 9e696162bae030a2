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
    page.locator(".filter-box > summary").click()
    page.select_option("#f-focus", "arbete")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_url("**/activities?*focus=arbete*")
    after = upcoming_total(page)
    assert 0 < after < before
    api = live_server.test_client().get("/api/v1/occurrences?focus=arbete&per_page=1")
    assert after == api.get_json()["total_items"]
    titles = page.locator(".card-title").all_inner_texts()
    assert titles and all("Språkcafé" not in t and "Fotboll" not in t for t in titles)
    # The form shows what was chosen, and the filters stay open.
    assert page.locator("#f-focus").input_value() == "arbete"
    assert page.locator(".filter-box").get_attribute("open") is not None
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
