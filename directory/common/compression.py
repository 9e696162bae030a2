"""Text answers compressed on the wire (Flask-Compress): brotli or gzip, as the client's
Accept-Encoding asks, with `Vary: Accept-Encoding`.

What is left as it is: bodies under COMPRESS_MIN_SIZE, types that are compressed already
(XLSX, images, fonts: not in COMPRESS_MIMETYPES), answers other than 2xx (a 304 has no
body), static files (common.assets compresses those once, at best quality), and answers
that hold a secret: a page for a logged-in user or any private page (`Cache-Control:
no-store`) and any page with a CSRF token. Compressing a secret next to text an attacker
can put on the same page (a search) would let its length give the secret away (BREACH).

A strong ETag becomes weak on every text answer (and every 304), compressed or not: the
tag names the content, whatever its encoding, as a proxy that compresses would make it;
a view's own If-None-Match check (a weak comparison) keeps answering 304 before work."""

from flask import current_app, g, request

from ..extensions import compress


def _holds_secret(response):
    private = "no-store" in (response.headers.get("Cache-Control") or "")
    return private or g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))


def _weaken_etag(response):
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)


def register(app):
    """Compress answers after every other hook registered later has run (Flask runs
    after-request hooks last registered first): register this before them."""

    @app.after_request
    def compress_answer(response):
        if request.endpoint == "static":
            return response
        if response.status_code == 304 or response.mimetype in compress.compress_mimetypes_set:
            _weaken_etag(response)
        if _holds_secret(response):
            return response
        return compress.after_request(response)
