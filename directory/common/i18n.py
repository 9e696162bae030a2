"""Languages: which one a request gets, and translated fields of the models."""

import json
from functools import lru_cache
from urllib.parse import parse_qsl

import orjson
from babel import Locale, UnknownLocaleError
from flask import current_app, g, has_request_context, request
from flask_babel import get_locale, get_translations, gettext
from flask_babel.speaklater import LazyString
from jinja2 import pass_eval_context
from markupsafe import Markup, escape
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header, parse_cookie


def _as_plain_text(self):
    """A translated text is plain text, escaped in a template like any other string.
    Flask-Babel's lazy strings pass themselves off as markup (`__html__` returns the
    text unescaped), so a value put into one (a searched word, an organisation's name, a
    closure's reason) would reach the page as HTML. No message of ours holds markup."""
    return escape(str(self))


LazyString.__html__ = _as_plain_text

LANG_COOKIE = "lang"
# Languages written right to left (the page gets dir="rtl").
RTL_LANGUAGES = ("ar", "fa", "ur", "he")
# The languages people speak that activities, organisations and sign-ups name: the
# "spoken language" filter and a participant's language, in this order.
SPOKEN_LANGUAGES = ("sv", "en", "ar", "fa", "prs", "so", "ti", "uk", "ku", "tr", "ru",
                    "bs", "pl", "fr", "es", "de", "am", "sq", "ps")
# Names of languages in themselves, for language lists and the switcher.
LANGUAGE_NAMES = {
    "sv": "Svenska", "en": "English", "ar": "العربية", "fa": "فارسی", "prs": "دری",
    "so": "Soomaali", "ti": "ትግርኛ", "uk": "Українська", "de": "Deutsch",
    "fr": "Français", "es": "Español", "ru": "Русский", "tr": "Türkçe",
    "ku": "Kurdî", "bs": "Bosanski", "pl": "Polski", "fi": "Suomi", "am": "አማርኛ",
    "sq": "Shqip", "ps": "پښتو",
}


# Spoken languages whose readers read another interface language: Dari is written as
# Persian is, and Dari readers read the Persian interface.
READ_AS = {"prs": "fa"}


# A spoken language as Babel's (CLDR's) names know it, where its own code is not there:
# CLDR names Dari as the Persian of Afghanistan.
_CLDR_CODES = {"prs": "fa_AF"}


def spoken_language_name(code, reader=None):
    """A language's name in the reader's language ("arabiska" for a Swedish reader,
    "Arabic" for an English one), else its name in itself, else the code."""
    reader = reader or current_lang()
    try:
        names = Locale.parse(reader).languages
    except (UnknownLocaleError, ValueError):
        names = {}
    name = names.get(_CLDR_CODES.get(code, code))
    return name or LANGUAGE_NAMES.get(code, code)


def translation_languages():
    """The languages a text written in Swedish may be translated into: the configured
    interface languages but Swedish, in their configured order."""
    return tuple(code for code in current_app.config["LANGUAGES"]
                 if code != TranslatableMixin.ORIGINAL_LANG)


def merge_translations(old, given):
    """Translations after an edit: `given` ({"ar": {"name": "…", "description": ""}})
    replaces, field by field, what `old` holds; an empty text removes that field, a
    language left without any is dropped, and languages `given` does not name (one no
    longer configured) are kept as they were."""
    merged = {lang: dict(fields) for lang, fields in (old or {}).items() if fields}
    for lang, fields in (given or {}).items():
        entry = merged.get(lang, {})
        for field, text in fields.items():
            text = (text or "").strip()
            if text:
                entry[field] = text
            else:
                entry.pop(field, None)
        if entry:
            merged[lang] = entry
        else:
            merged.pop(lang, None)
    return merged


def interface_language_for(code):
    """The configured interface language that readers of `code` read, or None."""
    code = READ_AS.get(code, code)
    return code if code in current_app.config["LANGUAGES"] else None


# The locale a language's dates and numbers are written in, where it is not the
# language's own default: English as in Britain ("27 November 2026", a 24-hour clock),
# not as in the United States. Translations are still the language's (en_GB finds en).
FORMAT_LOCALES = {"en": "en_GB"}


def select_locale():
    """The request's locale: its language (chosen_language) as FORMAT_LOCALES writes it."""
    code = chosen_language()
    return FORMAT_LOCALES.get(code, code)


