"""Languages: complete catalogues, the choice of language, right-to-left Arabic, dates."""

import gettext
import importlib.util
import re
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from flask_babel import ngettext

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "directory" / "translations"
# Complete: every page. The others: at least every page and message a newcomer meets
# (scripts/newcomer_msgids.py); a coordinator's page may show an English msgid.
COMPLETE = ("sv", "en", "ar")
LANGUAGES = COMPLETE + ("fa", "so", "ti", "uk")
# CLDR's plural categories in the order the catalogues number their forms (for whole
# numbers: Ukrainian's "other" is for fractions only).
PLURAL_ORDER = {"sv": ("one", "other"), "en": ("one", "other"),
                "ar": ("zero", "one", "two", "few", "many", "other"),
                "fa": ("one", "other"), "so": ("one", "other"), "ti": ("one", "other"),
                "uk": ("one", "few", "many")}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]")


def catalogue(lang):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=lang)


def key(message):
    return message.id if isinstance(message.id, str) else message.id[0]


def forms(message):
    return list(message.string) if isinstance(message.string, (tuple, list)) else [
        message.string]


@pytest.fixture(scope="module")
def source_msgids(tmp_path_factory):
    """Every msgid in the code and templates now, extracted as scripts/translations.sh does."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "_ln:1,2", "-k", "N_",
        "--no-location", "-o", str(pot), str(ROOT / "directory"), str(ROOT / "templates")])
    with open(pot, "rb") as fh:
        ids = {key(m) for m in read_po(fh) if m.id}
    assert len(ids) > 300  # the extraction really ran over the sources
    return ids


# ------------------------------------------------------------------ catalogues

def newcomer_script():
    spec = importlib.util.spec_from_file_location(
        "newcomer_msgids", ROOT / "scripts" / "newcomer_msgids.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("lang", COMPLETE)
def test_every_message_is_translated(lang):
    cat = catalogue(lang)
    assert [key(m) for m in cat if m.id and not all(forms(m))] == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_newcomer_message_is_translated(lang):
    """Home, the lists, a date, a venue, an organisation, signing up, the personal page,
    errors, the legal pages and the participant's messages, in every language."""
    assert newcomer_script().missing(lang) == []


def test_the_newcomer_messages_are_the_pages_a_newcomer_meets():
    ids = {msgid if isinstance(msgid, str) else msgid[0]
           for _context, msgid in newcomer_script().newcomer_msgids()}
    assert len(ids) > 250
    assert {"Sign up", "Join the waiting list", "You have a place: %(title)s",
            "Page not found", "Your rights", "%(num)d place left", "Opening hours",
            "No organisations match.", "Write a phone number or an e-mail address.",
            "Skip to content"} <= ids
    assert "Who is coming" not in ids  # an organiser's page


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_message_is_fuzzy_or_has_the_wrong_number_of_forms(lang):
    cat = catalogue(lang)
    fuzzy = [key(m) for m in cat if m.id and m.fuzzy]
    wrong_plurals = [key(m) for m in cat
                     if m.pluralizable and len(forms(m)) != cat.num_plurals]
    assert fuzzy == [] and wrong_plurals == [] and not cat.fuzzy
    assert [(key(m), [str(e) for e in errors]) for m, errors in cat.check()] == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders(lang):
    """Each translation has the msgid's placeholders; a plural's grammatical forms
    (Arabic 'one', 'two', 'zero') may spell the number out, the general form may not."""
    wrong = []
    for message in catalogue(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (tuple, list)) else [message.id]
        expected = set(PLACEHOLDER.findall(ids[-1]))
        strings = forms(message)
        if not any(strings):
            continue  # not translated (a coordinator's page): the msgid is shown
        if not set(PLACEHOLDER.findall(strings[-1])) == expected or any(
                not set(PLACEHOLDER.findall(s)) <= expected for s in strings):
            wrong.append(key(message))
    assert wrong == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_has_every_string_in_the_sources(lang, source_msgids):
    """A string added to the code or a template without a translation fails here:
    run `make translations` and translate what it adds."""
    known = {key(m) for m in catalogue(lang) if m.id}
    assert sorted(source_msgids - known) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogue_is_the_po_file_compiled(lang):
    """The app reads the .mo files (no build step): they must say what the .po says."""
    fresh = BytesIO()
    write_mo(fresh, catalogue(lang))
    fresh.seek(0)
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        committed = read_mo(fh)
    expected = read_mo(fresh)

    def plain(cat):
        return {tuple(m.id) if isinstance(m.id, (tuple, list)) else m.id:
                tuple(m.string) if isinstance(m.string, (tuple, list)) else m.string
                for m in cat if m.id}
    assert plain(committed) == plain(expected)
    assert committed.plural_forms == expected.plural_forms


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_rule_picks_the_forms_in_cldr_order(lang):
    """Arabic has six forms; the header's rule must number them as the translations
    are written (zero, one, two, few 3–10, many 11–99, other 100–102 …)."""
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        cat = read_mo(fh)
    rule = gettext.c2py(cat.plural_expr)
    order = PLURAL_ORDER[lang]
    assert cat.num_plurals == len(order)
    locale = Locale.parse(lang)
    assert [rule(n) for n in range(1001)] == [
        order.index(locale.plural_form(n)) for n in range(1001)]


