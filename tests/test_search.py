"""Search that forgives: case and accents ignored both ways, every language of a text
searched, every word found, on both databases, through the index."""

import re

import pytest
from sqlalchemy import select, text, update

from directory.activities.models import Activity
from directory.activities.services import activity_conditions
from directory.common.db import is_postgres
from directory.common.filters import parse_filters
from directory.common.listing import matches_text
from directory.extensions import db
from directory.organisations.models import Organisation
from directory.organisations.services import resolve_common_filters

_CARD = re.compile(r'class="card-title"><a href="[^"]+">(?:<span[^>]*>)?([^<]+)<')


@pytest.fixture
def world(factories):
    """Språkcafé (with English and Arabic titles) in Täby, a Sprakcafe written without
    accents, homework help in Gårdsten and football; no organisation's own text holds
    any of the words searched for."""
    north = factories.organisation(name="Föreningen Norr", description="Vi träffas.")
    east = factories.organisation(name="Gårdstens vänner", description="Vi träffas.",
                                  city="Gårdsten")
    made = dict(
        cafe=factories.activity(
            north, title="Språkcafé", description="Prata svenska över en kopp kaffe.",
            translations={"en": {"title": "Language café",
                                 "description": "Speak Swedish over coffee."},
                          "ar": {"title": "مقهى اللغة"}}),
        plain=factories.activity(north, title="Sprakcafe utan prickar",
                                 description="Samma sak.", weekdays="2"),
        homework=factories.activity(east, title="Läxhjälp", description="Med läxorna.",
                                    city="Gårdsten", weekdays="3"),
        football=factories.activity(north, title="Fotboll", description="Boll på gräs.",
                                    weekdays="4"))
    return {name: activity.id for name, activity in made.items()}


def _titles(client, q, path="/activities"):
    """The titles a Swedish reader sees on the list page searched for `q`."""
    response = client.get(path, query_string={"q": q},
                          headers={"Accept-Language": "sv"})
    assert response.status_code == 200
    return set(_CARD.findall(response.get_data(as_text=True)))


def _services(client, search):
    body = client.get("/api/v1/services", query_string={"search": search},
                      headers={"Accept-Language": "sv"}).get_json()
    return {s["name"] for s in body["contents"]}


@pytest.mark.parametrize("q", ["sprakcafe", "SPRÅKCAFÉ", "språkcafe", "Sprakcafé"])
def test_accents_and_case_are_forgiven_both_ways(client, world, q):
    assert _titles(client, q) == {"Språkcafé", "Sprakcafe utan prickar"}
    assert _services(client, q) == {"Språkcafé", "Sprakcafe utan prickar"}


def test_a_district_is_found_without_its_ring(client, world):
    assert _titles(client, "Gardsten") == {"Läxhjälp"}
    assert _titles(client, "gardsten", "/organisations") == {"Gårdstens vänner"}
    body = client.get("/api/v1/organizations?q=GARDSTEN").get_json()
    assert [o["name"] for o in body["contents"]] == ["Gårdstens vänner"]


def test_translations_are_searched(client, world):
    assert _titles(client, "language cafe") == {"Språkcafé"}
    assert _titles(client, "Language Café") == {"Språkcafé"}
    assert _titles(client, "مقهى") == {"Språkcafé"}
    assert _titles(client, "مَقْهَى اللغة") == {"Språkcafé"}  # vowel marks are forgiven
    assert _services(client, "speak swedish") == {"Språkcafé"}


def test_every_word_must_be_found_in_any_order_and_the_last_may_be_begun(client, world):
    assert _titles(client, "cafe language") == {"Språkcafé"}
    assert _titles(client, "language gardsten") == set()
    assert _titles(client, "läxhjälp gårdsten") == {"Läxhjälp"}
    assert _titles(client, "sprak") == {"Språkcafé", "Sprakcafe utan prickar"}
    assert _titles(client, "kaffe sv") == {"Språkcafé"}  # a short word is found too
    assert _titles(client, "hjälp") == {"Läxhjälp"}  # inside a compound


