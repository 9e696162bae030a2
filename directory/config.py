"""Safe development defaults; real values come from instance/config.py or the environment."""

import os

import orjson

from .common.time import TIMEZONE


class DefaultConfig:
    """Settings every installation starts from."""

    SECRET_KEY = None  # set from instance/ or the environment; a random dev key otherwise
    SQLALCHEMY_DATABASE_URI = None  # filled in by create_app (SQLite in instance/)
    # hide_parameters: a database error never logs the row it was writing (names, contacts).
    # json_deserializer: stored translations read by orjson (100 dates: ~0.8 ms less).
    # A connection back from a rest is pinged first (directory._ping_after_rest).
    SQLALCHEMY_ENGINE_OPTIONS = {"hide_parameters": True,
                                 "json_deserializer": orjson.loads}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    BABEL_DEFAULT_LOCALE = "sv"
    BABEL_DEFAULT_TIMEZONE = TIMEZONE
    LANGUAGES = ("sv", "en", "ar", "fa", "so", "ti", "uk")

    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = None  # None: secure unless debugging or testing
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    # Request bodies: forms are small; a larger body answers 413 before it is read.
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # Paths that take a larger body: a register file to import (20,000 rows).
    UPLOAD_LIMITS = {"/staff/import": 16 * 1024 * 1024}
    TRUSTED_PROXIES = 0  # how many reverse proxies stand in front (X-Forwarded-For)

    # Text answers on the wire (common.compression, Flask-Compress; static files:
    # common.assets): brotli or gzip as the client asks, never bodies under 500 bytes
    # nor types compressed already (images, XLSX, fonts such as woff2).
    COMPRESS_REGISTER = False  # common.compression decides what is compressed
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_ALGORITHM_STREAMING = ["br", "gzip"]
    COMPRESS_BR_LEVEL = 5
    COMPRESS_LEVEL = 6
    # Compressed once per answer: a kept answer (common.caching) holds the bytes sent.
    COMPRESS_MIN_SIZE = 500
    COMPRESS_MIMETYPES = [
        "text/html", "text/css", "text/plain", "text/csv", "text/calendar",
        "text/javascript", "application/javascript", "text/xml", "application/xml",
        "application/json", "application/ld+json", "application/problem+json",
        "application/geo+json", "application/manifest+json", "application/rss+xml",
        "application/atom+xml", "image/svg+xml", "text/markdown",
    ]

    REDIS_URL = None
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True

    GEOCODER = "offline"
    # Nominatim's usage policy asks for a user agent that names the service and a contact.
    GEOCODER_USER_AGENT = "Samverkan/1.0 (municipal register of voluntary organisations)"
    GEOCODER_TIMEOUT = 2  # seconds; a slower answer counts as no answer
    NOMINATIM_DOMAIN = "nominatim.openstreetmap.org"
    NOMINATIM_SCHEME = "https"
    MAP_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    MAP_TILE_ATTRIBUTION = ("© <a href=\"https://www.openstreetmap.org/copyright\">"
                            "OpenStreetMap</a>")
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_FROM = None  # the sender of e-mail (samverkan@localhost when not set)
    # An SMS provider's HTTP API: a form POST of from, to and message, with basic auth.
    SMS_URL = None
    SMS_USER = None
    SMS_PASSWORD = None
    SMS_FROM = "Samverkan"  # the sender name phones show (at most 11 letters)
    TASK_QUEUE_FILE = None  # the worker's queue without Redis (instance/tasks.sqlite)
    SIGNUP_RETENTION_DAYS = 30
    PUBLIC_BASE_URL = None
    OCCURRENCE_HORIZON_DAYS = 365
    PER_PAGE = 20
    MAX_PER_PAGE = 100
    # Open data (the DCAT-AP-SE catalogue at /api/v1/catalog.jsonld): the licence of the
    # register's data, who publishes it and how to reach them, and where the output of
    # `flask export-hsds` is published (None: the catalogue names the API only).
    DATA_LICENSE = "http://creativecommons.org/publicdomain/zero/1.0/"
    DATA_PUBLISHER = "Samverkan"
    DATA_PUBLISHER_URL = None
    DATA_CONTACT_EMAIL = None
    DATA_EXPORT_URL = None
    # Who runs this installation, for the legal pages (/privacy, /accessibility, /contact):
    # the municipality or operator (the controller of the sign-up data; None: the
    # DATA_PUBLISHER), how to reach it (None: DATA_CONTACT_EMAIL), its data protection
    # officer, and the day the accessibility statement was last reviewed (YYYY-MM-DD).
    OPERATOR_NAME = None
    CONTACT_EMAIL = None
    CONTACT_PHONE = None
    CONTACT_ADDRESS = None
    DATA_PROTECTION_OFFICER_EMAIL = None
    ACCESSIBILITY_STATEMENT_DATE = "2026-11-25"


def from_environment():
    """Settings given by their plain names in the environment (PRODUCT.md's list)."""
    found = {}
    plain = (
        "SECRET_KEY", "REDIS_URL", "GEOCODER", "MAP_TILE_URL", "MAIL_SERVER", "MAIL_FROM",
        "SMS_URL", "SMS_USER", "SMS_PASSWORD", "SMS_FROM", "TASK_QUEUE_FILE",
        "PUBLIC_BASE_URL", "DATA_LICENSE", "DATA_PUBLISHER", "DATA_PUBLISHER_URL",
        "DATA_CONTACT_EMAIL", "DATA_EXPORT_URL", "OPERATOR_NAME", "CONTACT_EMAIL",
        "CONTACT_PHONE", "CONTACT_ADDRESS", "DATA_PROTECTION_OFFICER_EMAIL",
        "ACCESSIBILITY_STATEMENT_DATE",
    )
    for name in plain:
        if os.environ.get(name):
            found[name] = os.environ[name]
    if os.environ.get("DATABASE_URL"):
        found["SQLALCHEMY_DATABASE_URI"] = database_uri(os.environ["DATABASE_URL"])
    for name in ("MAIL_PORT", "SIGNUP_RETENTION_DAYS", "TRUSTED_PROXIES"):
        if os.environ.get(name):
            found[name] = int(os.environ[name])
    if os.environ.get("RATELIMIT_ENABLED"):
        found["RATELIMIT_ENABLED"] = os.environ["RATELIMIT_ENABLED"].lower() not in (
            "0", "false", "no", "off")
    return found


def database_uri(url):
    """Map a DATABASE_URL to the SQLAlchemy URI: postgresql:// uses psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