def chosen_language():
    """The request's language: `?lang=`, then the cookie, then Accept-Language, then sv."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    code = pick_language(asked, request.cookies.get(LANG_COOKIE), request.accept_languages,
                         current_app.config["LANGUAGES"],
                         current_app.config["BABEL_DEFAULT_LOCALE"])
    if code == asked:
        g.set_lang_cookie = asked
    return code


def pick_language(asked, remembered, accept_languages, supported, default):
    """The language of a request asking `?lang=asked`, with the language cookie
    `remembered` and these Accept-Language values ((tag, quality) pairs): the first of
    them that is `supported`, else `default`."""
    if asked in supported:
        return asked
    if remembered in supported:
        return remembered
    # In the visitor's order: "en-GB,sv;q=0.5" is English (Werkzeug's best_match
    # would prefer the exact "sv" to the regional "en-GB").
    for tag, quality in accept_languages:
        tag = tag.replace("_", "-").lower()
        for code in (tag, tag.split("-")[0]):
            code = READ_AS.get(code, code)
            if quality > 0 and code in supported:
                return code
    return default


def language_inputs(environ):
    """What a request says about its language, read from the WSGI environ as Flask's
    request reads it: (the first `?lang=`, the language cookie, Accept-Language)."""
    query = environ.get("QUERY_STRING", "")
    asked = None
    if "lang=" in query:
        asked = next((value for name, value in parse_qsl(
            query.encode("latin-1").decode(errors="replace"), keep_blank_values=True)
            if name == "lang"), None)
    cookie = environ.get("HTTP_COOKIE")
    remembered = parse_cookie(cookie).get(LANG_COOKIE) if cookie else None
    accepted = parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept)
    return asked, remembered, accepted


def language_to_remember(asked, remembered, path):
    """The language a page answer keeps in the language cookie: the one `?lang=` asked
    for when the cookie holds another, except from the JSON API (there `lang` filters
    by spoken language, and the API keeps nothing in cookies)."""
    if asked and remembered != asked and not path.startswith("/api/"):
        return asked
    return None


# Where Babel's list patterns join with a word ("A وB"), the separator a plain list
# takes in that language's script: Arabic lists are separated by the Arabic comma.
LIST_SEPARATORS = {"ar": "، "}


def list_separator(locale=None):
    """The separator of a plain list ("a, b, c") in the locale's language: the one of
    its CLDR list patterns (Persian "،‏ ", Tigrinya "፣ "), else LIST_SEPARATORS,
    else ", "."""
    return _separator_of(Locale.parse(locale or request_locale() or "sv"))


@lru_cache(maxsize=64)
def _separator_of(locale):
    """list_separator of a Locale (a list page asks for it on every card)."""
    if locale.language in LIST_SEPARATORS:
        return LIST_SEPARATORS[locale.language]
    middle = locale.list_patterns.get("standard", {}).get("middle", "{0}, {1}")
    between = middle.replace("{0}", "", 1).replace("{1}", "", 1)
    if between.strip() and not any(c.isalpha() for c in between):
        return between
    return ", "


def list_join(items, locale=None):
    """The items as a plain list in the page's language ("Göteborg، Angered" in
    Arabic); markup items stay markup, others are escaped when the result is markup."""
    items = list(items)
    separator = list_separator(locale)
    if any(isinstance(item, Markup) for item in items):
        return Markup(escape(separator)).join(escape(item) for item in items)
    return separator.join(str(item) for item in items)


def request_locale():
    """flask_babel.get_locale(), read straight from where Flask-Babel keeps the locale
    it chose (or forced: force_locale) for this context; its own way passes three proxies
    (~4.5 µs) and a list page asks ~150 times. Where that is not there yet (the first
    ask), or not where it was, get_locale() itself."""
    try:
        locale = g._flask_babel.babel_locale
    except (AttributeError, RuntimeError):  # not chosen yet, or outside a context
        return get_locale()
    return locale if locale is not None else get_locale()


def current_lang():
    """The current language code, e.g. 'sv' (the language only: 'en' for en_GB)."""
    locale = request_locale()
    return locale.language if locale else "sv"


def template_translations():
    """The catalogue templates translate with (`_`, `ngettext`, `pgettext` …):
    Flask-Babel's for the current locale, looked up once per locale in a request rather
    than at every call (a list page asks ~90 times); a locale forced for a while
    (flask_babel.force_locale: a message in its reader's language) is another object,
    so it gets its own."""
    locale = request_locale()
    kept = g.get("_template_translations")
    if kept is None or kept[0] is not locale:
        kept = g._template_translations = (locale, get_translations())
    return kept[1]


def install_template_gettext(env):
    """Templates' gettext callables over template_translations (Flask-Babel installs
    the same over its own lookup, made at every call)."""
    env.install_gettext_callables(
        gettext=lambda s: template_translations().ugettext(s),
        ngettext=lambda s, p, n: template_translations().ungettext(s, p, n),
        pgettext=lambda c, s: template_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: template_translations().unpgettext(c, s, p, n),
        newstyle=True)
    env.globals["_"] = _template_gettext


@pass_eval_context
def _template_gettext(eval_ctx, string, **variables):
    """`_()` in a template: what Jinja's newstyle gettext gives (marked safe where the
    template escapes, always formatted with its variables), in one call rather than
    Jinja's three through the template's context (a list page asks ~90 times)."""
    text = template_translations().ugettext(string)
    if eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


def is_rtl(lang=None):
    """Whether a language is written right to left."""
    return (lang or current_lang()).split("_")[0] in RTL_LANGUAGES


def remember_language(response):
    """After a page request that chose `?lang=`, keep the choice in a cookie for a year
    (language_to_remember)."""
    chosen = language_to_remember(g.get("set_lang_cookie"), request.cookies.get(LANG_COOKIE),
                                  request.path)
    if chosen:
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 24 * 3600,
                            samesite="Lax", httponly=True,
                            secure=request.is_secure)
    if request.endpoint != "static":
        # The language may come from either, whatever this particular request sent.
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response


class Translated:
    """A field's text in one language, and the language it is really in."""

    __slots__ = ("text", "lang")

    def __init__(self, text, lang):
        self.text = text
        self.lang = lang

    def __str__(self):
        return self.text or ""

    def __bool__(self):
        return bool(self.text)

    def __html__(self):
        return str(escape(self.text or ""))


