"""The page of places near a place (/activities?near=…): read ring by ring and asked for
dates a batch at a time (activities.nearby.nearest_places), it lists what a plain
reading of the rules lists — every public activity's own place, or the meeting place
its date is in, within the radius and with a coming date, by exact distance, each with
its next date — and counts them exactly, or as "more than" once it stopped looking.
Random radii, pages and filters (hypothesis) over one neighbourhood of some ninety
places, on SQLite and PostgreSQL."""

import random
import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from directory.activities.models import Activity, Occurrence, activity_focus_area
from directory.activities.nearby import _nearest_batches, nearby_page_ids, places_page_ids
from directory.activities.services import occurrence_query
from directory.common.filters import parse_filters
from directory.common.listing import COUNT_AHEAD
from directory.common.time import local_day_bounds, local_today, this_minute
from directory.extensions import db
from directory.geo.distance import distance_km
from directory.organisations.models import Organisation
from directory.taxonomy.models import FocusArea
from directory.venues.models import Room, Venue

CENTRE = (57.8048, 12.02883)  # the gazetteer's Gårdsten
NEAR = f"{CENTRE[0]},{CENTRE[1]}"
# The estimate the rings order by and the geodesic differ by less than this (km).
CLOSE = 0.003


def dates():
    """Every date, with what decides where it is and whether it is listed: plain
    joins, each value as stored."""
    about_work = (select(activity_focus_area.c.activity_id)
                  .join(FocusArea, FocusArea.id == activity_focus_area.c.focus_area_id)
                  .where(activity_focus_area.c.activity_id == Activity.id,
                         FocusArea.slug == "arbete").exists())
    return db.session.execute(
        select(Activity.id, Activity.title, Activity.latitude, Activity.longitude,
               Occurrence.id, Occurrence.starts_at, Occurrence.ends_at, Venue.id,
               Venue.latitude, Venue.longitude, Organisation.status,
               Organisation.lapsed_at, about_work)
        .join(Activity, Activity.id == Occurrence.activity_id)
        .join(Organisation, Organisation.id == Activity.organisation_id)
        .outerjoin(Room, Room.id == Occurrence.room_id)
        .outerjoin(Venue, Venue.id == Room.venue_id)).all()


@pytest.fixture
def neighbourhood(factories):
    """Some ninety activities around Gårdsten on a grid (several at one address), a
    few with no coming date, a few of an organisation that is not public, some in the
    rooms of meeting places with and without coordinates; a third about work."""
    rng = random.Random(18)
    goteborg = factories.municipality("goteborg")
    public = factories.organisation(name="Grannar i nordost", municipality=goteborg)
    pending = factories.organisation(name="Ny förening", status="pending",
                                     municipality=goteborg)
    rooms = [factories.venue(name=f"Mötesplats {n}", slug=f"motesplats-{n}",
                             latitude=CENTRE[0] + dlat, longitude=CENTRE[1] + dlon,
                             municipality=goteborg).rooms[0]
             for n, (dlat, dlon) in enumerate([(0.004, 0.01), (-0.02, 0.03)])]
    unlocated = factories.venue(name="Mötesplats utan karta", slug="utan-karta",
                                latitude=None, longitude=None,
                                municipality=goteborg).rooms[0]
    today, spot = local_today(), CENTRE
    for n in range(90):
        if n % 6:  # every sixth at the address before it
            spot = (round(CENTRE[0] + rng.randint(-45, 45) * 0.001, 6),
                    round(CENTRE[1] + rng.randint(-80, 80) * 0.001, 6))
        kind = rng.random()
        options = dict(latitude=spot[0], longitude=spot[1], weekdays=str(n % 7),
                       until=today + timedelta(days=15),
                       focus=["arbete"] if n % 3 == 0 else [])
        if kind < 0.06:
            options.update(starts_on=today - timedelta(days=30),
                           until=today - timedelta(days=10))
        elif kind < 0.16:
            options["room"] = rooms[n % 2]
        elif kind < 0.2:
            options["room"] = unlocated
        factories.activity(pending if 0.2 <= kind < 0.25 else public,
                           title=f"Aktivitet {n}", **options)
    return {"since": this_minute()}


def placed_dates(since, radius_km, about_work=False, until=None):
    """(place, km, date id, title, start) of every listed date within the radius
    (starting before `until`, if given), by the rules read plainly: a date is at its
    room's meeting place when that has coordinates, else at its activity's own."""
    for (activity_id, title, lat, lon, date_id, starts_at, ends_at, venue_id, venue_lat,
         venue_lon, status, lapsed_at, arbete) in dates():
        if (ends_at <= since or status != "verified" or lapsed_at is not None
                or (about_work and not arbete)
                or (until is not None and starts_at >= until)):
            continue
        if venue_id is not None and venue_lat is not None:
            key, spot = ("v", venue_id, activity_id), (venue_lat, venue_lon)
        elif lat is not None:
            key, spot = ("a", activity_id), (lat, lon)
        else:
            continue
        km = distance_km(CENTRE, spot)
        if km <= radius_km:
            yield key, km, date_id, title, starts_at


