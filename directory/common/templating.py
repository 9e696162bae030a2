"""Template helpers: local times per locale, language switching, paging links."""

import re
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from urllib.parse import urlencode

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.dates import get_day_names
from flask import current_app, request, url_for
from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _
from markupsafe import Markup, escape

from .i18n import (LANGUAGE_NAMES, current_lang, is_rtl, list_join, list_separator,
                   request_locale, said)
from .time import local_today, to_local, utcnow
from .urls import path_of, subscribe_links


def local_date(moment, fmt="full"):
    """A moment's Stockholm date, per the request's locale."""
    return _date_in(request_locale(), to_local(moment).date(), fmt) if moment else ""


# A list writes a date on every card and on its map, a distance on every card near a
# place: each formatted once per locale (Babel takes ~40 µs a date, ~30 µs a number).
@lru_cache(maxsize=4096)
def _date_in(locale, day, fmt):
    return babel_dates.format_date(day, fmt, locale=locale)


@lru_cache(maxsize=4096)
def _decimal_in(locale, number, fmt):
    return babel_numbers.format_decimal(number, fmt, locale=locale)


def km_number(km):
    """A distance in km with one decimal, in the request's locale ("1,3"), rounded as
    Babel rounds (half to even, from the shortest decimal of the float)."""
    tenths = Decimal(str(km)).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
    return _decimal_in(request_locale(), tenths, "0.0")


def local_time(moment):
    """A moment's Stockholm clock time, e.g. 17:00: two-digit hours and minutes on a
    24-hour clock, in every language (what CLDR's "HH:mm" gives in each; written
    directly, as a list has four on every card)."""
    if not moment:
        return ""
    clock = to_local(moment)
    return f"{clock.hour:02d}:{clock.minute:02d}"


def local_datetime(moment, fmt="medium"):
    """A moment's Stockholm date (in the locale's `fmt`) and clock time, on a 24-hour
    clock in every language (CLDR's Arabic formats would write 5:00 م)."""
    return f"{local_date(moment, fmt)} {local_time(moment)}" if moment else ""


def week_name(label):
    """An ISO week ("2026-W49") as people say it: "49", for "vecka 49" / "week 49"; with
    its year in brackets when that is not this year ("1 (2027)")."""
    match = re.match(r"^(\d{4})-W(\d{2})$", str(label or ""))
    if not match:
        return label or ""
    year, week = int(match.group(1)), int(match.group(2))
    return str(week) if year == local_today().isocalendar()[0] else f"{week} ({year})"


def weekday_name(weekday):
    """The name of a weekday (0 = Monday) in the request's language."""
    return get_day_names("wide", locale=request_locale())[weekday]


def language_name(code):
    return LANGUAGE_NAMES.get(code, code)


def url_with(**changes):
    """This page's URL with some query parameters changed (None removes one)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [value]
    query = urlencode([(k, v) for k, values in args.items() for v in values])
    return request.path + ("?" + query if query else "")


def bdi(text):
    """A name isolated inside a sentence (its direction its own): <bdi>name</bdi>."""
    return Markup("<bdi>%s</bdi>") % text


def field_language(name):
    """{"lang", "dir"} for a form field holding a text in one interface language, named
    for it ("title_ar", "description_fa"); {} for any other field."""
    code = name.rsplit("_", 1)[-1] if "_" in name else ""
    if code not in current_app.config["LANGUAGES"]:
        return {}
    return {"lang": code, "dir": "rtl" if is_rtl(code) else "ltr"}


def place_links(names):
    """Links to this list near each of these places (the names that come closest to a
    place not found), each name isolated."""
    return [Markup('<a href="%s"><bdi>%s</bdi></a>') % (url_with(near=name, page=None), name)
            for name in names]


def language_switch_url(code):
    """A link that changes the interface language and comes back to this page (the
    link worked out once a page, for the seven languages its header offers)."""
    return path_of("public.set_language", "code", next=_this_page())(code)


def _this_page():
    """This page's path and query, its `lang` left out: where a language switch comes
    back to."""
    args = request.args.to_dict(flat=False)
    args.pop("lang", None)
    query = urlencode([(k, v) for k, values in args.items() for v in values])
    return request.script_root + request.path + ("?" + query if query else "")


def feed_links(endpoint, **values):
    """The subscribe addresses of a feed (common.urls.subscribe_links), asking for the
    feed in this page's language."""
    return subscribe_links(url_for(endpoint, _external=True, **values), lang=current_lang())


