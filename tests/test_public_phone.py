"""Results first on a phone: after a search the filters fold to one line that says
what is chosen; the home page asks for a place or postcode; all of it without
JavaScript (plain <details> and GET forms)."""

import re

from directory.extensions import db

SUMMARY = re.compile(r'<details class="filter-box"( open)?>\s*<summary>(.*?)</summary>', re.S)


def filter_box(body):
    """(is the filter form open, its summary line as text)."""
    found = SUMMARY.search(body)
    assert found, "no folding filter form"
    return bool(found.group(1)), re.sub(r"<[^>]+>", "", found.group(2))


def enabled(factories, slug):
    municipality = factories.municipality(slug)
    municipality.enabled = True
    db.session.commit()
    return municipality


def test_activities_filters_are_open_before_a_search(client, factories):
    factories.activity()
    assert filter_box(client.get("/activities").get_data(as_text=True)) == (
        True, "Filter activities")


def test_after_a_search_the_filters_fold_to_what_is_chosen(client, factories):
    enabled(factories, "goteborg")
    factories.activity(title="Språkcafé")
    body = client.get("/activities?q=Språkcafé&kommun=goteborg&near=Gårdsten&radius_km=5"
                      ).get_data(as_text=True)
    is_open, summary = filter_box(body)
    assert not is_open
    assert summary == "Filters: Språkcafé · Göteborg · Gårdsten · 5 km"
    # The form inside still holds what was chosen, to change it.
    assert 'name="q" type="search" value="Språkcafé"' in body


def test_the_summary_names_focus_areas_groups_languages_and_dates(client, factories):
    factories.activity()
    body = client.get("/activities?focus=arbete&target=barn&spoken=ar&from=2026-12-01"
                      "&to=2026-12-24").get_data(as_text=True)
    is_open, summary = filter_box(body)
    assert not is_open
    assert summary == ("Filters: Work and self-sufficiency · Children · العربية · "
                       "from 1 Dec 2026 · until 24 Dec 2026")


def test_the_summary_is_in_the_pages_language(client, factories):
    factories.activity()
    body = client.get("/activities?q=fika&focus=arbete", headers={"Accept-Language": "sv"}
                      ).get_data(as_text=True)
    is_open, summary = filter_box(body)
    assert not is_open and summary.endswith("fika · Arbete och egen försörjning")


def test_a_searched_word_in_the_summary_is_escaped(client, factories):
    body = client.get("/activities?q=<b>x</b>").get_data(as_text=True)
    assert "<bdi>&lt;b&gt;x&lt;/b&gt;</bdi>" in body


def test_organisations_fold_their_filters_too(client, factories):
    factories.organisation(name="Fritidsgänget")
    is_open, summary = filter_box(client.get("/organisations").get_data(as_text=True))
    assert is_open and summary == "Filter organisations"
    body = client.get("/organisations?q=fritid&focus=arbete&kommun=taby").get_data(
        as_text=True)
    assert filter_box(body) == (False, "Filters: fritid · Work and self-sufficiency · Täby")
    assert 'href="/organisations">Clear filters</a>' in body


def test_home_page_asks_for_a_place_or_postcode(client):
    body = client.get("/").get_data(as_text=True)
    form = re.search(r'<form class="search" action="/activities" method="get"[^>]*'
                     r'aria-label="Activities near a place">(.*?)</form>', body, re.S)
    assert form, "no near-me form on the home page"
    assert '<label for="home-near">Near (town, district, postcode or coordinates)</label>' \
        in form.group(1)
    assert 'id="home-near" name="near"' in form.group(1)
    assert '<button type="submit">Show</button>' in form.group(1)


def test_tap_targets_are_at_least_24_pixels_in_the_stylesheet(client):
    css = client.get("/static/css/site.css").get_data(as_text=True)
    assert re.search(r"\.site-header a[^{]*\{[^}]*min-block-size: 24px", css)
    assert re.search(r"input\[type=checkbox\][^{]*\{[^}]*min-block-size: 24px", css)