@lru_cache(maxsize=4096)
def _stored_translations(text):
    """Translations as stored, read from their JSON text once per text (never changed
    by the caller)."""
    return orjson.loads(text) if text else {}


def translated_text(original, translations, field, lang=None, original_lang="sv"):
    """A text in `lang` (else the reader's language) when `translations` ({lang: {field:
    text}}, or that as JSON text, as a list's rows read it: read only when a text in
    another language is asked for) has it, else the original: the one rule for a
    model's texts and for a row's."""
    lang = lang or current_lang()
    if lang != original_lang:
        if isinstance(translations, str):
            translations = _stored_translations(translations)
        text = ((translations or {}).get(lang) or {}).get(field)
        if text:
            return Translated(text, lang)
    return Translated(original, original_lang)


def language_list(codes):
    """The spoken-language codes stored as ",sv,ar," as a list."""
    return [c for c in (codes or "").split(",") if c]


class TranslatableMixin:
    """Models whose texts have a Swedish original and optional translations.

    `translations` holds {"en": {"title": ..., "description": ...}, "ar": {...}}, one
    entry per configured language a text is translated into (an organisation's or a
    venue's "name" too).
    """

    ORIGINAL_LANG = "sv"

    def translated(self, field, lang=None):
        """The field in `lang` when translated, else the Swedish original."""
        return translated_text(getattr(self, field), self.translations, field, lang,
                               self.ORIGINAL_LANG)

    def translation_texts(self):
        """Every translated text, for the search index."""
        return translated_texts(self.translations)


def translated_texts(translations):
    """Every text of a `translations` value ({language: {field: text}}), for searching."""
    return [v for fields in (translations or {}).values() for v in fields.values() if v]


class SpokenLanguagesMixin:
    """Models with a `language_codes` column: the languages spoken, as ',sv,ar,'.

    The delimited form lets one LIKE find a language on SQLite and PostgreSQL.
    """

    @property
    def languages(self):
        return language_list(self.language_codes)

    @languages.setter
    def languages(self, codes):
        codes = list(dict.fromkeys(c for c in codes if c))
        self.language_codes = "," + ",".join(codes) + "," if codes else ""

    @staticmethod
    def language_pattern(code):
        return f"%,{code},%"


def N_(text):
    """Mark a text for the catalogues without translating it: a reason stored as written
    here is shown by `said()` in each reader's language."""
    return text


# Marks a stored reason that is one of the service's sentences with values in it
# (said_with): the msgid and the values follow as JSON. A control character no form
# lets through (common.security) and that str.strip() keeps.
_SAID_WITH = "\x01"


def said_with(msgid, **values):
    """A reason to store that is one of the service's sentences (marked with N_) holding
    values (a place's name, a person's words): kept as the msgid and its values, so
    `said()` writes it in each reader's language, the values as they were given."""
    return _SAID_WITH + json.dumps({"msgid": msgid, "values": values}, ensure_ascii=False)


def said(text):
    """A stored reason in the reader's language: the service's own reasons are stored as
    their (English) msgid (with their values: said_with) and translated when shown; a
    person's own words are shown as they wrote them (a text the catalogue does not know
    comes back unchanged)."""
    if text and text.startswith(_SAID_WITH):
        try:
            stored = json.loads(text[len(_SAID_WITH):])
            msgid, values = stored["msgid"], stored["values"]
            return gettext(msgid, **values)
        except (ValueError, KeyError, TypeError):
            return text[len(_SAID_WITH):]
    return gettext(text) if text else text
