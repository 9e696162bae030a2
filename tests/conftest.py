"""Test setup: a fresh app and database per test, and factories for the domain.

SQLite: a new database file per test. PostgreSQL (DATABASE_URL set): one
database per xdist worker, its tables emptied before each test.
"""

import os
import re
import tempfile
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from directory import create_app
from directory.config import database_uri
from directory.extensions import db
from directory.taxonomy.services import ensure_default_terms
from tests.factories import (PASSWORD, make_activity, make_booking, make_feed,  # noqa: F401
                             make_municipality, make_organisation, make_partner,
                             make_series, make_signup, make_user, make_venue)

POSTGRES_URL = os.environ.get("DATABASE_URL")


def config_for_tests(uri, **extra):
    """The settings every test app gets (the task queue in a file of this process's
    own: tests that run the worker give theirs)."""
    tasks = os.path.join(tempfile.gettempdir(), f"samverkan-tasks-{os.getpid()}.sqlite")
    config = {"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": uri,
              "TASK_QUEUE_FILE": tasks,
              "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
              "SERVER_NAME": None}
    config.update(extra)
    return config


@pytest.fixture(scope="session")
def postgres_uri(worker_id):
    """A PostgreSQL database of this worker's own, with the schema, or None on SQLite."""
    if not POSTGRES_URL:
        yield None
        return
    uri = empty_postgres_database(f"samverkan_test_{worker_id}")
    app = create_app(config_for_tests(uri))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    yield uri


