"""What every answer and every log line owes its users: proxies trusted only as far as
configured, size limits, security headers, and request lines without secrets."""

import logging
import re
import traceback

from flask import Request, current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

# Browser features no page of ours uses are off, so a page that is ever framed or injected
# cannot reach them; the position only for our own pages ("use my position" near me).
PERMISSIONS_POLICY = ", ".join(["geolocation=(self)"] + [f"{feature}=()" for feature in (
    "accelerometer", "camera", "display-capture", "gyroscope", "magnetometer",
    "microphone", "payment", "usb", "interest-cohort")])
HSTS = "max-age=31536000; includeSubDomains"

# Every id column is a 32-bit integer: a larger id names nothing.
MAX_ID = 2**31 - 1
# Control characters no field, slug or search holds (tab, line feed and carriage return
# are text; single-line fields refuse the last two themselves). PostgreSQL cannot store
# a NUL byte at all.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Paths that carry a secret token: a partner's feed, a set-password link, a personal
# sign-up page.
_SECRET_PATHS = re.compile(r"(/feeds/|/account/password/|/signups/)[^ /?]+")


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: an id beyond the columns' range does not match (404),
    it never reaches the database."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


class ControlCharacters(BadRequest):
    """The request holds a control character (such as a NUL byte) that no text takes."""

    user_message = _l("The request contains control characters (such as a NUL byte) "
                      "that no field accepts. Remove them and try again.")


class SizedRequest(Request):
    """A request whose body may be larger on the paths `UPLOAD_LIMITS` names ({path:
    bytes}: a register file to import); every other path keeps MAX_CONTENT_LENGTH. Read
    before any hook reads the form, so the limit holds from the first byte."""

    @property
    def max_content_length(self):
        limit = (current_app.config.get("UPLOAD_LIMITS") or {}).get(self.path)
        return limit if limit is not None else super().max_content_length


def bound_ids(app):
    """Before any route is added: ids in URLs are bounded to what a column holds."""
    app.url_map.converters["int"] = IdConverter


def _texts(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(key)
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def refuse_control_characters():
    """One check at the edge, for both databases: the path, every query parameter, form
    field and JSON string. A request holding a control character answers 400."""
    texts = [request.path]
    for source in (request.args, request.form):
        for key, values in source.lists():
            texts.append(key)
            texts.extend(values)
    if request.is_json:
        texts.extend(_texts(request.get_json(silent=True)))
    if any(_CONTROL.search(text) for text in texts):
        raise ControlCharacters()


def trust_proxies(app):
    """Trust `TRUSTED_PROXIES` reverse proxies (0: none) for the client's address, scheme
    and host: the outermost WSGI middleware (call it last)."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,
                                x_host=proxies, x_port=proxies, x_prefix=proxies)


def register(app):
    """Size limits, control characters refused, the headers every answer carries, and
    request lines without secrets in the logs."""
    https = str(app.config.get("PUBLIC_BASE_URL") or "").startswith("https://")
    app.request_class = SizedRequest
    app.before_request(refuse_control_characters)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if https:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response

    logging.getLogger("werkzeug").addFilter(StripSecretsFilter())
    app.log_exception = lambda exc_info: log_exception_safely(app, exc_info)


def log_exception_safely(app, exc_info):
    """Flask's report of an error (a 500), without what the request or the failing row
    held: the path without its query, the kind of error, the constraint a database
    refusal names, and where it was raised; never the error's message, which for a
    database error quotes the row (names, contacts)."""
    kind, error, tb = exc_info
    constraint = getattr(getattr(getattr(error, "orig", None), "diag", None),
                         "constraint_name", None)
    app.logger.error("Exception on %s [%s]: %s%s (its message is not logged: it may quote "
                     "personal data)\n%s", safe_path(request.path), request.method,
                     getattr(kind, "__name__", "error"),
                     f" on {constraint}" if constraint else "",
                     "".join(traceback.format_tb(tb)).rstrip())


def safe_path(path):
    """A path as it may be logged: no query string (it may hold names, contacts or
    tokens) and every token in the path masked."""
    return _SECRET_PATHS.sub(r"\1…", (path or "").split("?", 1)[0])


def safe_request_line(text):
    """A request line ("GET /path?q HTTP/1.1") as it may be logged."""
    if " " in text and ("?" in text or _SECRET_PATHS.search(text)):
        method, _, rest = text.partition(" ")
        path, _, tail = rest.partition(" ")
        return f"{method} {safe_path(path)} {tail}"
    return text


class StripSecretsFilter(logging.Filter):
    """Cleans the development server's access log lines with `safe_request_line`."""

    def filter(self, record):
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(safe_request_line(a) if isinstance(a, str) else a
                                for a in record.args)
        return True
