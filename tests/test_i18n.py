"""Languages: complete catalogues, the choice of language, right-to-left Arabic."""

import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "directory" / "translations"


def catalogue(lang):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=lang)


def source_msgids(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([str(ROOT / ".venv" / "bin" / "pybabel"), "extract", "-F",
                    "babel.cfg", "-k", "_l", "-k", "N_", "-o", str(pot), "directory",
                    "templates"], cwd=ROOT, check=True, capture_output=True)
    with open(pot, "rb") as fh:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}


@pytest.mark.parametrize("lang", ["sv", "en", "ar"])
def test_catalogue_is_complete_and_covers_every_string_in_the_sources(lang, tmp_path):
    cat = catalogue(lang)
    untranslated = [m.id for m in cat if m.id and (
        not all(m.string) if isinstance(m.string, tuple) else not m.string)]
    fuzzy = [m.id for m in cat if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in cat if m.id}
    assert source_msgids(tmp_path) - known == set()


@pytest.mark.parametrize("lang", ["sv", "en", "ar"])
def test_compiled_catalogue_matches_the_po_file(lang):
    expected = BytesIO()
    write_mo(expected, catalogue(lang))
    expected.seek(0)
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        compiled = read_mo(fh)
    fresh = read_mo(expected)
    def plain(cat):
        return {tuple(m.id) if isinstance(m.id, list) else m.id:
                tuple(m.string) if isinstance(m.string, list) else m.string
                for m in cat if m.id}
    assert plain(compiled) == plain(fresh)


def test_arabic_pages_are_right_to_left_and_the_choice_is_remembered(client, factories):
    factories.activity(title="Läxhjälp")
    page = client.get("/?lang=ar")
    body = page.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in body
    assert "الأنشطة" in body
    assert "lang=ar" in page.headers["Set-Cookie"]
    later = client.get("/organisations").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in later


def test_accept_language_is_the_first_guess(app):
    client = app.test_client()
    body = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(
        as_text=True)
    assert '<html lang="en" dir="ltr">' in body and "Activities" in body
    body = client.get("/", headers={"Accept-Language": "de-DE"}).get_data(as_text=True)
    assert '<html lang="sv" dir="ltr">' in body and "Aktiviteter" in body


def test_unknown_language_falls_back_without_error(client):
    response = client.get("/?lang=xx")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


@pytest.mark.parametrize("target,expected", [
    ("/activities?q=x", "/activities?q=x"), ("https://evil.example/", "/"),
    ("//evil.example/", "/"), ("/\\evil.example", "/")])
def test_language_switch_goes_back_only_to_this_site(client, target, expected):
    response = client.get("/language/ar", query_string={"next": target})
    assert response.status_code == 303 and response.location == expected
    assert "lang=ar" in response.headers["Set-Cookie"]


def test_dates_follow_the_language(client, factories):
    factories.activity(title="Läxhjälp")  # on Tuesdays
    swedish = client.get("/activities", headers={"Accept-Language": "sv"})
    assert "tisdag" in swedish.get_data(as_text=True)
    english = client.get("/activities")
    assert "Tuesday" in english.get_data(as_text=True)
    arabic = client.get("/activities?lang=ar").get_data(as_text=True)
    assert "الثلاثاء" in arabic


def test_swedish_is_the_default(app):
    body = app.test_client().get("/").get_data(as_text=True)
    assert '<html lang="sv" dir="ltr">' in body and "Hoppa till innehållet" in body
