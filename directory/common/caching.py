"""Answers before work: a data version the database keeps, validators built from it, and
a response cache keyed by it.

Every write to a table whose rows public pages, the API or feeds show bumps the data
version in the same transaction (triggers, on both databases: no code path can forget).
An anonymous GET of a public page then gets an ETag from its key (answer_key: data
version, the minute, the host, path and query, the language, Accept-Encoding) and
answers 304 when the client has it, or the kept answer from the cache (Flask-Caching:
in-process, Redis with REDIS_URL) in the bytes first sent, before any view runs: most
before Flask itself (answers.py), the rest from the before_request hook here. A change
is seen by the very next request to any process: each reads the version first, on a
connection of its own. Never kept (keep_answer, the one rule): anything for a logged-in
user, a page that made a CSRF token or shows a flashed message (the session changed),
a no-store or private answer, private paths, an answer that sets a cookie.

PostgreSQL: the version is the sum of a few counter rows; a writer bumps a row no other
transaction holds (FOR UPDATE SKIP LOCKED), so writers never wait on each other here.
"""

import contextlib
import hashlib
import sqlite3
import time
import weakref

from flask import (Response, current_app, g, has_app_context, has_request_context, request,
                   session)
from flask_babel import get_locale
from flask_caching import Cache
from flask_login import current_user
from sqlalchemy import DDL, event
from sqlalchemy.orm import Session
from werkzeug.http import parse_etags, unquote_etag

from ..extensions import db
from .i18n import language_inputs, pick_language

cache = Cache()

# The tables whose rows public answers show (room_use follows occurrence and booking).
PUBLIC_TABLES = ("activity", "activity_focus_area", "activity_target_group", "closure",
                 "feed_subscription", "focus_area", "municipality", "occurrence",
                 "opening_hours", "organisation", "organisation_focus_area", "partner",
                 "room", "room_booking", "target_group", "venue")
# A public table whose rows hold a column no public answer shows: its triggers name the
# columns an UPDATE of which counts (tests/test_calendars_partners.py keeps each list
# whole). A partner's feed writes its subscription's last_fetched_at on every fetch:
# counted, each fetch moved the version of the whole site, emptying every cache.
SHOWN_COLUMNS = {"feed_subscription": ("partner_id", "name", "token_hash", "filters",
                                       "include_tentative", "created_at", "rotated_at",
                                       "revoked_at")}
PRIVATE_PREFIXES = ("/staff", "/manage", "/account", "/login", "/logout", "/signups/",
                    "/partner", "/healthz", "/static/")


class DataVersion(db.Model):
    """Counters of changes to public data; their sum is the data version."""

    __tablename__ = "data_version"
    slot = db.Column(db.Integer, primary_key=True)
    counter = db.Column(db.BigInteger, nullable=False, default=0)


PG_FUNCTION = """
CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger AS $$
BEGIN
  -- Once per transaction is enough: the version changes when the transaction commits.
  IF current_setting('samverkan.data_version_bumped', true) = txid_current()::text THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('samverkan.data_version_bumped', txid_current()::text, true);
  UPDATE data_version SET counter = counter + 1 WHERE slot = (
    SELECT slot FROM data_version ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED);
  IF NOT FOUND THEN
    INSERT INTO data_version (counter) VALUES (1);
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql"""


def _update_of(table, shown):
    """The UPDATE event of `table`'s triggers: of its shown columns when it names them."""
    columns = shown.get(table)
    return f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"


def pg_rules(tables=PUBLIC_TABLES, shown=SHOWN_COLUMNS):
    return [PG_FUNCTION] + [
        f"CREATE TRIGGER {table}_data_version AFTER INSERT OR {_update_of(table, shown)} "
        f'OR DELETE ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()'
        for table in tables]


def sqlite_rules(tables=PUBLIC_TABLES, shown=SHOWN_COLUMNS):
    # Not INSERT OR IGNORE: inside a trigger the outer statement's conflict rule wins.
    bump = ("INSERT INTO data_version (slot, counter) SELECT 1, 0 WHERE NOT EXISTS "
            "(SELECT 1 FROM data_version WHERE slot = 1); "
            "UPDATE data_version SET counter = counter + 1 WHERE slot = 1;")
    return [f"CREATE TRIGGER {table}_data_version_{what.lower()} AFTER "
            f"{_update_of(table, shown) if what == 'UPDATE' else what} ON "
            f'"{table}" BEGIN {bump} END'
            for table in tables for what in ("INSERT", "UPDATE", "DELETE")]


