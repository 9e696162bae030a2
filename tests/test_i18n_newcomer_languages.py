"""Persian, Somali, Tigrinya and Ukrainian: the pages and messages a newcomer meets in
their language, Persian right to left, Tigrinya with a font for its script."""

import functools
import html
import importlib.util
import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import current_app
from flask_babel import force_locale, ngettext

from directory.common.time import utcnow
from directory.extensions import db
from directory.messages.models import Message
from directory.signups.services import sign_up

# Per language: its direction, and words each page must show in it.
PAGES = {
    "fa": ("rtl", {"home": "برنامه‌هایی برای تازه‌واردان", "list": "فیلتر کردن فعالیت‌ها",
                   "date": "ثبت‌نام لازم است", "form": "نام کوچک (یا نامی که شما را با آن صدا کنیم)",
                   "mine": "جای شما رزرو شده است."}),
    "so": ("ltr", {"home": "Waxa u socda dadka cusub", "list": "Shaandhee hawlaha",
                   "date": "Is-diiwaangelin ayaa loo baahan yahay",
                   "form": "Magaca hore (ama magac aan kugu yeeri karno)",
                   "mine": "Boos ayaad leedahay."}),
    "ti": ("ltr", {"home": "ንሓደስቲ መጻእቲ እንታይ ኣሎ", "list": "ንጥፈታት ኣጻርዩ",
                   "date": "ምዝገባ የድሊ", "form": "ቀዳማይ ስም (ወይ ክንጽውዓኩም እንኽእል ስም)",
                   "mine": "ቦታ ኣለኩም።"}),
    "uk": ("ltr", {"home": "Що відбувається для новоприбулих", "list": "Фільтрувати заходи",
                   "date": "Потрібна реєстрація", "form": "Ім’я (або як до вас звертатися)",
                   "mine": "У вас є місце."}),
}
ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]")