def expected(since, radius_km, about_work=False, until=None):
    """{place: (km, its next date's id, title)}."""
    places = {}
    for key, km, date_id, title, starts_at in placed_dates(since, radius_km, about_work,
                                                           until):
        first = places.get(key)
        if first is None or (starts_at, date_id) < first[3]:
            places[key] = (km, date_id, title, (starts_at, date_id))
    return {key: value[:3] for key, value in places.items()}


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(radius_km=st.sampled_from([0.5, 1.0, 2.0, 3.5, 5.0]), about_work=st.booleans(),
       offset=st.integers(0, 30), limit=st.integers(1, 20), beyond=st.integers(1, 10),
       days=st.sampled_from([(None, None), (4, None), (None, 6), (2, 9)]))
def test_a_page_of_places_is_the_nearest_by_the_plain_rules(
        app, neighbourhood, radius_km, about_work, offset, limit, beyond, days):
    """`days`: the dates from and to those days (days from today; None: not asked):
    the statements near a place built once for the dates not ended (from a day: ended
    after its start), built for the filter with a last day."""
    wanted = offset + limit + beyond
    since, until, filters = neighbourhood["since"], None, {}
    if days[0] is not None:
        day = local_today() + timedelta(days=days[0])
        since, filters["from"] = local_day_bounds(day)[0], day.isoformat()
    if days[1] is not None:
        day = local_today() + timedelta(days=days[1])
        until, filters["to"] = local_day_bounds(day)[1], day.isoformat()
    with app.test_request_context():
        total, ids, looked_everywhere = near_page_ids(
            places_page_ids, neighbourhood, radius_km, about_work, offset, limit, wanted,
            **filters)
        places = expected(since, radius_km, about_work, until)
    by_date = {date_id: (km, key) for key, (km, date_id, _) in places.items()}
    assert all(i in by_date for i in ids), "each is a place's next date"
    assert len({by_date[i][1] for i in ids}) == len(ids), "each place once"
    assert_nearest([by_date[i][0] for i in ids], [km for km, _, _ in places.values()],
                   offset, limit)
    assert_counted(total, looked_everywhere, wanted, len(places))


def near_page_ids(page_ids, neighbourhood, radius_km, about_work, offset, limit, wanted,
                  **more):
    """What `page_ids` (nearby.places_page_ids or nearby_page_ids) answers for a list
    near the centre within `radius_km` (of activities about work only, if asked; with
    the filters in `more`)."""
    args = {"near": NEAR, "radius_km": str(radius_km), **more}
    if about_work:
        args["focus"] = "arbete"
    query = occurrence_query(parse_filters(args), now=neighbourhood["since"])
    return page_ids(query, query.nearby, offset, limit, wanted)


def assert_nearest(shown, every_km, offset, limit):
    """The distances shown are those of places offset+1 … offset+limit of every one,
    nearest first (to within the estimate's error)."""
    nearest = sorted(every_km)[offset:offset + limit]
    assert len(shown) == len(nearest)
    assert all(abs(a - b) <= CLOSE for a, b in zip(shown, nearest)), (shown, nearest)


def assert_counted(total, looked_everywhere, wanted, every):
    """Exact when every place was looked at; else at least `wanted`, at most all."""
    if looked_everywhere:
        assert total == every
    else:
        assert wanted <= total <= every


def _page(client, **args):
    html = client.get("/activities", query_string={"near": NEAR, **args},
                      headers={"Accept-Language": "sv"}).get_data(as_text=True)
    titles = re.findall(r'class="card-title"><a [^>]*>(?:<span[^>]*>)?([^<]+)<', html)
    count = re.search(r'<p class="count" role="status">([^<]+)</p>', html).group(1)
    return titles, count


