"""One list query layer: filters go in, a result comes out. A list query never writes
into the filters it was given; its result holds the page, the total, the distances,
the notices (the parse notices, then the query's) and the place found."""

import copy
import dataclasses

import pytest

from directory.activities.coverage import coverage
from directory.activities.services import public_occurrence_page
from directory.common.filters import parse_filters
from directory.organisations.services import organisation_page

GARDSTEN = (57.8048, 12.02883)

ASKED = {"near": "Gårdsten", "radius_km": "500", "focus": ["arbete", "ingen-sådan"],
         "venue": "ingenstans", "from": "i morgon"}


@pytest.fixture
def listed(factories):
    gbg = factories.municipality("goteborg")
    org = factories.organisation(name="Grannar i nordost", municipality=gbg,
                                 latitude=GARDSTEN[0], longitude=GARDSTEN[1])
    factories.activity(org, title="Jobbcafé", focus=["arbete"],
                       latitude=GARDSTEN[0] + 0.01, longitude=GARDSTEN[1])
    return org


@pytest.mark.parametrize("query", [
    lambda f: public_occurrence_page(f, 1, 20, one_per_place=True),
    lambda f: public_occurrence_page(f, 1, 20),
    lambda f: organisation_page(f, 1, 20),
    lambda f: coverage(f, 2),
], ids=["occurrences near, one per place", "occurrences near", "organisations near",
        "offer map"])
def test_a_list_query_leaves_its_filters_as_they_were(listed, query):
    filters = parse_filters(ASKED)
    before = copy.deepcopy(filters)
    result = query(filters)
    assert filters == before
    # The parse notices first (the date, the radius), then the query's own.
    assert list(result.notices[:2]) == list(before.notices) and len(before.notices) == 2
    assert len(result.notices) > len(before.notices)


def test_the_result_holds_the_place_the_distances_and_the_total(listed):
    filters = parse_filters({"near": "Gårdsten", "radius_km": "5"})
    occurrences = public_occurrence_page(filters, 1, 20)
    assert occurrences.near_place.name == "Gårdsten" and occurrences.total > 0
    assert all(occurrences.distance(o.id) < 1.2 for o in occurrences.items)
    organisations = organisation_page(filters, 1, 20)
    assert [o.id for o in organisations.items] == [listed.id]
    assert organisations.distance(listed.id) == pytest.approx(0, abs=0.01)
    assert organisations.notices == () and organisations.pages == 1
    # Not near a place: no distances are shown, whatever is known.
    plain = public_occurrence_page(parse_filters({}), 1, 20)
    assert plain.near_place is None and plain.distance(plain.items[0].id) is None


def test_filters_are_not_changed_in_place(listed):
    filters = parse_filters({"q": "jobb"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        filters.q = "annat"
    assert filters.but(q="annat").q == "annat" and filters.q == "jobb"


def test_a_long_list_of_organisations_counts_only_so_far_and_pages_hold_each_once(
        client, factories):
    from directory.common.listing import COUNT_AHEAD
    from directory.organisations.models import Organisation
    from directory.extensions import db as database
    for n in range(COUNT_AHEAD + 25):
        factories.organisation(name=f"Förening {n:03d}")
    factories.organisation(name="Förening i väntan", status="pending")
    public = database.session.scalars(
        database.select(Organisation.slug).where(Organisation.status == "verified")
        .order_by(Organisation.name, Organisation.id)).all()
    body = client.get("/organisations").get_data(as_text=True)
    assert f"More than {20 + COUNT_AHEAD} organisations" in body
    seen, page = [], 1
    while True:
        answer = client.get(f"/api/v1/organizations?page={page}&per_page=20").get_json()
        exact = answer.get("total_items_exact", True)
        assert answer["total_items"] == (len(public) if exact
                                         else page * 20 + COUNT_AHEAD)
        seen += [item["slug"] for item in answer["contents"]]
        if answer["last_page"]:
            break
        page += 1
    assert seen == public and "forening-i-vantan" not in seen
    last = client.get(f"/organisations?page={page}").get_data(as_text=True)
    assert f"{len(public)} organisations" in last and "More than" not in last