def test_a_word_of_one_or_two_letters_is_found_at_the_start_of_a_word(client, world):
    """"sv" finds "svenska"; "ff", inside "kaffe", "coffee" and the organisations'
    "träffas", finds nothing: no word begins with it."""
    assert _titles(client, "sv") == {"Språkcafé"}
    assert _titles(client, "SA") == {"Sprakcafe utan prickar"}  # "Samma sak."
    assert _titles(client, "ff") == set()
    assert _titles(client, "ff", "/organisations") == set()
    assert _titles(client, "p") == {"Språkcafé", "Sprakcafe utan prickar", "Fotboll"}
    body = client.get("/api/v1/occurrences", query_string={"q": "sv kopp"},
                      headers={"Accept-Language": "sv"}).get_json()
    assert {c["title"] for c in body["contents"]} == {"Språkcafé"}


def test_a_feed_and_the_dates_api_search_alike(client, world):
    feed = client.get("/activities/calendar.ics", query_string={"q": "sprakcafe"},
                      headers={"Accept-Language": "sv"})
    assert feed.status_code == 200
    summaries = set(re.findall(r"SUMMARY[^:]*:(.*)\r", feed.get_data(as_text=True)))
    assert summaries == {"Språkcafé", "Sprakcafe utan prickar"}
    body = client.get("/api/v1/occurrences?q=language%20cafe").get_json()
    assert body["contents"] and {c["title"] for c in body["contents"]} == {"Language café"}


def test_an_edited_title_is_found_and_the_old_one_no_longer(client, world):
    cafe = db.session.get(Activity, world["cafe"])
    cafe.title, cafe.translations = "Schackklubb", {}
    db.session.commit()
    assert _titles(client, "schack") == {"Schackklubb"}
    assert _titles(client, "language cafe") == set()
    # A write that bypasses the models (a bulk update) keeps the index too.
    db.session.execute(update(Activity).where(Activity.id == world["football"])
                       .values(search_text="innebandy"))
    db.session.commit()
    assert _titles(client, "innebandy") == {"Fotboll"}
    assert _titles(client, "fotboll") == set()
    db.session.delete(db.session.get(Activity, world["football"]))
    db.session.commit()
    assert _titles(client, "innebandy") == set()


SYNTAX = ['"', '"sprak', 'sprak"', "sprak*", "-sprak", "NEAR(sprak cafe)", "(", ")",
          "sprak OR fotboll", "AND", "NOT", "'", "\\", "^sprak", "title:sprak", "{sprak}",
          "*", "%", "_", "a", "sprak + cafe", '""""', "sprak AND NOT cafe", "🙂"]


@pytest.mark.parametrize("q", SYNTAX)
def test_search_syntax_is_only_text(client, world, q):
    for path in ("/activities", "/organisations", "/api/v1/services?search=",
                 "/api/v1/occurrences?q=", "/api/v1/organizations?q=",
                 "/activities/calendar.ics?q="):
        if path.endswith("="):
            response = client.get(path + q)
        else:
            response = client.get(path, query_string={"q": q})
        assert response.status_code == 200, (path, q)


def test_syntax_characters_are_not_operators(client, world):
    assert _titles(client, "sprak*") == {"Språkcafé", "Sprakcafe utan prickar"}
    assert _titles(client, "NEAR(language cafe)") == set()  # "near" is a word here
    assert _titles(client, "-fotboll") == {"Fotboll"}
    assert _titles(client, "%") == set()
    assert _titles(client, "_") == set()


def _conditions(q):
    filters = parse_filters({"q": q})
    return activity_conditions(resolve_common_filters(filters), filters.q)


def _plan(statement):
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    rows = db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
    return [row[-1] for row in rows]


def test_sqlite_finds_words_through_the_index_without_reading_every_row(world):
    if is_postgres():
        pytest.skip("SQLite's plan")
    plan = _plan(select(Activity.id).where(*_conditions("language cafe")))
    assert any(p.startswith("SCAN activity_search VIRTUAL TABLE") for p in plan), plan
    assert any(p.startswith("SCAN organisation_search VIRTUAL TABLE") for p in plan), plan
    assert not any(re.fullmatch(r"SCAN (activity|organisation)\b.*", p)
                   and "VIRTUAL" not in p for p in plan), plan
    # A two-letter word is found at a word's start: three characters with the space.
    plan = _plan(select(Activity.id).where(matches_text(Activity, "sv")))
    assert any(p.startswith("SCAN activity_search VIRTUAL TABLE") for p in plan), plan
    plan = _plan(select(Organisation.id).where(matches_text(Organisation, "gardsten")))
    assert not any(p.startswith("SCAN organisation ") or p == "SCAN organisation"
                   for p in plan), plan