def empty_postgres_database(name):
    """A new, empty PostgreSQL database called `name` on DATABASE_URL's server (dropped
    first if it is there); its SQLAlchemy URI."""
    admin = create_engine(database_uri(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return database_uri(POSTGRES_URL).rsplit("/", 1)[0] + "/" + name


def _empty_tables():
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


class FreshContextClient(FlaskClient):
    """Each request in an app context of its own, as in production: a fresh `g`
    (language, logged-in user) and a fresh database session."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def clear_of_a_minute_turn():
    """Start a test of kept answers well inside a minute: an answer is kept per minute
    (lists of coming dates move with the clock), so two requests on either side of a
    minute's turn rightly get two answers."""
    import time as clock
    left = 60 - clock.time() % 60
    if left < 10:
        clock.sleep(left + 0.1)


@pytest.fixture
def app(request, tmp_path, postgres_uri):
    """A fresh app and database, with the default focus areas and target groups.

    `@pytest.mark.app_config(NAME=value)` changes settings for one test or module.
    """
    uri = postgres_uri or "sqlite:///" + str(tmp_path / "test.sqlite")
    extra = {}
    for marker in reversed(list(request.node.iter_markers("app_config"))):
        extra.update(marker.kwargs)
    app = create_app(config_for_tests(uri, **extra))
    app.test_client_class = FreshContextClient
    with app.app_context():
        if postgres_uri:
            _empty_tables()
        else:
            db.create_all()
        ensure_default_terms()
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A browser that asks for English pages (tests read English messages) unless a
    test sends its own Accept-Language, `?lang=` or cookie."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class AuthActions:
    """Logging in and out through the real forms (flaskr's `auth` helper), with the
    form's CSRF token when the app checks tokens."""

    def __init__(self, client):
        self._client = client

    def _token(self, path):
        if not self._client.application.config.get("WTF_CSRF_ENABLED"):
            return {}
        page = self._client.get(path).get_data(as_text=True)
        return {"csrf_token": CSRF_TOKEN.search(page).group(1)}

    def login(self, email="medlem@example.se", password=PASSWORD, next=None, **request):
        """Post the login form (with `next` when given; `request` goes to the test
        client, e.g. environ_base); returns the response (303 when it worked)."""
        data = {"email": email, "password": password, **self._token("/login")}
        if next is not None:
            data["next"] = next
        return self._client.post("/login", data=data, **request)

    def logout(self):
        """Post the logout form; returns the response."""
        return self._client.post("/logout", data=self._token("/"))


@pytest.fixture
def auth(client):
    """`auth.login(email)` and `auth.logout()` for the `client` fixture; wrap another
    test client with `AuthActions(other)`."""
    return AuthActions(client)


@pytest.fixture
def factories(app):
    """The factory functions, inside the test's app context."""
    class Factories:
        municipality = staticmethod(make_municipality)
        organisation = staticmethod(make_organisation)
        venue = staticmethod(make_venue)
        activity = staticmethod(make_activity)
        user = staticmethod(make_user)
        booking = staticmethod(make_booking)
        series = staticmethod(make_series)
        signup = staticmethod(make_signup)
        partner = staticmethod(make_partner)
        feed = staticmethod(make_feed)
    return Factories


def next_weekday(weekday, start=None):
    """The first date on or after `start` (today) that falls on `weekday`."""
    start = start or date.today()
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def free_port():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server_processes(app):
    """`start(count=2, **env)`: that many server processes (tests/serve.py) on the test's
    database, answering on /healthz; their base URLs (`start.processes` holds the
    processes). Stopped after the test."""
    import subprocess
    import sys
    import time as clock
    from pathlib import Path

    import requests
    root = Path(__file__).resolve().parent.parent
    started = []

    def start(count=2, **env):
        ports = [free_port() for _ in range(count)]
        started.extend(subprocess.Popen(
            [sys.executable, "-m", "tests.serve", app.config["SQLALCHEMY_DATABASE_URI"],
             str(port)], cwd=root, env=dict(os.environ, PYTHONPATH=str(root), **env),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for port in ports)
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        deadline = clock.monotonic() + 60
        for base in bases:
            while True:
                try:
                    requests.get(base + "/healthz", timeout=2)
                    break
                except (requests.ConnectionError, requests.Timeout):  # still starting
                    assert clock.monotonic() < deadline, "the servers did not start"
                    clock.sleep(0.1)
        return bases

    start.processes = started
    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 (aiosmtpd); `.messages` holds what arrived."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    class Inbox:
        """`.refuse` set to an SMTP reply (e.g. "550 no such user") refuses recipients."""

        def __init__(self):
            self.messages = []
            self.refuse = None

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if self.refuse:
                return self.refuse
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(message_from_bytes(envelope.content,
                                                    policy=policy.default))
            return "250 OK"

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def redis_url(tmp_path):
    """A real Redis server on 127.0.0.1 for this test (make test installs redis-server)."""
    import shutil
    import subprocess
    import time as clock

    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing")
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1",
                                "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis
    client = redis.Redis(host="127.0.0.1", port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            clock.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


class SmsProvider:
    """A local stand-in for an SMS provider's HTTP API (the common Swedish shape: a form
    POST of from, to and message with basic auth). `.messages` holds what arrived;
    `.answer` is the status it answers with; `.stop()` and `.start()` take it down and
    bring it back on the same port."""

    USER, PASSWORD = "samverkan", "sms-secret"

    def __init__(self):
        self.messages = []
        self.answer = 200
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/send"
        self._server = None

    def start(self):
        import base64
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qs

        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                expected = "Basic " + base64.b64encode(
                    f"{provider.USER}:{provider.PASSWORD}".encode()).decode()
                status = 401 if self.headers.get("Authorization") != expected else \
                    provider.answer
                if status == 200:
                    provider.messages.append(form)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"status": "queued"}' if status == 200 else b"{}")

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def settings(self):
        return {"SMS_URL": self.url, "SMS_USER": self.USER, "SMS_PASSWORD": self.PASSWORD,
                "SMS_FROM": "Samverkan"}


@pytest.fixture
def sms_provider():
    """A running SmsProvider; stopped after the test."""
    provider = SmsProvider()
    provider.start()
    yield provider
    provider.stop()
