"""Static files under names that carry a hash of their content, cached for a year.

`url_for('static', filename='css/site.css')` builds `/static/css/site.<hash8>.css`: the
first eight hex digits of the file's SHA-256. That name only ever means these bytes, so
it is answered `Cache-Control: public, max-age=31536000, immutable` and a returning
visitor asks for it no more. A changed file gets a new name on the next page (the hash
is kept per file with the file's size and modification time, and made again when they
change). The plain name keeps working with a short cache, for whatever links it directly
(Leaflet's stylesheet names its images relatively). A hashed name whose hash is no
longer the file's (a page from before a deployment) gets today's file, to revalidate.

Text files (CSS, JS, SVG, …) are compressed once per process with brotli at its best
quality (or gzip), kept in memory and sent to clients that accept it."""

import gzip
import hashlib
import mimetypes
import os
import re
from dataclasses import dataclass, field

import brotli
from flask import abort, current_app, request, send_from_directory
from werkzeug.security import safe_join

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=3600"
REVALIDATE = "no-cache"
DIGITS = 8
# Files larger than this are served from disk as they are (none is, today).
MAX_KEPT = 4 * 1024 * 1024
# A hashed name: stem, eight hex digits, then the extension if the file has one.
_HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{%d})(?P<ext>\.[A-Za-z0-9]+)?$"
                     % DIGITS)


@dataclass
class Asset:
    """One static file as read: its stamp (modification time, size), hash and bytes,
    and its compressed forms as they are asked for."""

    stamp: tuple
    digest: str
    body: bytes
    mimetype: str
    encoded: dict = field(default_factory=dict)

    def encode(self, encoding):
        """The body in `encoding` ("br", "gzip" or None), compressed once."""
        if encoding is None:
            return self.body
        if encoding not in self.encoded:
            if encoding == "br":
                self.encoded[encoding] = brotli.compress(self.body, quality=11)
            else:
                self.encoded[encoding] = gzip.compress(self.body, 9, mtime=0)
        return self.encoded[encoding]


def hashed_name(filename, digest):
    """`css/site.css` → `css/site.<digest8>.css`; `LICENSE` → `LICENSE.<digest8>`."""
    head, slash, name = filename.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    return f"{head}{slash}{stem}.{digest[:DIGITS]}" + (f".{ext}" if ext else "")


class StaticFiles:
    """The files of one static folder, their hashes and their answers."""

    def __init__(self, folder, compressible=(), min_size=500):
        self.folder = folder
        self.compressible = set(compressible)
        self.min_size = min_size
        self._assets = {}  # filename → Asset; each process keeps its own

    def asset(self, filename):
        """The file as read now, or None when the folder holds no such file; read again
        when its size or modification time changed."""
        path = safe_join(self.folder, filename)
        if path is None or not os.path.isfile(path):
            return None
        info = os.stat(path)
        stamp = (info.st_mtime_ns, info.st_size)
        known = self._assets.get(filename)
        if known is not None and known.stamp == stamp:
            return known
        if info.st_size > MAX_KEPT:
            return None
        with open(path, "rb") as fh:
            body = fh.read()
        mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        asset = Asset(stamp, hashlib.sha256(body).hexdigest(), body, mimetype)
        self._assets[filename] = asset
        return asset

    def url_name(self, filename):
        """The name a page links: hashed when the file exists, else as given."""
        asset = self.asset(filename)
        return hashed_name(filename, asset.digest) if asset else filename

    def serve(self, filename):
        """The static route: a plain name with a short cache, a current hashed name
        immutable for a year, an old hashed name today's file to revalidate."""
        asset = self.asset(filename)
        if asset is not None:
            return self.answer(asset, SHORT)
        match = _HASHED.match(filename)
        if match:
            asset = self.asset(match["stem"] + (match["ext"] or ""))
            if asset is not None:
                fresh = asset.digest.startswith(match["digest"])
                return self.answer(asset, IMMUTABLE if fresh else REVALIDATE)
        path = safe_join(self.folder, filename)
        if path is not None and os.path.isfile(path):  # too large to keep: as it is
            return send_from_directory(self.folder, filename, max_age=3600)
        abort(404)

    def answer(self, asset, cache_control):
        """The file compressed as the client accepts it (text files of some size only),
        with its validators; a matching If-None-Match answers 304 without a body."""
        encoding = None
        compressible = asset.mimetype in self.compressible
        if compressible and len(asset.body) >= self.min_size:
            encoding = request.accept_encodings.best_match(("br", "gzip"))
        response = current_app.response_class(asset.encode(encoding),
                                               mimetype=asset.mimetype)
        if encoding:
            response.headers["Content-Encoding"] = encoding
        if compressible:
            response.vary.add("Accept-Encoding")
        response.headers["Cache-Control"] = cache_control
        response.set_etag(asset.digest[:32] + (f"-{encoding}" if encoding else ""))
        return response.make_conditional(request)


def register(app):
    """Hashed names for every `url_for('static', …)`, and the static route that
    answers them."""
    files = StaticFiles(app.static_folder, app.config.get("COMPRESS_MIMETYPES", ()),
                        app.config.get("COMPRESS_MIN_SIZE", 500))
    app.extensions["static_files"] = files

    @app.url_defaults
    def hashed_static(endpoint, values):
        if endpoint == "static" and "filename" in values:
            values["filename"] = files.url_name(values["filename"])

    app.view_functions["static"] = files.serve
