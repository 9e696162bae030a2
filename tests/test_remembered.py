"""Values worked out from the data and kept per process (common.remembered):
the filters' choices follow every change at once, and a transaction that wrote keeps
nothing of what it alone sees."""

from datetime import time, timedelta

import pytest
from sqlalchemy import select, update

from directory.activities.services import public_occurrence_page
from directory.common.caching import DataVersion, data_version
from directory.common.filters import parse_filters
from directory.common.time import local_day_bounds, local_today, utcnow
from directory.extensions import db
from directory.taxonomy.models import FocusArea
from directory.taxonomy.services import filter_choices

pytestmark = pytest.mark.usefixtures("clear_of_a_minute_turn")


def _rename(slug, name):
    term = db.session.scalar(select(FocusArea).where(FocusArea.slug == slug))
    term.name = name
    return term


def test_a_renamed_focus_area_is_in_the_next_list_filter(client, factories):
    factories.activity(title="Språkcafé", focus=["arbete"])
    swedish = {"Accept-Language": "sv"}
    assert "Arbete och egen försörjning" in client.get("/activities", headers=swedish).text
    _rename("arbete", "Arbete i Täby")
    db.session.commit()
    for path in ("/activities", "/organisations", "/"):
        assert "Arbete i Täby" in client.get(path, headers=swedish).text


def test_a_transaction_that_wrote_keeps_nothing_of_what_it_alone_sees(app, factories):
    factories.activity(title="Språkcafé", focus=["arbete"])
    names = lambda: [c.name for c in filter_choices()["focus_areas"]]  # noqa: E731
    with app.test_request_context("/activities"):
        before = names()
        assert "Arbete och egen försörjning" in before
        _rename("arbete", "Ej sparat")
        db.session.flush()
        assert "Ej sparat" in names()  # its own view
        db.session.rollback()
        assert names() == before
    with app.test_request_context("/activities"):
        assert names() == before


def test_a_request_reads_the_data_version_once_and_again_after_it_commits(app, factories):
    factories.activity(title="Språkcafé", focus=["arbete"])
    db.session.commit()
    names = lambda: [c.name for c in filter_choices()["focus_areas"]]  # noqa: E731
    with app.test_request_context("/activities"):
        first = data_version()
        assert "Arbete och egen försörjning" in names()
        # A change another process commits meanwhile: this request goes on with the
        # version it read (what it reads after it is at least as new).
        with db.engine.begin() as other:
            other.execute(update(DataVersion).values(counter=DataVersion.counter + 1))
        assert data_version() == first
        # Its own change, committed: the page it then shows has it.
        _rename("arbete", "Arbete i Täby")
        db.session.commit()
        assert data_version() > first
        assert "Arbete i Täby" in names()


def _titles(client, query):
    body = client.get("/api/v1/occurrences?per_page=100&" + query).get_json()
    return {item["title"] for item in body["contents"]}


def test_a_meeting_place_moved_is_near_it_on_the_next_request(client, factories):
    """Which meeting places lie near a place is kept per data version (activities.
    nearby._venues_within): moved, the place is there on the very next page."""
    org = factories.organisation(name="Grannar i nordost")
    venue = factories.venue(name="Mölndals medborgarhus", slug="molndal",
                            latitude=57.6554, longitude=12.01378, rooms=[("Salen", 50)])
    factories.activity(org, title="Kör på mötesplatsen", room=venue.rooms[0],
                       street_address=None, city=None)
    near = "near=G%C3%A5rdsten&radius_km=5"
    assert _titles(client, near) == set()
    assert "Kör på mötesplatsen" not in client.get("/activities?" + near).text
    venue.latitude, venue.longitude = 57.7810, 12.0345  # Hammarkullen, 2.7 km away
    db.session.commit()
    assert _titles(client, near) == {"Kör på mötesplatsen"}
    assert "Kör på mötesplatsen" in client.get("/activities?" + near).text


def test_a_search_finds_an_organisation_renamed_since_it_last_looked(client, factories):
    """Which organisations a search's words find is kept per data version (on
    PostgreSQL: activities.searching.few_organisations): renamed to hold the words,
    an organisation's activities are found on the very next search."""
    kept = factories.organisation(name="Zorbalek Täby")
    factories.activity(kept, title="Kör")
    other = factories.organisation(name="Grannar i Täby")
    factories.activity(other, title="Läxhjälp")
    assert _titles(client, "q=zorbalek") == {"Kör"}
    assert "Läxhjälp" not in client.get("/activities?q=zorbalek").text
    other.name = "Zorbalek Näsby"
    db.session.commit()
    assert _titles(client, "q=zorbalek") == {"Kör", "Läxhjälp"}
    assert "Läxhjälp" in client.get("/activities?q=zorbalek").text


