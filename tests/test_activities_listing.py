"""The public occurrence list: walking in time order and collecting by activity give
the same page and total as a plain reading of the rules."""

from dataclasses import replace
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from directory.activities import public, services
from directory.activities.listed import walked_dates
from directory.activities.models import Occurrence
from directory.common.db import is_postgres
from directory.common.filters import parse_filters
from directory.common.listing import COUNT_AHEAD
from directory.common.search import text_matches
from directory.common.time import local_day_bounds, local_today, utcnow
from directory.extensions import db


@pytest.fixture
def listing(factories):
    """Three public organisations' activities and one pending organisation's."""
    taby = factories.organisation(name="Språkvänner Täby")
    gbg = factories.organisation(name="Läxhjälpen Göteborg",
                                 municipality=factories.municipality("goteborg"))
    hidden = factories.organisation(name="Ny förening", status="pending")
    factories.activity(taby, title="Läxhjälp", focus=["utbildning"], targets=["barn"])
    factories.activity(taby, title="Jobbcoachning", focus=["arbete"], targets=["vuxna"],
                       languages=["sv", "en"], weekdays="3", start_time=time(10),
                       end_time=time(12))
    factories.activity(gbg, title="Fotboll för unga", focus=["barn-och-unga"],
                       targets=["unga"], languages=["sv", "so"], weekdays="1",
                       municipality=gbg.municipality)
    factories.activity(gbg, title="Arbetsmarknadskväll", focus=["arbete"],
                       languages=["ar"], weekdays="1", start_time=time(17),
                       end_time=time(19), municipality=gbg.municipality)
    factories.activity(hidden, title="Läxhjälp i hemlighet", focus=["arbete"])
    room = factories.venue().rooms[0]
    factories.activity(taby, title="Språkcafé", room=room, weekdays="4")
    factories.activity(hidden, title="Språkcafé i hemlighet", room=room, weekdays="4")
    # A series with most of its dates in the past, and one date going on right now: a
    # walk in time order starts at the beginning of today, and must not miss it.
    long_series = factories.activity(taby, title="Samtalsgrupp", weekdays="0,2,4",
                                     starts_on=local_today() - timedelta(days=300),
                                     until=local_today() + timedelta(days=20))
    # Every day for two months: more dates than a list counts ahead of its first page.
    factories.activity(gbg, title="Morgonpromenad", weekdays="0,1,2,3,4,5,6",
                       start_time=time(7), end_time=time(8), municipality=gbg.municipality,
                       until=local_today() + timedelta(days=60))
    # Begun earlier today, as far back as today allows (a date starts and ends on one
    # day): a walk starts at the day's first moment.
    now = utcnow()
    today, tomorrow = local_day_bounds(local_today())
    going_on = max(today, now - timedelta(minutes=90))
    db.session.add(Occurrence(activity=long_series, starts_at=going_on,
                              ends_at=min(tomorrow, now + timedelta(minutes=90)),
                              original_starts_at=going_on))
    db.session.commit()
    return {"taby": taby.slug, "gbg": gbg.slug}


def _expected(args, now):
    """Every public occurrence, filtered in Python the way the list documents it."""
    f = parse_filters(args)
    rows = db.session.scalars(select(Occurrence).order_by(Occurrence.starts_at,
                                                          Occurrence.id)).all()
    start = local_day_bounds(f.date_from)[0] if f.date_from else now
    keep = []
    for occ in rows:
        act, org = occ.activity, occ.activity.organisation
        if org.status != "verified" or occ.ends_at <= start:
            continue
        if f.date_to and occ.starts_at >= local_day_bounds(f.date_to)[1]:
            continue
        if f.q and not (text_matches(act.search_text, f.q)
                        or text_matches(org.search_text, f.q)):
            continue
        if f.focus and not {fa.slug for fa in act.focus_areas} & set(f.focus):
            continue
        if f.target and not {tg.slug for tg in act.target_groups} & set(f.target):
            continue
        if f.lang and f.lang not in act.languages:
            continue
        if f.kommun and act.municipality.slug != f.kommun:
            continue
        if f.org and org.slug != f.org:
            continue
        if f.venue and (occ.room is None or occ.room.venue.slug != f.venue):
            continue
        keep.append(occ.id)
    return keep


