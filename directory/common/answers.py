"""Kept answers served before Flask: a WSGI middleware around the app.

An anonymous GET or HEAD of a public path (no body, no session or remember-me cookie, no
`?lang=` to keep in the language cookie) is decided from the WSGI environ alone: the
data version (read per request, so a change in any process is seen at once), the key
(caching.answer_key), then the kept answer in the bytes it was sent (compressed as this
Accept-Encoding asked), a 304 for a current copy, or a view's 304 for the same validator
(caching.stored_answer). Anything else, and any miss, goes to Flask as before.

Keeping: Flask decides whether an answer may be kept (caching.keep_answer notes its key
in the environ); this keeps it as sent: its status, headers and body, never one that
sets a cookie (the session's is set after every hook), a language cookie aside (the
page is the same; such requests go to Flask, which sets it again)."""

from .caching import (KEEP, KEY, PRIVATE_PREFIXES, VERSION, answer_key, answer_store,
                      data_version, request_language, stored_answer)
from .i18n import LANG_COOKIE, language_inputs, language_to_remember


class AnswerMiddleware:
    """Serves kept answers without entering Flask, and keeps what Flask marks."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.login_cookies = tuple(name + "=" for name in (
            app.config["SESSION_COOKIE_NAME"],
            app.config.get("REMEMBER_COOKIE_NAME", "remember_token")))
        self.engine = self.store = None

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or environ.get(
                "PATH_INFO", "").startswith(PRIVATE_PREFIXES) or _has_body(environ):
            return self.wsgi_app(environ, start_response)
        if self.store is None:
            self._bind()
        language = self._language(environ)
        if language is not None:
            version = data_version(self.engine)
            if version is not None:
                key = answer_key(environ, version, language)
                found = stored_answer(self.store, key, environ)
                if found is not None:
                    return _send(found, environ, start_response)
                environ[KEY] = key
                environ[VERSION] = version
        return self._keeping(environ, start_response)

    def _bind(self):
        """The app's store and engine, once (they exist from create_app on)."""
        from ..extensions import db
        with self.app.app_context():
            self.engine = db.engine
        self.store = answer_store(self.app)

    def _language(self, environ):
        """The request's language when this may answer it: not with a login or session
        cookie (Flask decides those), nor with a language to remember; else None."""
        cookie = environ.get("HTTP_COOKIE", "")
        if any(name in cookie for name in self.login_cookies):
            return None
        inputs = language_inputs(environ)
        asked, remembered, _ = inputs
        if asked in self.app.config["LANGUAGES"] and language_to_remember(
                asked, remembered, environ.get("PATH_INFO", "")):
            return None
        return request_language(inputs, self.app.config)

    def _keeping(self, environ, start_response):
        """Flask's answer, kept as sent when keep_answer marked it."""
        sent = []

        def noting(status, headers, exc_info=None):
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, noting)
        key = environ.get(KEEP)
        if key is None or not sent or sent[0][:3] not in ("200", "304"):
            return body
        headers = _without_language_cookie(sent[1])
        if headers is None:
            return body
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        if sent[0].startswith("304"):
            self.store.set("v:" + key, (sent[0], headers))
        else:
            self.store.set(key, (sent[0], headers, data))
        return [data]


def _has_body(environ):
    return environ.get("CONTENT_LENGTH", "") not in ("", "0") or \
        "HTTP_TRANSFER_ENCODING" in environ


def _without_language_cookie(headers):
    """The headers as kept: without the language cookie; None if another is set."""
    kept = []
    for name, value in headers:
        if name.lower() == "set-cookie":
            if not value.startswith(LANG_COOKIE + "="):
                return None
            continue
        kept.append((name, value))
    return kept


def _send(found, environ, start_response):
    if isinstance(found, tuple):
        status, headers, body = found
        start_response(status, headers)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]
    return found(environ, start_response)