def search_feed_links(endpoint):
    """The subscribe addresses of the search this page shows: its filters (paging
    aside), the spoken language as `spoken` (present even when empty, so the feed reads
    `lang` as the interface language only), in this page's language."""
    args = request.args.to_dict(flat=False)
    spoken = (args.pop("spoken", None) or [""])[0] or (args.get("lang") or [""])[0]
    for name in ("lang", "page", "per_page"):
        args.pop(name, None)
    return feed_links(endpoint, **args, spoken=spoken)


def chosen_filters(filters, focus_areas=(), target_groups=(), municipalities=(),
                   place=None):
    """What a list's filter form has chosen, in words, for the line the folded form
    shows ("Språkcafé · Göteborg · 5 km"): the search, focus areas, target groups,
    spoken language, municipality, place and distance, dates. Empty when nothing is.
    `place`, the place `near` was found to be, names it by its label ("your position"
    rather than coordinates)."""
    def labels(terms, slugs):
        return [str(t.label()) for t in terms if t.slug in slugs]

    parts = [filters.q] if filters.q else []
    parts += labels(focus_areas, filters.focus) + labels(target_groups, filters.target)
    if filters.lang:
        parts.append(language_name(filters.lang))
    parts += [m.name for m in municipalities if m.slug == filters.kommun]
    if filters.near:
        parts += [getattr(place, "label", None) or filters.near,
                  _("%(km)s km", km=format_decimal(filters.radius_km))]
    if filters.date_from:
        parts.append(_("from %(date)s", date=format_date(filters.date_from, "d MMM y")))
    if filters.date_to:
        parts.append(_("until %(date)s", date=format_date(filters.date_to, "d MMM y")))
    return parts


def text_in(value):
    """A translated field (common.i18n.Translated); marks the language when it is not the
    page's, and isolates its direction so Swedish inside Arabic keeps its punctuation
    where it belongs. A function rather than a macro: a list calls it three times a
    card."""
    lang = getattr(value, "lang", "")
    if lang != current_lang():
        return Markup('<span lang="%s" dir="auto">%s</span>') % (lang, value)
    return escape(value)


def text_of(item, field):
    """text_in of an item's translated field (`item.translated(field)`: a model's, a
    listed date's); a filter, `{{ act|text_of('title') }}`: Jinja calls a filter
    directly and a template's function call through its context (a list's cards ask
    this ~60 times)."""
    return text_in(item.translated(field))


def link_filter(endpoint, key):
    """A filter giving the path of `endpoint` for a value of `key` (urls.path_of):
    `{{ occ.id|occurrence_path }}`."""
    return lambda value: path_of(endpoint, key)(value)


def filter_summary(parts):
    """The folded filter form's line: "Filters: Språkcafé · Göteborg · 5 km", each part
    isolated so a name in another script keeps its place."""
    chosen = Markup(" · ").join(Markup("<bdi>%s</bdi>") % part for part in parts)
    return Markup(_("Filters: %(chosen)s", chosen=chosen))


def register(app):
    """Make the helpers available in every template."""
    app.jinja_env.filters.update(local_date=local_date, local_time=local_time,
                                 local_datetime=local_datetime,
                                 language_name=language_name, week_name=week_name,
                                 decimal=format_decimal, km_number=km_number,
                                 percent=format_percent,
                                 said=said, list_join=list_join, text_of=text_of,
                                 isoformat=lambda moment: moment.isoformat(),
                                 label=lambda term: term.label(),
                                 occurrence_path=link_filter("activities.occurrence",
                                                             "occurrence_id"),
                                 organisation_path=link_filter("activities.organisation",
                                                               "slug"))
    app.jinja_env.globals.update(url_with=url_with, language_switch_url=language_switch_url,
                                 search_feed_links=search_feed_links,
                                 language_names=LANGUAGE_NAMES, format_date=format_date,
                                 weekday_name=weekday_name, chosen_filters=chosen_filters,
                                 filter_summary=filter_summary, place_links=place_links,
                                 list_join=list_join, list_separator=list_separator,
                                 bdi=bdi, field_language=field_language, text_in=text_in,
                                 feed_links=feed_links, now=utcnow,
                                 # for macros, which are imported without the context
                                 # (and so without page_lang)
                                 page_language=current_lang)

    @app.context_processor
    def page_language():
        lang = current_lang()
        return {"page_lang": lang, "page_dir": "rtl" if is_rtl(lang) else "ltr",
                "ui_languages": app.config["LANGUAGES"]}
