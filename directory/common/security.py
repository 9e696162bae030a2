"""What every answer and every log line owes its users: proxies trusted only as far as
configured, size limits, security headers, and request lines without secrets."""

import logging
import re

from werkzeug.middleware.proxy_fix import ProxyFix

# Browser features no page of ours uses; a page that is ever framed or injected
# still cannot reach them.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "display-capture", "geolocation", "gyroscope",
    "magnetometer", "microphone", "payment", "usb", "interest-cohort"))
HSTS = "max-age=31536000; includeSubDomains"

# Paths that carry a secret token: a partner's feed, a set-password link, a personal
# sign-up page.
_SECRET_PATHS = re.compile(r"(/feeds/|/account/password/|/signups/)[^ /?]+")


def register(app):
    """Trust `TRUSTED_PROXIES` reverse proxies (0: none) for the client's address and
    scheme, and add the headers every answer carries."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,
                                x_host=proxies, x_port=proxies, x_prefix=proxies)
    https = str(app.config.get("PUBLIC_BASE_URL") or "").startswith("https://")

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if https:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response

    logging.getLogger("werkzeug").addFilter(StripSecretsFilter())


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