CASES = [
    {},
    {"q": "LÄXHJÄLP"},           # an activity's title, and an organisation's name
    {"focus": "arbete", "lang": "ar"},
    {"focus": ["arbete", "utbildning"]},
    {"target": "unga"},
    {"kommun": "goteborg"},
    {"org": "taby"},
    {"from": "+7", "to": "+20"},
    {"from": "+3"},
    {"venue": "kemistvagen"},
    {"venue": "kemistvagen", "q": "språk", "from": "+7"},
    {"q": "inget sådant"},       # nothing: a walk on PostgreSQL asks first whether any
    {"q": "läxhjälpen"},          # an organisation's name alone: its activities
    {"q": "UN"},                 # a two-letter word: at a word's start ("unga")
]


def _args(case, listing):
    args = dict(case)
    if args.get("org"):
        args["org"] = listing[args["org"]]
    for name in ("from", "to"):
        if name in args:
            args[name] = (local_today() + timedelta(days=int(args[name]))).isoformat()
    return args


@pytest.mark.parametrize("case", CASES, ids=lambda c: ",".join(c) or "none")
def test_walking_and_collecting_find_the_same_first_dates(listing, case):
    args = _args(case, listing)
    now = utcnow()
    expected = _expected(args, now)
    assert expected or args.get("q") == "inget sådant"
    query = services.occurrence_query(parse_filters(args), now)
    assert (query.plain_since is not None) == (set(case) <= {"from"})
    for wanted in (1, 3, len(expected) + 1):
        assert query.collect(wanted) == expected[:wanted]
        walked = query.walk(wanted)
        # A walk looks at a bounded stretch of coming dates: what it finds is the
        # beginning of the list, all of it when the stretch holds every date.
        assert walked == expected[:len(walked)]
        # Every public date from a moment: the walk's statement built once, the same.
        assert replace(query, plain_since=None).walk(wanted) == walked
        # A page of the walk read with its dates' rows in one statement: the same
        # dates, or none when the list is not walked or the walk ran out.
        for offset, per_page in ((0, wanted), (wanted // 2, 2)):
            for way in (query, replace(query, plain_since=None)):
                page = way.walk_page(wanted, offset, per_page)
                if not way.walks_with_rows or len(walked) < wanted:
                    assert page is None
                    continue
                found, listed = page
                assert found == wanted
                assert [row.id for row, _ in listed] == walked[offset:offset + per_page]
        assert query.first_ids(wanted) == expected[:wanted]
    assert query.walk(len(expected) + 1) == expected
    # Collecting the coming week's first (after a walk that ran out).
    week = now + timedelta(days=7)
    starts = dict(db.session.execute(select(Occurrence.id, Occurrence.starts_at)).all())
    assert query.collect(len(expected) + 1, week) == [i for i in expected
                                                      if starts[i] < week]


@pytest.mark.parametrize("case", [c for c in CASES if "q" in c],
                         ids=lambda c: ",".join(c))
def test_a_search_collects_the_dates_of_its_few_activities_by_their_ids(listing, case):
    """A search matching few activities (PostgreSQL takes this way after a walk ran
    out): their ids from the text indexes, then their dates, the same list; matching
    many, their dates walked in time order among their ids, the same list too."""
    args = _args(case, listing)
    now = utcnow()
    expected = _expected(args, now)
    query = services.occurrence_query(parse_filters(args), now)
    few = query.found_activities(services.FEW_ACTIVITIES)
    starts = dict(db.session.execute(select(Occurrence.id, Occurrence.starts_at)).all())
    week = now + timedelta(days=7)
    # Matching more (PostgreSQL): every coming date walked in time order, each one's
    # activity looked up among their ids.
    found = query.found_activities(10_000)
    assert (few is None) == (len(found) > services.FEW_ACTIVITIES)
    for wanted in (1, 3, len(expected) + 1):
        assert query.collect(wanted, activity_ids=few) == expected[:wanted]
        assert query.collect(wanted, week, few) == [i for i in expected
                                                    if starts[i] < week][:wanted]
        assert query.walk_among(wanted, found) == expected[:wanted]
    assert services.occurrence_query(parse_filters({}), now).found_activities(10) is None


@pytest.mark.parametrize("case", CASES, ids=lambda c: ",".join(c) or "none")
def test_pages_count_only_so_far_ahead_and_hold_every_date_once(listing, case):
    args = _args(case, listing)
    now = utcnow()
    expected = _expected(args, now)
    seen = []
    for number in range(1, 80):
        page = services.public_occurrence_page(parse_filters(args), number, 4, now=now)
        counted_to = number * 4 + COUNT_AHEAD
        assert page.total == min(len(expected), counted_to)
        assert page.counted_all == (len(expected) <= counted_to)
        seen.extend(o.id for o in page.items)
        if not page.has_next:
            break
    assert seen == expected
    assert [o.id for o in db.session.scalars(
        public.public_occurrences(parse_filters(args), now=now))] == expected


def test_a_long_list_says_more_than_and_a_short_one_its_number(client, listing):
    assert len(_expected({}, utcnow())) > 20 + COUNT_AHEAD
    body = client.get("/activities").get_data(as_text=True)
    assert f"More than {20 + COUNT_AHEAD} upcoming times" in body
    assert "Page 1</li>" in body and "Next page" in body
    answer = client.get("/api/v1/occurrences").get_json()
    assert answer["total_items"] == 20 + COUNT_AHEAD
    assert answer["total_items_exact"] is False
    assert answer["last_page"] is False
    week = (local_today() + timedelta(days=6)).isoformat()
    body = client.get(f"/activities?q=jobbcoachning&to={week}").get_data(as_text=True)
    assert "More than" not in body and ("1 upcoming time" in body or "0 upcoming" in body)
    answer = client.get("/api/v1/occurrences?q=fotboll&per_page=100").get_json()
    assert "total_items_exact" not in answer and answer["last_page"] is True
    assert answer["total_items"] == len(answer["contents"]) > 0


def test_a_page_past_the_end_is_empty_with_the_total(listing):
    now = utcnow()
    page = services.public_occurrence_page(parse_filters({}), 1000, 20, now=now)
    assert page.items == [] and page.total == len(_expected({}, now)) > 0


def test_the_spoken_language_filter_leaves_the_interface_language_alone(client, listing):
    """The filter form sends `spoken`: someone reading Arabic who looks for activities in
    Swedish keeps an Arabic page. `lang` still filters too (and sets the interface)."""
    client.get("/language/ar?next=/")
    body = client.get("/activities?spoken=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in body
    assert '<select id="f-lang" name="spoken">' in body
    assert '<option value="ar" lang="ar" selected>' in body
    assert "Arbetsmarknadskväll" in body and "Fotboll för unga" not in body
    body = client.get("/activities?spoken=so").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in body and "Fotboll för unga" in body
    assert "Arbetsmarknadskväll" not in body
    body = client.get("/api/v1/occurrences?spoken=so").get_json()
    assert {i["title"] for i in body["contents"]} == {"Fotboll för unga"}
    body = client.get("/activities?lang=sv").get_data(as_text=True)
    assert '<html lang="sv" dir="ltr">' in body and "Arbetsmarknadskväll" not in body


def test_every_public_date_is_the_same_with_the_hidden_left_out_by_id_or_looked_up(
        app, listing):
    """The walk over every public date leaves out the activities that are not public
    by their ids (activities.hidden) while they are few, else by looking up each
    date's organisation: the same dates either way, the plain reading's."""
    now = utcnow()
    query = services.occurrence_query(parse_filters({}), now=now)
    wanted = 30
    values = query._walk(wanted)[1]
    assert services.HIDDEN in values, "a few hidden activities: left out by id"
    expected = _expected({}, now)[:wanted]
    for by_id in (True, False):
        statement = services._plain_walked_rows(is_postgres(), by_id)
        found, rows = walked_dates(statement, {**values, "page_offset": 0,
                                               "page_size": wanted})
        assert [row.id for row, _ in rows] == expected


@pytest.mark.parametrize("limit", [0, 1, 1000])
def test_ids_read_as_one_array_are_the_ids_and_go_back_as_they_came(listing, limit):
    """PostgreSQL reads a search's matching activities as one text (common.db.IdArray,
    no row per id): none, one or all of them, the same ids the rows give, and the dates
    of those ids found alike from the text and from the list."""
    if not is_postgres():
        pytest.skip("SQLite reads the ids as rows")
    from directory.activities.models import Activity
    from directory.common.db import IdArray, id_array_of, in_ids, in_many_ids
    stmt = select(Activity.id).order_by(Activity.id).limit(limit)
    ids = db.session.scalars(stmt).all()
    found = id_array_of(stmt)
    assert isinstance(found, IdArray) and len(found) == len(ids) and list(found) == ids
    assert bool(found) == bool(ids)
    dates = select(Occurrence.id).order_by(Occurrence.id)
    expected = db.session.scalars(dates.where(Occurrence.activity_id.in_(ids))).all()
    assert len(expected) >= len(ids)
    for condition in (in_ids(Occurrence.activity_id, found),
                      in_many_ids(Occurrence.activity_id, found, services.FOUND)):
        assert db.session.scalars(dates.where(condition)).all() == expected
