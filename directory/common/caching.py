"""Answers before work: a data version the database keeps, validators built from it, and
a response cache keyed by it.

Every write to a table whose rows public pages, the API or feeds show bumps the data
version in the same transaction (triggers, on both databases: no code path can forget).
An anonymous GET of a public page then gets an ETag from (data version, the minute, the
host, path and query, the language) and answers 304 when the client has it, or the
stored answer from the cache (Flask-Caching: in-process, Redis with REDIS_URL), before
any view runs. A change is seen by the very next request to any process: it reads the
version first. Never cached: anything for a logged-in user, a page that made a CSRF
token or shows a flashed message (the session changed), private paths.

PostgreSQL: the version is the sum of a few counter rows; a writer bumps a row no other
transaction holds (FOR UPDATE SKIP LOCKED), so writers never wait on each other here.
"""

import hashlib
import time

from flask import Response, g, request, session
from flask_caching import Cache
from flask_login import current_user
from sqlalchemy import DDL, event
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from .i18n import current_lang

cache = Cache()

# The tables whose rows public answers show (room_use follows occurrence and booking).
PUBLIC_TABLES = ("activity", "activity_focus_area", "activity_target_group", "closure",
                 "feed_subscription", "focus_area", "municipality", "occurrence",
                 "opening_hours", "organisation", "organisation_focus_area", "partner",
                 "room", "room_booking", "target_group", "venue")
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


def pg_rules(tables=PUBLIC_TABLES):
    return [PG_FUNCTION] + [
        f"CREATE TRIGGER {table}_data_version AFTER INSERT OR UPDATE OR DELETE ON "
        f'"{table}" FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()'
        for table in tables]


def sqlite_rules(tables=PUBLIC_TABLES):
    # Not INSERT OR IGNORE: inside a trigger the outer statement's conflict rule wins.
    bump = ("INSERT INTO data_version (slot, counter) SELECT 1, 0 WHERE NOT EXISTS "
            "(SELECT 1 FROM data_version WHERE slot = 1); "
            "UPDATE data_version SET counter = counter + 1 WHERE slot = 1;")
    return [f"CREATE TRIGGER {table}_data_version_{what.lower()} AFTER {what} ON "
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


def data_version():
    """The current data version: one small query on a pooled connection of its own (no
    ORM session to open and close on the path that answers before any view)."""
    with db.engine.connect() as connection:
        return connection.exec_driver_sql(VERSION_SQL).scalar()


def _cacheable_request():
    return (request.method in ("GET", "HEAD") and request.endpoint is not None
            and not request.path.startswith(PRIVATE_PREFIXES)
            and not current_user.is_authenticated and "_flashes" not in session)


def answer_key(version, now=None):
    """What a public answer depends on: the data, the minute (lists of coming dates
    move with the clock), the host (absolute links), path and query, the language."""
    minute = int((now or time.time()) // 60)
    text = "|".join(map(str, (version, minute, request.host_url, request.full_path,
                              current_lang())))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def answer_from_cache():
    """before_request: a 304 or the stored answer, before any view runs."""
    if not _cacheable_request():
        return None
    try:
        version = data_version()
    except SQLAlchemyError:  # no database to ask: the view answers (and reports it)
        return None
    g.answer_key = key = answer_key(version)
    stored = cache.get(key)
    if stored is None:
        # A view that answered 304 left its validator: the same question, the same answer.
        headers = cache.get("v:" + key)
        if headers is not None and request.if_none_match.contains_weak(
                dict(headers)["ETag"].removeprefix("W/").strip('"')):
            g.answered_from_cache = True
            return Response(status=304, headers=headers)
        return None
    body, status, headers = stored
    response = Response(body, status=status, headers=headers)
    g.answered_from_cache = True
    return response.make_conditional(request)


def keep_answer(response):
    """after_request: a public 200 gets its ETag and is kept for the next asker."""
    key = g.get("answer_key")
    if key is not None and response.status_code == 304 and response.get_etag()[0] \
            and not g.get("answered_from_cache"):
        cache.set("v:" + key, [(k, v) for k, v in response.headers.items()
                               if k in ("ETag", "Last-Modified", "Cache-Control", "Vary")])
        return response
    if key is None or g.get("answered_from_cache") or response.status_code != 200 \
            or response.direct_passthrough or session.modified or "csrf_token" in g \
            or response.cache_control.no_store or response.cache_control.private:
        return response
    if not response.get_etag()[0]:
        response.set_etag(key)
    response.vary.update(("Accept-Language", "Cookie"))
    if not response.cache_control.max_age:
        response.cache_control.no_cache = True  # a copy may be kept; ask again each time
    headers = [(k, v) for k, v in response.headers.items() if k.lower() != "set-cookie"]
    cache.set(key, (response.get_data(), response.status_code, headers))
    return response.make_conditional(request)


class CompressedAnswers:
    """Flask-Compress's cache of compressed bodies: only answers with an answer key (an
    anonymous public GET: the key names its bytes), kept beside them."""

    def get(self, key):
        return None if key.endswith(";None") else cache.get("z:" + key)

    def set(self, key, value):
        if not key.endswith(";None"):
            cache.set("z:" + key, value)


def compressed_answer_key(request):
    return g.get("answer_key")


def init_caching(app):
    """The response cache (in-process; Redis when REDIS_URL is set) and its hooks, after
    every other before_request (security checks first)."""
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
        app.before_request(answer_from_cache)
        app.after_request(keep_answer)