def test_postgres_has_a_trigram_index_that_serves_the_search(world):
    if not is_postgres():
        pytest.skip("PostgreSQL's index")
    names = set(db.session.scalars(text(
        "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%gin_trgm_ops%'")))
    assert {"ix_activity_search", "ix_organisation_search"} <= names
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    statement = select(Activity.id).where(matches_text(Activity, "language cafe"))
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))
    assert "ix_activity_search" in plan, plan
    for q in ("qq", "sv"):  # a short word: its start, with the space before it
        statement = select(Activity.id).where(matches_text(Activity, q))
        compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))
        assert "ix_activity_search" in plan, plan
    db.session.rollback()


def test_the_migration_refolds_existing_rows_and_indexes_them(tmp_path, worker_id):
    """0014 writes every row's text again (accents away, an activity's city in) and
    fills the index, so rows from before it are found like new ones."""
    from flask_migrate import upgrade

    from directory import create_app
    from tests.conftest import config_for_tests
    from tests.test_migrations import _fresh_database

    app = create_app(config_for_tests(_fresh_database(tmp_path, worker_id, "search")))
    with app.app_context():
        upgrade(revision="0012")
        with db.engine.begin() as conn:
            municipality = conn.scalar(text("SELECT id FROM municipality ORDER BY id LIMIT 1"))
            conn.execute(text(
                "INSERT INTO organisation (slug, name, description, translations, kind, "
                "municipality_id, language_codes, status, created_at, updated_at, "
                "search_text, uuid) VALUES ('norr', 'Norr', 'Vi träffas.', '{}', "
                "'forening', :m, '', 'verified', :at, :at, 'norr vi träffas.', "
                "'6f1c1a52-6b0e-4d4a-9d1e-2f6f0c1b7a11')"),
                {"m": municipality, "at": "2026-01-01 00:00:00"})
            conn.execute(text(
                "INSERT INTO activity (organisation_id, municipality_id, title, description,"
                " translations, language_codes, cost, registration_required, city,"
                " recurrence, starts_on, start_time, end_time, interval, weekdays, status,"
                " sequence, created_at, updated_at, search_text, uuid) SELECT id, :m,"
                " 'Språkcafé', '', :tr, '', '', false, 'Gårdsten', 'once', '2026-01-02',"
                " '17:00:00', '18:00:00', 1, '', 'active', 0, :at, :at, 'språkcafé',"
                " '0b9d8f1e-3c2a-4f5b-8e7d-6a5b4c3d2e1f' FROM organisation"),
                {"m": municipality, "at": "2026-01-01 00:00:00",
                 "tr": '{"en": {"title": "Language café"}}'})
        upgrade()
        for q in ("sprakcafe", "language cafe", "gardsten", "språk"):
            assert db.session.scalars(select(Activity.title).where(
                matches_text(Activity, q))).all() == ["Språkcafé"], q
        assert db.session.scalars(select(Organisation.name).where(
            matches_text(Organisation, "traffas"))).all() == ["Norr"]
        db.session.remove()
        db.engine.dispose()


def test_meeting_places_are_searched_by_the_same_rule(client, factories):
    """/api/v1/locations?search= finds a meeting place across accents and case, by its
    name, street or city, as every other search does."""
    factories.venue()  # Mötesplats Kemistvägen, Kemistvägen 17, Täby

    def names(search):
        body = client.get("/api/v1/locations", query_string={"search": search}).get_json()
        return [loc["name"] for loc in body["contents"]]

    for search in ("kemistvagen", "KEMISTVÄGEN", "motesplats taby", "Kemist"):
        assert names(search) == ["Mötesplats Kemistvägen"], search
    assert names("kemistvägen göteborg") == []
