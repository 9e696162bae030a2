"""Samverkan: the register, booking and calendar service. `create_app` builds it.

The domains (models, views, the CLI) are imported inside the factory functions below,
not at the top: Python runs this file before any module of the package, so importing
them here would load the whole app for a script or test that needs one pure module
(geo.distance, calendars.ical, activities.schedule)."""

import os
import secrets
import sqlite3
import time

from flask import Flask, render_template, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool

from . import config as config_module
from .common import security, transactions  # noqa: F401 (transactions: its listeners)
from .common.time import TIMEZONE
from .extensions import babel, compress, csrf, db, limiter, login_manager, migrate


def create_app(test_config=None):
    """Build the app: config → extensions → blueprints → CLI."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(__name__, instance_path=os.path.join(root, "instance"),
                instance_relative_config=True,
                template_folder=os.path.join(root, "templates"),
                static_folder=os.path.join(root, "static"))
    app.config.from_object(config_module.DefaultConfig)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.update(config_module.from_environment())
        app.config.from_prefixed_env()
    else:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
            app.instance_path, "samverkan.sqlite")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app)
    if app.config.get("REDIS_URL") and app.config.get("RATELIMIT_STORAGE_URI") == "memory://":
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    if "SESSION_COOKIE_SECURE" not in app.config or app.config["SESSION_COOKIE_SECURE"] is None:
        # Secure cookies outside development; `make run` on plain http turns it off.
        app.config["SESSION_COOKIE_SECURE"] = not (app.debug or app.testing)
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config["SESSION_COOKIE_SECURE"])
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = os.path.join(
        os.path.dirname(__file__), "translations")

    security.bound_ids(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_hooks(app)
    security.register(app)
    from .common.caching import init_caching
    init_caching(app)
    _register_errors(app)
    from .cli import register_cli
    register_cli(app)
    from .worker import init_worker
    init_worker(app)
    security.trust_proxies(app)  # outermost: every middleware sees the client's request
    return app


def _instance_secret(app):
    """A secret key kept in instance/secret_key, made once: never in the repository."""
    path = os.path.join(app.instance_path, "secret_key")
    if not os.path.exists(path):
        with open(path, "w") as fh:
            fh.write(secrets.token_hex(32))
        os.chmod(path, 0o600)
    with open(path) as fh:
        return fh.read().strip()


@event.listens_for(Engine, "connect")
def _connection_settings(dbapi_connection, connection_record):
    """Every SQLite connection: WAL, synchronous=FULL, foreign keys, a busy timeout,
    reads through a memory map of up to 256 MB.
    Every PostgreSQL connection: no JIT compilation (a list's walk, estimated costly
    before its LIMIT, spent 29 ms compiling to run in 15), and random reads priced as
    on an SSD or in memory, not a spinning disk (a feed's 500 activities then read
    their dates by index, 2.5 ms, not by reading every date, 42 ms)."""
    if type(dbapi_connection).__module__.startswith("psycopg"):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET jit = off")
            cursor.execute("SET random_page_cost = 1.1")
        dbapi_connection.commit()
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        # Pages read from the operating system's cache in place rather than copied in
        # by a read() each (a page of 100 dates: ~0.3 ms less at --scale 10000).
        cursor.execute("PRAGMA mmap_size=268435456")
        cursor.close()


# A pooled PostgreSQL connection is asked whether it still works (one round trip) only
# when it comes back from a rest: one in use within the last seconds is known to (a
# page saves ~0.2 ms). One the server dropped since fails its first statement, and the
# pool then replaces every connection it holds. SQLite has nothing to drop.
IDLE_BEFORE_PING = 5  # seconds


@event.listens_for(Pool, "checkin")
def _resting_from(dbapi_connection, connection_record):
    connection_record.info["resting_from"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_after_rest(dbapi_connection, connection_record, connection_proxy):
    resting_from = connection_record.info.get("resting_from")  # None: just made
    if isinstance(dbapi_connection, sqlite3.Connection) or resting_from is None or \
            time.monotonic() - resting_from < IDLE_BEFORE_PING:
        return
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        dbapi_connection.commit()  # the ping's own transaction (a ROLLBACK would drop
        # the statements psycopg keeps prepared: common.transactions)
    except Exception as error:  # noqa: BLE001 (any driver's error: that connection is done)
        raise DisconnectionError() from error


def _init_extensions(app):
    from . import models  # noqa: F401  (the metadata must be complete)
    from .common.i18n import install_template_gettext, select_locale
    from .common.json_provider import OrjsonProvider
    from .common.search import include_name
    app.json = OrjsonProvider(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations"),
        render_as_batch=True, compare_type=True, include_name=include_name)
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   timezone_selector=lambda: TIMEZONE)
    install_template_gettext(app.jinja_env)
    limiter.init_app(app)
    compress.init_app(app)

    from .accounts.models import User

    @login_manager.user_loader
    def load_user(user_id):
        """The active account whose id and session stamp the cookie holds (User.get_id);
        a new stamp (password changed, account deactivated) or a deactivated account
        logs the session out on its next request."""
        key, _, stamp = str(user_id).partition(":")
        try:
            user = db.session.get(User, int(key))
        except (TypeError, ValueError):
            return None
        if user is None or not user.is_active or not stamp or not secrets.compare_digest(
                user.session_stamp.encode(), stamp.encode()):
            return None
        return user


def _register_blueprints(app):
    """One blueprint per domain, each holding that domain's routes for every audience
    (public pages, members' /manage/…, coordinators' /staff/…)."""
    # Imported here, in the factory: see the note at the top of this module.
    from .accounts.views import bp as accounts_bp, register_login_manager
    from .activities.views import bp as activities_bp
    from .api.views import bp as api_bp
    from .bookings.views import bp as bookings_bp
    from .calendars.views import bp as calendars_bp
    from .organisations.views import bp as organisations_bp
    from .public.views import bp as public_bp
    from .signups.views import bp as signups_bp
    from .staff.views import bp as staff_bp
    from .taxonomy.views import bp as taxonomy_bp
    from .venues.views import bp as venues_bp
    for blueprint in (public_bp, accounts_bp, organisations_bp, venues_bp, activities_bp,
                      bookings_bp, signups_bp, calendars_bp, taxonomy_bp, staff_bp):
        app.register_blueprint(blueprint)
    register_login_manager(login_manager)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)


_PRIVATE_ENDPOINTS = {"accounts.login", "accounts.password", "accounts.reset",
                      "organisations.register", "signups.signup", "signups.mine"}


def _register_hooks(app):
    from .common.i18n import remember_language
    from .common import assets, caching, compression, templating
    from .public import maps
    from .venues.models import feature_name
    # First: after-request hooks run last registered first, so compression comes last,
    # and just before it the answer cache's keeping, which sees every other header.
    compression.register(app)
    caching.keep_answers(app)
    assets.register(app)
    templating.register(app)
    app.jinja_env.globals["feature_name"] = feature_name
    maps.register(app)
    # Map tiles are the only images from elsewhere (MAP_TILE_URL's host).
    img_src = " ".join(filter(None, ("'self' data:",
                                     maps.tile_origin(app.config.get("MAP_TILE_URL")))))

    @app.after_request
    def headers(response):
        remember_language(response)
        if request.endpoint != "static" and (
                current_user.is_authenticated or request.endpoint in _PRIVATE_ENDPOINTS):
            # Pages behind login (and the login forms) never go into shared caches.
            response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if response.mimetype == "text/html":
            response.headers.setdefault(
                "Content-Security-Policy",
                f"default-src 'self'; img-src {img_src}; "
                "style-src 'self'; script-src 'self'; frame-ancestors 'none'")
        return response


def _register_errors(app):
    from .api.errors import api_error_response, wants_json

    def page(code, template):
        def handler(error):
            if wants_json():
                told = getattr(error, "user_message", None)
                return api_error_response(code, error, message=told and str(told))
            return render_template(template, error=error), code
        return handler

    for code, template in ((400, "errors/400.html"), (404, "errors/404.html"),
                           (405, "errors/405.html"), (413, "errors/413.html"),
                           (429, "errors/429.html"),
                           (500, "errors/500.html")):
        app.register_error_handler(code, page(code, template))