def pg_drop(tables=PUBLIC_TABLES):
    return [f'DROP TRIGGER IF EXISTS {table}_data_version ON "{table}"'
            for table in tables] + ["DROP FUNCTION IF EXISTS bump_data_version()"]


def sqlite_drop(tables=PUBLIC_TABLES):
    return [f"DROP TRIGGER IF EXISTS {table}_data_version_{what}"
            for table in tables for what in ("insert", "update", "delete")]


# With create_all (tests, a fresh database without migrations): once every table exists.
for _statement in pg_rules():
    event.listen(db.metadata, "after_create",
                 DDL(_statement.replace("%", "%%")).execute_if(dialect="postgresql"))
for _statement in sqlite_rules():
    event.listen(db.metadata, "after_create", DDL(_statement).execute_if(dialect="sqlite"))


VERSION_SQL = "SELECT coalesce(sum(counter), 0) FROM data_version"


class VersionReader:
    """Reads the data version on DBAPI connections of its own (not the pool's: no
    ping, no reset, no SQLAlchemy connection around a one-row SELECT), each in
    autocommit, so every read sees what is committed now. Idle connections wait in a
    list, one per request in flight at most; they are closed with the engine."""

    def __init__(self, engine):
        self.engine = engine
        self.idle = []
        event.listen(engine, "engine_disposed", lambda *args: self.close())

    def _connect(self):
        cargs, cparams = self.engine.dialect.create_connect_args(self.engine.url)
        connection = self.engine.dialect.connect(*cargs, **cparams)
        if isinstance(connection, sqlite3.Connection):
            connection.isolation_level = None
        else:
            connection.autocommit = True
        return connection

    def read(self):
        """The version, or None when the database cannot be asked (the view answers,
        and reports it)."""
        try:
            connection = self.idle.pop()
        except IndexError:
            connection = None
        try:
            connection = connection or self._connect()
            cursor = connection.cursor()
            cursor.execute(VERSION_SQL)
            version = cursor.fetchone()[0]
            cursor.close()
        except Exception:  # noqa: BLE001 (any driver's error: that connection is done)
            if connection is not None:
                with contextlib.suppress(Exception):
                    connection.close()
            return None
        self.idle.append(connection)
        return version

    def close(self):
        while self.idle:
            with contextlib.suppress(Exception):
                self.idle.pop().close()


_readers = weakref.WeakKeyDictionary()


# Where a request keeps the data version it read (data_version), until it commits.
_READ = "_data_version"


def data_version(engine=None):
    """The current data version (None if the database cannot be asked): one small
    query, on the path that answers before any view runs. Within a request, the first
    reading (the middleware's, answers.py, or the request's own first): what is read
    after it is at least as new, so nothing worked out from the data is remembered
    under a version older than the data it came from. A request that commits reads it
    again (its own write moved it); a page that asks for remembered values three times
    asks the database once (on PostgreSQL, each a round trip)."""
    if engine is not None or not has_request_context():
        return _reader(engine or db.engine).read()
    known = request.environ.get(VERSION)
    if known is None:
        known = g.get(_READ)
    if known is None:
        known = _reader(db.engine).read()
        if known is not None:
            setattr(g, _READ, known)
    return known


def _reader(engine):
    reader = _readers.get(engine)
    if reader is None:
        reader = _readers[engine] = VersionReader(engine)
    return reader


@event.listens_for(Session, "after_commit")
def _read_again_after_commit(session):
    """A request that committed reads the data version again: its write moved it (so
    does a task's request context made after it commits: `g` is the app context's)."""
    if has_app_context():
        g.pop(_READ, None)


def answer_key(environ, version, language, now=None):
    """What a public answer depends on, read from the request as it came: the data, the
    minute (lists of coming dates move with the clock), scheme and host (absolute
    links), path and query, the language and Accept-Encoding (the answer is kept in the
    bytes sent, compressed as asked)."""
    minute = int((now or time.time()) // 60)
    text = "\x00".join(map(str, (
        version, minute, environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST"),
        environ.get("SERVER_NAME"), environ.get("SERVER_PORT"),
        environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""), language, environ.get("HTTP_ACCEPT_ENCODING"))))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def request_language(inputs, config):
    """The language a request gets (i18n.pick_language) from its language_inputs."""
    return pick_language(*inputs, config["LANGUAGES"], config["BABEL_DEFAULT_LOCALE"])


