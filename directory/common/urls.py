"""Where a redirect may go after a form or a switch (only a path on this site), and the
addresses that subscribe to a calendar feed."""

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from flask import current_app, g, has_request_context, url_for


def safe_next(target):
    """`target` when it is a path on this site, else None.

    Refused: other hosts and schemes, protocol-relative `//host`, backslashes (which
    browsers read as slashes) and control characters (browsers drop a tab or newline,
    turning `/\\t/evil` into `//evil`, and a newline would reach the Location header).
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    return target


def with_lang(url, lang):
    """`url` with `lang=<lang>` in its query (replacing one there), or as it is."""
    if not lang:
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    query.append(("lang", lang))
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


def subscribe_links(url, name=None, lang=None):
    """The addresses that subscribe to the calendar feed at `url` (https): webcal://
    (Apple, Outlook on the desktop), Google Calendar, Outlook on the web, and the plain
    link. The one place these addresses are written. With `lang` (the page's language)
    every address asks for the feed in it, so a calendar subscribed from an Arabic page
    shows Arabic titles."""
    url = with_lang(url, lang)
    webcal = "webcal://" + url.split("://", 1)[1]
    outlook = {"url": url, "name": name} if name else {"url": url}
    return {"url": url, "webcal": webcal,
            "google": "https://calendar.google.com/calendar/render?cid=" + quote(webcal,
                                                                                safe=""),
            "outlook": "https://outlook.live.com/calendar/0/addfromweb?" + urlencode(
                outlook, quote_via=quote)}


def absolute_url(endpoint, **values):
    """The full address of a page for a message or a file that leaves the site: on
    PUBLIC_BASE_URL when it is set (and always outside a request, e.g. in the task
    worker), else on the host the request came to."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base or not has_request_context():
        with current_app.test_request_context(base_url=base or "http://127.0.0.1:5000"):
            return url_for(endpoint, _external=True, **values)
    return url_for(endpoint, _external=True, **values)


_MARK = 987654321
# What url_for writes as it is in a path: an id, a slug.
_AS_IS = re.compile(r"[A-Za-z0-9._~-]+")


def path_of(endpoint, key, **values):
    """A function giving `url_for(endpoint, **{key: value}, **values)` (a path), the
    route built once per request, endpoint and values: a list links each of its cards
    (a template's url_for costs ten times more). A value url_for would have to escape
    is given to url_for."""
    built = g.setdefault("_paths_of", {})
    known = (endpoint, key, *sorted(values.items()))
    if known not in built:
        built[known] = _path_builder(endpoint, key, values)
    return built[known]


def _path_builder(endpoint, key, values):
    def by_url_for(value):
        return url_for(endpoint, **{key: value}, **values)
    path = by_url_for(_MARK)
    if path.count(str(_MARK)) != 1:
        return by_url_for
    before, after = path.split(str(_MARK))

    def by_route(value):
        text = str(value)
        return f"{before}{text}{after}" if _AS_IS.fullmatch(text) else by_url_for(value)
    return by_route


def url_of_id(endpoint, key):
    """A function giving `url_for(endpoint, **{key: id}, _external=True)` for an id,
    the route built once (path_of's way): a page of 100 dates asks it 100 times (~1.5
    ms less)."""
    return _path_builder(endpoint, key, {"_external": True})