@functools.cache
def english_msgids(lang):
    """The newcomer pages' English texts (without placeholders) that read otherwise in
    `lang`: none of them may be a page's whole text there (a msgid nobody translated)."""
    spec = importlib.util.spec_from_file_location(
        "newcomer_msgids", ROOT / "scripts" / "newcomer_msgids.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path = ROOT / "directory" / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as fh:
        catalog = read_po(fh, locale=lang)
    english = set()
    for context, msgid in module.newcomer_msgids():
        if isinstance(msgid, str) and not PLACEHOLDER.search(msgid):
            if catalog.get(msgid, context=context).string != msgid:
                english.add(msgid)
    return english


@pytest.fixture
def occ(factories):
    activity = factories.activity(title="Läxhjälp", registration_required=True,
                                  default_capacity=2)
    return next(o for o in activity.occurrences if o.starts_at > utcnow() + timedelta(days=2))


def english_left(body, lang):
    body = re.sub(r"<(script|style)\b.*?</\1>", "", body, flags=re.S)
    texts = {html.unescape(t).strip() for t in re.split(r"<[^>]+>", body)}
    texts |= {html.unescape(t) for t in re.findall(r'(?:aria-label|title)="([^"]+)"', body)}
    return sorted(texts & english_msgids(lang))


@pytest.mark.parametrize("lang", sorted(PAGES))
def test_a_newcomer_s_pages_in_the_language(app, occ, lang):
    direction, words = PAGES[lang]
    client = app.test_client()
    first = client.get(f"/?lang={lang}")
    assert first.headers["Set-Cookie"].startswith(f"lang={lang};")
    pages = {"home": first, "list": client.get("/activities"),
             "date": client.get(f"/occurrences/{occ.id}"),
             "form": client.get(f"/occurrences/{occ.id}/signup")}
    signed_up = client.post(f"/occurrences/{occ.id}/signup",
                            data={"name": "Amina", "contact": "070-123 45 67"},
                            follow_redirects=True)
    assert signed_up.request.path.startswith("/signups/")
    pages["mine"] = signed_up
    for name, page in pages.items():
        body = page.get_data(as_text=True)
        assert page.status_code == 200, name
        assert f'<html lang="{lang}" dir="{direction}">' in body, name
        assert words[name] in body, name
        assert english_left(body, lang) == [], name
    # Times on a 24-hour clock, whatever the language writes dates like.
    date_page = pages["date"].get_data(as_text=True)
    assert re.search(r"\d\d:\d\d–\d\d:\d\d</time>", date_page)
    assert not re.search(r"\b(AM|PM)\b", date_page)


@pytest.mark.parametrize("lang", sorted(PAGES))
def test_the_other_pages_a_newcomer_meets_in_the_language(app, factories, occ, lang):
    venue = factories.venue()
    organisation = occ.activity.organisation
    client = app.test_client()
    client.set_cookie("lang", lang)
    paths = ["/organisations", f"/organisations/{organisation.slug}", "/venues",
             f"/venues/{venue.slug}", f"/activities/{occ.activity_id}", "/accessibility",
             "/privacy", "/contact", "/no-such-page", "/activities?from=notadate",
             "/activities?q=nothing-matches-this"]
    pages = {path: client.get(path) for path in paths}
    pages["sent"] = client.post(f"/occurrences/{occ.id}/resend",
                                data={"contact": "070-000 00 00"}, follow_redirects=True)
    pages["errors"] = client.post(f"/occurrences/{occ.id}/signup", data={"name": ""})
    for name, page in pages.items():
        body = page.get_data(as_text=True)
        expected = {"/no-such-page": 404, "errors": 422}.get(name, 200)
        assert page.status_code == expected, name
        assert f'<html lang="{lang}"' in body, name
        assert english_left(body, lang) == [], name
    assert 'class="error"' in pages["errors"].get_data(as_text=True)
    # The check is live: the same page in English is full of them.
    english = app.test_client().get("/organisations?lang=en").get_data(as_text=True)
    assert {"Organisations", "Filter organisations", "Skip to content"} <= set(
        english_left(english, lang))


def test_the_switch_offers_every_language_in_its_own_name(client):
    body = client.get("/activities?lang=fa").get_data(as_text=True)
    switch = body[body.index('class="lang-switch"'):]
    links = re.findall(r'<a href="[^"]+" lang="(\w+)" hreflang="\1"[^>]*>([^<]+)</a>', switch)
    assert links == [("sv", "Svenska"), ("en", "English"), ("ar", "العربية"),
                     ("fa", "فارسی"), ("so", "Soomaali"), ("ti", "ትግርኛ"),
                     ("uk", "Українська")]
    assert re.search(r'lang="fa" hreflang="fa" aria-current="true"', switch)
    response = client.get("/language/ti", query_string={"next": "/organisations"})
    assert response.status_code == 303 and response.location == "/organisations"
    assert response.headers["Set-Cookie"].startswith("lang=ti;")
    assert '<html lang="ti" dir="ltr">' in client.get("/organisations").get_data(as_text=True)


@pytest.mark.parametrize("header,expected", [
    ("fa-IR,fa;q=0.9", "fa"), ("fa-AF", "fa"), ("prs", "fa"), ("so-SO", "so"),
    ("ti-ER,ti;q=0.9", "ti"), ("uk-UA,uk;q=0.9,ru;q=0.8", "uk"),
])
def test_the_browser_s_language_is_the_first_guess(app, header, expected):
    body = app.test_client().get("/", headers={"Accept-Language": header}).get_data(
        as_text=True)
    assert f'<html lang="{expected}"' in body


def test_persian_mirrors_like_arabic(client):
    body = client.get("/?lang=fa").get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in body


@pytest.mark.parametrize("lang,numbers", [
    ("uk", {1: "Залишилося 1 місце", 2: "Залишилося 2 місця", 5: "Залишилося 5 місць",
            11: "Залишилося 11 місць", 21: "Залишилося 21 місце", 22: "Залишилося 22 місця",
            112: "Залишилося 112 місць"}),
    ("ti", {0: "0 ቦታ ተሪፉ", 1: "1 ቦታ ተሪፉ", 2: "2 ቦታታት ተሪፎም"}),
    ("so", {1: "1 boos ayaa haray", 3: "3 boos ayaa haray"}),
    ("fa", {1: "1 جای خالی باقی مانده است", 7: "7 جای خالی باقی مانده است"}),
])
def test_plurals_follow_each_language(app, lang, numbers):
    with app.test_request_context("/"), force_locale(lang):
        said = {n: ngettext("%(num)d place left", "%(num)d places left", n) for n in numbers}
    assert said == numbers


@pytest.mark.parametrize("lang,weekday", [
    ("fa", "سه‌شنبه"), ("so", "Talaado"), ("ti", "ሰሉስ"), ("uk", "вівторок")])
def test_dates_are_written_in_the_language(client, factories, lang, weekday):
    factories.activity(title="Läxhjälp")  # on Tuesdays, 17:00–18:30
    client.set_cookie("lang", lang)  # `?lang=` would also ask for activities in it
    body = client.get("/activities").get_data(as_text=True)
    headings = re.findall(r'class="day-heading">([^<]+)<', body)
    assert headings and headings[0].startswith(weekday)
    assert ">17:00<" in body and ">18:30<" in body


def subjects():
    return {m.recipient: m.subject for m in db.session.scalars(db.select(Message))}


def test_a_participant_gets_messages_in_the_language_they_chose(app, occ):
    sign_up(occ.id, "Amina", "amina@example.se", "so")
    sign_up(occ.id, "Farid", "farid@example.se", "prs")  # Dari readers read Persian
    sign_up(occ.id, "Olena", "olena@example.se", None, interface_language="uk")
    sign_up(occ.id, "Yonas", "yonas@example.se", "ti")  # the waiting list
    db.session.commit()
    assert subjects() == {"amina@example.se": "Boos ayaad leedahay: Läxhjälp",
                          "farid@example.se": "جای شما رزرو شد: Läxhjälp",
                          "olena@example.se": "Список очікування: Läxhjälp",
                          "yonas@example.se": "ዝርዝር ምጽባይ፦ Läxhjälp"}
    message = db.session.scalars(db.select(Message).filter_by(
        recipient="amina@example.se")).one()
    assert message.language == "so"
    assert "Salaan Amina," in message.body and "Waqtiga:" in message.body


def test_the_interface_language_is_used_when_none_was_chosen(app, factories):
    activity = factories.activity(title="Språkcafé", registration_required=True,
                                  default_capacity=5)
    occ = next(o for o in activity.occurrences if o.starts_at > utcnow())
    sign_up(occ.id, "Olena", "olena@example.se", None, interface_language="uk")
    sign_up(occ.id, "Kurd", "kurd@example.se", "ku", interface_language="sv")
    db.session.commit()
    assert subjects() == {"olena@example.se": "У вас є місце: Språkcafé",
                          "kurd@example.se": "Du har en plats: Språkcafé"}
    assert "uk" in current_app.config["LANGUAGES"]


def test_the_ethiopic_font_is_shipped_and_loaded_only_for_its_script(client):
    css = client.get("/static/css/site.css").get_data(as_text=True)
    faces = re.findall(r"@font-face\s*{[^}]*}", css)
    assert len(faces) == 2
    for face in faces:
        assert '"Samverkan Ethiopic"' in face and "unicode-range: U+1200-139F" in face
        font = re.search(r'url\("\.\./fonts/([^"]+\.woff2)"\)', face).group(1)
        response = client.get(f"/static/fonts/{font}")
        assert response.status_code == 200 and response.mimetype == "font/woff2"
        assert response.get_data()[:4] == b"wOF2"
    assert '"Samverkan Ethiopic", sans-serif' in css
    assert client.get("/static/fonts/OFL.txt").status_code == 200