def test_arabic_plurals_in_use(app):
    forms_seen = []
    for n in (0, 1, 2, 5, 11, 100):
        with app.test_request_context("/?lang=ar"):
            forms_seen.append(ngettext("%(num)d place left", "%(num)d places left", n))
    assert forms_seen == ["لم يبقَ أي مكان", "بقي مكان واحد", "بقي مكانان",
                          "بقيت 5 أماكن", "بقي 11 مكانًا", "بقي 100 مكان"]


def test_the_404_page_in_each_language(app):
    for lang, expected in (("sv", "Sidan finns inte"), ("en", "Page not found"),
                           ("ar", "الصفحة غير موجودة"), ("fa", "صفحه پیدا نشد"),
                           ("so", "Bogga lama helin"), ("ti", "እቲ ገጽ ኣይተረኽበን"),
                           ("uk", "Сторінку не знайдено")):
        body = app.test_client().get(f"/no-such-page?lang={lang}").get_data(as_text=True)
        assert expected in body


# ------------------------------------------------------------ choosing a language

def test_swedish_is_the_default(app):
    body = app.test_client().get("/").get_data(as_text=True)
    assert '<html lang="sv" dir="ltr">' in body and "Hoppa till innehållet" in body


def test_arabic_is_right_to_left_and_the_choice_is_remembered(client, factories):
    factories.activity(title="Läxhjälp")
    page = client.get("/?lang=ar")  # the client also sends Accept-Language: en
    body = page.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in body
    assert "الأنشطة" in body and "انتقل إلى المحتوى" in body
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith("lang=ar;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=31536000" in cookie
    assert "Accept-Language" in page.headers["Vary"] and "Cookie" in page.headers["Vary"]
    later = client.get("/organisations")  # no parameter: the cookie beats Accept-Language
    assert '<html lang="ar" dir="rtl">' in later.get_data(as_text=True)
    assert "Set-Cookie" not in later.headers  # nothing new to remember
    back = client.get("/activities?lang=sv")
    assert back.headers["Set-Cookie"].startswith("lang=sv;")
    assert '<html lang="sv" dir="ltr">' in client.get("/").get_data(as_text=True)


def test_accept_language_is_the_first_guess(app):
    client = app.test_client()
    body = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(
        as_text=True)
    assert '<html lang="en" dir="ltr">' in body and "Skip to content" in body
    body = client.get("/", headers={"Accept-Language": "ar-SE,sv;q=0.5"}).get_data(
        as_text=True)
    assert '<html lang="ar" dir="rtl">' in body
    body = client.get("/", headers={"Accept-Language": "de-DE,fr;q=0.8"}).get_data(
        as_text=True)
    assert '<html lang="sv" dir="ltr">' in body and "Aktiviteter" in body


def test_unsupported_language_falls_back_without_error(app):
    client = app.test_client()
    response = client.get("/?lang=xx", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert '<html lang="en" dir="ltr">' in response.get_data(as_text=True)
    client.set_cookie("lang", "xx")
    response = client.get("/activities?lang=")
    assert response.status_code == 200
    assert '<html lang="sv" dir="ltr">' in response.get_data(as_text=True)
    response = client.get("/language/xx", query_string={"next": "/activities"})
    assert response.status_code == 303 and "Set-Cookie" not in response.headers


def test_the_api_sets_no_language_cookie(client):
    """In the API `lang` filters by spoken language; the API keeps nothing in cookies."""
    response = client.get("/api/v1/occurrences/999999?lang=ar")
    assert response.status_code == 404 and "Set-Cookie" not in response.headers


@pytest.mark.parametrize("target,expected", [
    ("/activities?q=x&focus=halsa", "/activities?q=x&focus=halsa"),
    (None, "/"), ("", "/"),
    ("https://evil.example/", "/"), ("//evil.example/", "/"), ("/\\evil.example", "/"),
    ("\\\\evil.example", "/"), ("https:evil.example", "/"), ("javascript:alert(1)", "/"),
    ("/\t/evil.example", "/"),
    ("/\n/evil.example", "/"),
])
def test_language_switch_goes_back_only_to_this_site(client, target, expected):
    query = {} if target is None else {"next": target}
    response = client.get("/language/ar", query_string=query)
    assert response.status_code == 303 and response.location == expected
    assert response.headers["Set-Cookie"].startswith("lang=ar;")


def test_language_links_come_back_to_the_same_page(client):
    body = client.get("/activities?q=kaffe&lang=ar").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" lang="sv" hreflang="sv"', body).group(1)
    response = client.get(link.replace("&amp;", "&"))
    assert response.status_code == 303 and response.location == "/activities?q=kaffe"
    page = client.get(response.location).get_data(as_text=True)
    assert '<html lang="sv" dir="ltr">' in page and 'value="kaffe"' in page


def test_language_links_keep_the_prefix_the_site_is_served_under(client):
    """Served under /samverkan (SCRIPT_NAME), the way back includes the prefix."""
    body = client.get("/activities?q=kaffe", base_url="http://localhost/samverkan"
                      ).get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" lang="ar" hreflang="ar"', body).group(1)
    assert link.startswith("/samverkan/language/ar?next=")
    response = client.get(link.replace("&amp;", "&")[len("/samverkan"):],
                          base_url="http://localhost/samverkan")
    assert response.location == "/samverkan/activities?q=kaffe"


# ----------------------------------------------------------------------- dates

SWEDISH_MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli",
                  "augusti", "september", "oktober", "november", "december")
ARABIC_MONTHS = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس",
                 "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر")