# The WSGI environ's notes between the middleware (answers.py) and the hooks below.
KEY = "samverkan.answer_key"   # the key; set by the middleware when it found nothing
KEEP = "samverkan.keep_answer"  # the key to keep the answer as sent under
VERSION = "samverkan.data_version"  # the data version, as the middleware read it


def answer_store(app=None):
    """The response cache's store (cachelib: in-process, or Redis), usable outside any
    app context."""
    return (app or current_app).extensions["cache"][cache]


def stored_answer(store, key, environ):
    """The stored answer for `key`, as this request gets it: the page (or a 304 when
    the asker's copy is current, a HEAD without its body), or a view's 304 for the same
    validator; None when nothing is kept. A werkzeug Response, or for an unconditional
    GET or HEAD of a kept page (status, headers, body) as kept."""
    kept = store.get(key)
    if kept is None:
        asked = environ.get("HTTP_IF_NONE_MATCH")
        kept = asked and store.get("v:" + key)
        if not kept or not parse_etags(asked).contains_weak(
                unquote_etag(dict(kept[1])["ETag"])[0]):
            return None
        return (*kept, b"")
    status, headers, body = kept
    if "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ:
        return Response(body, status, headers).make_conditional(environ)
    return kept


def _cacheable_request():
    return (request.method in ("GET", "HEAD") and request.endpoint is not None
            and not request.path.startswith(PRIVATE_PREFIXES) and not request.content_length
            and not current_user.is_authenticated and "_flashes" not in session)


def answer_from_cache():
    """before_request, for the requests the middleware (answers.py) leaves to Flask (a
    session cookie, a language to remember): a 304 or the kept answer, before any view."""
    if not _cacheable_request():
        return None
    environ = request.environ
    key = environ.get(KEY)
    if key is not None:  # the middleware has looked already
        g.answer_key = key
        return None
    version = data_version()
    if version is None:
        return None
    g.answer_key = key = answer_key(environ, version,
                                    request_language(language_inputs(environ),
                                                     current_app.config))
    found = stored_answer(answer_store(), key, environ)
    if found is None:
        return None
    get_locale()  # chosen as for a page: a `?lang=` is kept in its cookie (i18n)
    g.answered_from_cache = True
    if isinstance(found, Response):
        return found
    status, headers, body = found
    return Response(body or None, status, headers)


def _keepable(response):
    return not (session.modified or "csrf_token" in g or response.cache_control.no_store
                or response.cache_control.private)


def keep_answer(response):
    """after_request, just before compression (every other hook has run): a public 200
    gets its ETag and may be kept; so may a view's 304. This is the one rule of what is
    kept: never for a logged-in user (answer_from_cache), a page that made a CSRF token
    or changed the session (a flashed message), a no-store or private answer. The
    middleware keeps it as sent, unless it sets a cookie (the session's is set after
    every hook)."""
    key = g.get("answer_key")
    if key is None or g.get("answered_from_cache") or not _keepable(response):
        return response
    if response.status_code == 304:
        if response.get_etag()[0] and request.method == "GET":
            request.environ[KEEP] = key
        return response
    if response.status_code != 200 or response.direct_passthrough or response.is_streamed:
        return response
    if not response.get_etag()[0]:
        response.set_etag(key)
    response.vary.update(("Accept-Language", "Cookie"))
    if not response.cache_control.max_age:
        response.cache_control.no_cache = True  # a copy may be kept; ask again each time
    if request.method == "GET":
        request.environ[KEEP] = key
    return response.make_conditional(request)


def keep_answers(app):
    """Register keep_answer to run after every other after_request hook but
    compression's (Flask runs them last registered first): call right after
    compression.register."""
    if app.config.get("ANSWER_CACHE", True):
        app.after_request(keep_answer)


def init_caching(app):
    """The response cache (in-process; Redis when REDIS_URL is set), its before_request
    hook after every other one (security checks first), and the middleware that answers
    before Flask (answers.py)."""
    config = {"CACHE_DEFAULT_TIMEOUT": 120, "CACHE_THRESHOLD": 20000}
    if app.config.get("REDIS_URL"):
        config.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=app.config["REDIS_URL"],
                      CACHE_KEY_PREFIX="samverkan-answer:")
    else:
        config["CACHE_TYPE"] = "SimpleCache"
    for name, value in config.items():
        app.config.setdefault(name, value)
    cache.init_app(app)
    if app.config.get("ANSWER_CACHE", True):
        from .answers import AnswerMiddleware
        app.before_request(answer_from_cache)
        app.wsgi_app = AnswerMiddleware(app, app.wsgi_app)
