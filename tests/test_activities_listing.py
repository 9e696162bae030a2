"""The public occurrence list: walking in time order and collecting by activity give
the same page and total as a plain reading of the rules."""

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from directory.activities import services
from directory.activities.models import Occurrence
from directory.common.filters import parse_filters
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
    # walk in time order starts just before now, and must not miss it.
    long_series = factories.activity(taby, title="Samtalsgrupp", weekdays="0,2,4",
                                     starts_on=local_today() - timedelta(days=300),
                                     until=local_today() + timedelta(days=20))
    going_on = utcnow() - timedelta(minutes=90)
    db.session.add(Occurrence(activity=long_series, starts_at=going_on,
                              ends_at=going_on + timedelta(hours=3),
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
    {"venue": "kemistvagen"},
    {"venue": "kemistvagen", "q": "språk", "from": "+7"},
    {"q": "inget sådant"},
]


@pytest.mark.parametrize("way", ["walk", "collect"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: ",".join(c) or "none")
def test_both_ways_give_the_same_pages_and_total(listing, monkeypatch, way, case):
    if way == "walk":
        monkeypatch.setattr(services, "FEW_MATCHES", 0)
        monkeypatch.setattr(services, "SPREAD", 0)
    else:
        monkeypatch.setattr(services, "FEW_MATCHES", 10 ** 9)
    args = dict(case)
    if args.get("org"):
        args["org"] = listing[args["org"]]
    for name in ("from", "to"):
        if name in args:
            args[name] = (local_today() + timedelta(days=int(args[name]))).isoformat()
    now = utcnow()
    expected = _expected(args, now)
    assert expected or args.get("q") == "inget sådant"
    seen = []
    for number in range(1, 40):
        page = services.public_occurrence_page(parse_filters(args), number, 4, now=now)
        assert page.total == len(expected)
        if not page.items:
            break
        seen.extend(o.id for o in page.items)
    assert seen == expected
    assert [o.id for o in db.session.scalars(
        services.public_occurrences(parse_filters(args), now=now))] == expected


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