def test_a_search_asked_again_leaves_out_an_organisation_no_longer_public(client, factories):
    """A search asked alone walks the dates with a statement built once per search and
    what it was built with (activities.services._search_walk: the activities not
    public among them): an organisation lapsed since the search was last asked is left
    out of the very next one, and back once it is public again."""
    lapsing = factories.organisation(name="Zorbalek Näsby")
    tomorrow = local_today() + timedelta(days=1)
    every_day = dict(weekdays="0,1,2,3,4,5,6", starts_on=tomorrow,
                     until=tomorrow + timedelta(days=60))  # the walk fills its page
    factories.activity(lapsing, title="Läxhjälp", **every_day)
    factories.activity(factories.organisation(name="Zorbalek Täby"), title="Kör",
                       **every_day)

    def first_titles():
        body = client.get("/api/v1/occurrences?q=zorbalek&per_page=4").get_json()
        return {item["title"] for item in body["contents"]}
    for _ in range(2):
        assert first_titles() == {"Kör", "Läxhjälp"}
        assert "Läxhjälp" in client.get("/activities?q=zorbalek").text
    lapsing.lapsed_at = utcnow()
    db.session.commit()
    assert first_titles() == {"Kör"}
    assert "Läxhjälp" not in client.get("/activities?q=zorbalek").text
    lapsing.lapsed_at = None
    db.session.commit()
    assert first_titles() == {"Kör", "Läxhjälp"}


def test_a_date_under_way_added_since_the_last_page_is_first_on_the_next(app, factories):
    """Where a walk in time order starts (activities.dates_asked.walk_start: the first
    date not ended) is kept per data version and minute: a date added since, already
    under way, is first on the very next page, and dates ended earlier are not."""
    tomorrow = local_today() + timedelta(days=1)
    noon = local_day_bounds(tomorrow)[0] + timedelta(hours=12)
    org = factories.organisation()

    def once(title, start, end):
        factories.activity(org, title=title, recurrence="once", weekdays="", until=None,
                           starts_on=tomorrow, start_time=time(start),
                           end_time=time(end))

    def titles():
        with app.test_request_context("/api/v1/occurrences"):
            page = public_occurrence_page(parse_filters({}), 1, 20, now=noon, rows=True)
            return [row.title for row, _ in page.items]
    once("Morgonfika", 8, 9)
    # Every evening for two months: enough dates for the walk to fill its page.
    factories.activity(org, title="Kvällskör", weekdays="0,1,2,3,4,5,6",
                       starts_on=tomorrow, until=tomorrow + timedelta(days=60),
                       start_time=time(18), end_time=time(20))
    assert titles()[:2] == ["Kvällskör", "Kvällskör"]
    once("Läxhjälp hela dagen", 10, 16)
    assert titles()[:2] == ["Läxhjälp hela dagen", "Kvällskör"]
    assert "Morgonfika" not in titles()


def test_a_search_asked_again_finds_what_was_added_since_its_walk_ran_out(client, factories):
    """A search whose walk ran out keeps the activities its words and other filters
    match per data version (on PostgreSQL: activities.services.OccurrenceQuery.
    found_activities) and, asked again, goes to their dates without walking first: an
    activity added since is found on the very next search, alone or with a filter, and
    one whose organisation lapsed since is left out."""
    org = factories.organisation(name="Grannar i Täby")
    db.session.commit()
    searches = ("q=zorbalek", "q=zorbalek&focus=arbete", "q=zorbalek&lang=ar")
    for _ in range(2):
        for search in searches:
            assert _titles(client, search) == set()
            assert "Zorbalekcafé" not in client.get("/activities?" + search).text
    factories.activity(org, title="Zorbalekcafé", focus=["arbete"], languages=["sv", "ar"])
    db.session.commit()
    for _ in range(2):
        for search in searches:
            assert _titles(client, search) == {"Zorbalekcafé"}
            assert "Zorbalekcafé" in client.get("/activities?" + search).text
    assert _titles(client, "q=zorbalek&focus=halsa") == set()
    org.lapsed_at = utcnow()
    db.session.commit()
    for search in searches:
        assert _titles(client, search) == set()
        assert "Zorbalekcafé" not in client.get("/activities?" + search).text