def day_headings(body):
    return [(date.fromisoformat(day), text.strip()) for day, text in re.findall(
        r'id="day-(\d{4}-\d{2}-\d{2})" class="day-heading">([^<]+)<', body)]


def test_dates_follow_the_language(client, factories):
    factories.activity(title="Läxhjälp")  # on Tuesdays
    swedish = client.get("/activities", headers={"Accept-Language": "sv"}).get_data(
        as_text=True)
    day, heading = day_headings(swedish)[0]
    assert day.weekday() == 1
    assert heading == f"tisdag {day.day} {SWEDISH_MONTHS[day.month - 1]} {day.year}"
    assert "17:00" in swedish

    english = client.get("/activities").get_data(as_text=True)
    day, heading = day_headings(english)[0]
    assert heading.startswith("Tuesday") and day.strftime("%B") in heading

    arabic = client.get("/activities?lang=ar").get_data(as_text=True)
    day, heading = day_headings(arabic)[0]
    assert heading.startswith("الثلاثاء")
    assert ARABIC_MONTHS[day.month - 1] in heading
    assert "Tuesday" not in arabic and "tisdag" not in arabic


def test_one_english_word_can_be_two_in_swedish_and_arabic(app):
    """"Cancelled" and "Rejected" are said of dates, bookings, sign-ups and
    organisations; each has its own context, so each language can agree in gender."""
    from flask_babel import force_locale, pgettext
    with app.test_request_context("/"):
        with force_locale("sv"):
            said = {c: pgettext(c, "Cancelled") for c in ("date", "booking", "sign-up")}
            assert said == {"date": "Inställd", "booking": "Avbokad", "sign-up": "Avanmäld"}
        with force_locale("ar"):
            assert pgettext("organisation", "Rejected") == "مرفوضة"
            assert pgettext("booking", "Rejected") == "مرفوض"


def test_a_template_in_a_forced_language_and_the_page_after_it_each_speak_their_own(app):
    """Templates look the catalogue up once per locale in a request (common.i18n.
    template_translations): a message written in its reader's language in the middle of
    a Swedish request is in that language, and the page after it in Swedish again."""
    from flask import render_template_string
    from flask_babel import force_locale

    with app.test_request_context("/", headers={"Accept-Language": "sv"}):
        said = "{{ _('Log in') }} {{ ngettext('%(num)d upcoming time', " \
               "'%(num)d upcoming times', 2) }}"
        assert render_template_string(said) == "Logga in 2 kommande tillfällen"
        with force_locale("ar"):
            assert render_template_string(said).startswith("تسجيل الدخول")
        with force_locale("sv"):
            assert render_template_string(said).startswith("Logga in")
        assert render_template_string(said).startswith("Logga in")