def test_the_page_says_more_than_until_it_has_looked_everywhere(client, neighbourhood):
    places = expected(neighbourhood["since"], 5.0)
    assert len(places) > 20 + COUNT_AHEAD, "the neighbourhood is big enough"
    first, count = _page(client)
    assert count == f"Fler än {20 + COUNT_AHEAD} aktiviteter inom 5 km"
    # Page after page, every place once, nearest first; the last pages, having looked
    # at every place, know how many there are.
    seen = list(first)
    for number in range(2, len(places) // 20 + 2):
        titles, count = _page(client, page=number)
        seen += titles
    assert count == f"{len(places)} aktiviteter inom 5 km"
    by_title = sorted((km, title) for km, _, title in places.values())
    assert sorted(seen) == sorted(title for _, title in by_title)
    kms = {title: km for km, title in by_title}
    shown = [kms[title] for title in seen]
    assert all(a <= b + CLOSE for a, b in zip(shown, shown[1:]))


def test_a_small_radius_counts_exactly(client, neighbourhood):
    places = expected(neighbourhood["since"], 1.0)
    assert 0 < len(places) <= 20 + COUNT_AHEAD
    titles, count = _page(client, radius_km="1")
    word = "aktivitet" if len(places) == 1 else "aktiviteter"
    assert count == f"{len(places)} {word} inom 1 km"
    assert len(titles) == min(20, len(places))


@given(rings=st.lists(st.dictionaries(st.integers(1, 500), st.sampled_from(
           [0.1, 0.25, 0.3, 0.7, 1.2, 1.25, 2.0, 2.5, 3.3, 4.9]), max_size=60), max_size=4),
       size=st.integers(1, 40))
def test_batches_come_in_the_page_order_as_big_as_asked(rings, size):
    # Each ring a little further out than the one before, as within_rings gives them;
    # several activities at one address (the same km): the page orders them by id.
    rings = [{key: km + 5 * n for key, km in ring.items()} for n, ring in enumerate(rings)]
    batches = list(_nearest_batches(iter(rings), size))
    taken = [(km, key) for batch in batches for key, km in batch.items()]
    everything = sorted((km, key) for ring in rings for key, km in ring.items())
    assert taken == everything
    # A batch is as big as asked (doubling each time) unless it ends its ring.
    ends = {max(ring.values()) for ring in rings if ring}
    for n, batch in enumerate(batches):
        assert len(batch) == size * 2 ** n or max(batch.values()) in ends


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(radius_km=st.sampled_from([0.5, 1.0, 2.0, 3.5, 5.0]), about_work=st.booleans(),
       offset=st.integers(0, 60), limit=st.integers(1, 25), beyond=st.integers(1, 40))
def test_a_page_of_every_date_is_the_nearest_by_the_plain_rules(
        app, neighbourhood, radius_km, about_work, offset, limit, beyond):
    """The API's list near a place: every date, nearest place first, then soonest;
    the dates counted only until `wanted` are found."""
    wanted = offset + limit + beyond
    with app.test_request_context():
        total, ids, looked_everywhere = near_page_ids(
            nearby_page_ids, neighbourhood, radius_km, about_work, offset, limit, wanted)
        every = {date_id: (km, key, starts_at) for key, km, date_id, _, starts_at
                 in placed_dates(neighbourhood["since"], radius_km, about_work)}
    assert len(set(ids)) == len(ids) and all(i in every for i in ids)
    assert_nearest([every[i][0] for i in ids], [km for km, _, _ in every.values()],
                   offset, limit)
    for one, other in zip(ids, ids[1:]):  # one place's dates soonest first
        if every[one][1] == every[other][1]:
            assert every[one][2] <= every[other][2]
    assert_counted(total, looked_everywhere, wanted, len(every))


def test_the_api_near_a_place_counts_so_far(client, neighbourhood):
    every = list(placed_dates(neighbourhood["since"], 5.0))
    assert len(every) > 20 + COUNT_AHEAD
    answer = client.get("/api/v1/occurrences", query_string={"near": NEAR}).get_json()
    assert answer["total_items"] == 20 + COUNT_AHEAD
    assert answer["total_items_exact"] is False
    kms = [item["distance_km"] for item in answer["contents"]]
    assert len(kms) == 20 and kms == sorted(kms)
    small = list(placed_dates(neighbourhood["since"], 0.5))
    answer = client.get("/api/v1/occurrences", query_string={
        "near": NEAR, "radius_km": "0.5", "per_page": "100"}).get_json()
    assert answer["total_items"] == len(small) == len(answer["contents"]) > 0
    assert "total_items_exact" not in answer


def test_organisations_near_a_place_nearest_first_counted_so_far(client, factories):
    """/organisations near a place reads them ring by ring too: "Fler än 60 föreningar"
    until it has read the whole radius, each page nearest first, every one once."""
    rng = random.Random(15)
    goteborg = factories.municipality("goteborg")
    for n in range(75):
        spot = (CENTRE[0] + rng.randint(-40, 40) * 0.001,
                CENTRE[1] + rng.randint(-70, 70) * 0.001)
        factories.organisation(name=f"Förening {n:02d}", municipality=goteborg,
                               latitude=spot[0], longitude=spot[1],
                               status="pending" if n % 10 == 0 else "verified")
    shown = {}
    for org in db.session.scalars(select(Organisation).where(
            Organisation.status == "verified")):
        km = distance_km(CENTRE, (org.latitude, org.longitude))
        if km <= 5:
            shown[org.name] = km
    assert len(shown) > 20 + COUNT_AHEAD

    def page(number):
        html = client.get("/organisations", query_string={"near": NEAR, "page": number},
                          headers={"Accept-Language": "sv"}).get_data(as_text=True)
        names = re.findall(r'class="card-title"><a [^>]*>(?:<span[^>]*>)?([^<]+)<', html)
        return names, re.search(r'<p class="count" role="status">([^<]+)</p>', html).group(1)

    names, count = page(1)
    assert count == f"Fler än {20 + COUNT_AHEAD} föreningar"
    for number in range(2, len(shown) // 20 + 2):
        more, count = page(number)
        names += more
    assert count == f"{len(shown)} föreningar"
    assert sorted(names) == sorted(shown)
    kms = [shown[name] for name in names]
    assert all(a <= b + CLOSE for a, b in zip(kms, kms[1:]))


def _open_data_pages(client, path, per_page=10):
    """Every page of an open-data list within 10 km of the centre (its rings 1.25,
    2.5, 5 and 10 km: the neighbourhood lies within 5): (items, the first page's
    envelope, the last page's)."""
    items, envelopes = [], []
    for number in range(1, 40):
        body = client.get(f"/api/v1/{path}", query_string={
            "near": NEAR, "radius_km": 10, "per_page": per_page, "page": number}).get_json()
        envelopes.append(body)
        items += body["contents"]
        if body["last_page"]:
            return items, envelopes[0], body
    raise AssertionError("no last page")


def test_the_open_data_near_a_place_counts_so_far(client, neighbourhood):
    """HSDS services (and services at locations) near a place are read ring by ring
    too: nearest first, every one once, "at least" until the whole radius is read. A
    service is as near as its own place or the nearest meeting place of its dates."""
    expected = {}
    for (activity_id, _, lat, lon, _, _, _, _, venue_lat, venue_lon, status, lapsed_at,
         _) in dates():
        if status != "verified" or lapsed_at is not None:
            continue
        for spot in ((lat, lon), (venue_lat, venue_lon)):
            if spot[0] is not None and (km := distance_km(CENTRE, spot)) <= 10:
                expected[activity_id] = min(km, expected.get(activity_id, km))
    assert len(expected) > 10 + COUNT_AHEAD
    uuids = dict(db.session.execute(select(Activity.uuid, Activity.id)).all())
    services, first, last = _open_data_pages(client, "services")
    assert first["total_items"] == 10 + COUNT_AHEAD and first["total_items_exact"] is False
    assert last["total_items"] == len(expected) and "total_items_exact" not in last
    shown = [uuids[s["id"]] for s in services]
    assert sorted(shown) == sorted(expected)
    kms = [expected[i] for i in shown]
    assert all(a <= b + CLOSE for a, b in zip(kms, kms[1:]))
    pairs, first, last = _open_data_pages(client, "service_at_locations")
    assert first["total_items_exact"] is False and len(pairs) == last["total_items"]
    assert {uuids[p["service_id"]] for p in pairs} == set(expected)
    assert len({(p["service_id"], p["location"]["id"]) for p in pairs}) == len(pairs)


def test_a_search_whose_words_find_many_organisations_lists_the_nearest_matches(
        client, factories):
    """More organisations than searching.FEW_ORGANISATIONS hold the word, so the rings
    are read with the search checked activity by activity (its organisation by its
    key): an activity matches by its own title or by its organisation's name, and the
    page lists the matching places nearest first, whatever else is nearer."""
    from directory.activities.searching import FEW_ORGANISATIONS
    goteborg = factories.municipality("goteborg")
    for n in range(FEW_ORGANISATIONS + 1):
        factories.organisation(name=f"Läxhjälpen {n}", municipality=goteborg)
    neighbours = factories.organisation(name="Grannar i nordost", municipality=goteborg)
    by_name = factories.organisation(name="Läxhjälpen i Gårdsten", municipality=goteborg)
    today = local_today()
    placed = [(neighbours, "Läxhjälp vid torget", 0.002), (neighbours, "Stickcafé", 0.001),
              (by_name, "Språkcafé", 0.004), (neighbours, "Läxhjälp på biblioteket", 0.01),
              (neighbours, "Fotboll", 0.003), (by_name, "Schack", 0.02)]
    for org, title, dlat in placed:
        factories.activity(org, title=title, latitude=CENTRE[0] + dlat, longitude=CENTRE[1],
                           until=today + timedelta(days=15))
    titles, count = _page(client, q="läxhjälp")
    assert titles == ["Läxhjälp vid torget", "Språkcafé", "Läxhjälp på biblioteket",
                      "Schack"]
    assert count == "4 aktiviteter inom 5 km"
