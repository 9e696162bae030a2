"""The Arabic layout mirrors; pages work without JavaScript and on a phone."""


def test_arabic_page_is_mirrored(page, url):
    page.goto(url("/?lang=sv"))
    width = page.viewport_size["width"]
    box = page.locator(".brand").bounding_box()
    assert box["x"] + box["width"] / 2 < width / 2
    page.goto(url("/?lang=ar"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    box = page.locator(".brand").bounding_box()
    assert box["x"] + box["width"] / 2 > width / 2
    assert page.locator("h1").inner_text() == "ما الذي يحدث للقادمين الجدد"


def test_filters_work_without_javascript(browser, url):
    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    page = context.new_page()
    page.goto(url("/language/sv?next=/activities"))
    before = page.locator(".card").count()
    page.locator(".filter-box > summary").click()
    page.select_option("#f-focus", "arbete")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_url("**/activities?*focus=arbete*")
    titles = page.locator(".card-title").all_inner_texts()
    assert 0 < len(titles) <= before
    assert all("Språkcafé" not in t and "Fotboll" not in t for t in titles)
    context.close()


def test_no_sideways_scrolling_on_a_phone(browser, url):
    context = browser.new_context(viewport={"width": 375, "height": 667})
    page = context.new_page()
    for lang in ("sv", "ar"):
        page.goto(url(f"/language/{lang}?next=/activities"))
        overflow = page.evaluate("document.documentElement.scrollWidth - "
                                 "document.documentElement.clientWidth")
        assert overflow <= 0, lang
    context.close()
