"""Test setup: a fresh app and database per test, and factories for the domain.

SQLite: a new database file per test. PostgreSQL (DATABASE_URL set): one
database per xdist worker, its tables emptied before each test.
"""

import itertools
import os
from datetime import date, time, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from directory import create_app
from directory.activities.models import Activity
from directory.activities.services import horizon_end, materialise_occurrences
from directory.common.text import slugify
from directory.common.time import local_today
from directory.config import database_uri
from directory.extensions import db
from directory.organisations.models import Organisation
from directory.taxonomy.models import FocusArea, TargetGroup
from directory.taxonomy.services import ensure_default_terms, get_or_create_municipality
from directory.venues.models import OpeningHours, Room, Venue

POSTGRES_URL = os.environ.get("DATABASE_URL")


def config_for_tests(uri, **extra):
    """The settings every test app gets."""
    config = {"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": uri,
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
    admin = create_engine(database_uri(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    name = f"samverkan_test_{worker_id}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    uri = database_uri(POSTGRES_URL).rsplit("/", 1)[0] + "/" + name
    app = create_app(config_for_tests(uri))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    yield uri
    admin.dispose()


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


def make_user(email="medlem@example.se", role="member", password="ett långt lösenord",
              organisation=None, owner=True):
    """A user who can log in with `password`; a member of `organisation` when given."""
    from directory.accounts.models import User
    from directory.accounts.services import set_password
    from directory.organisations.models import Membership
    user = User(email=email, role=role)
    set_password(user, password)
    db.session.add(user)
    if organisation is not None:
        db.session.add(Membership(user=user, organisation=organisation,
                                  role="owner" if owner else "editor"))
    db.session.commit()
    return user


def login(client, email, password="ett långt lösenord"):
    """Log in through the real form; returns the response."""
    return client.post("/login", data={"email": email, "password": password})


# ---------------------------------------------------------------- factories

def make_municipality(slug="taby"):
    names = {"taby": ("0160", "Täby", "Stockholms län"),
             "goteborg": ("1480", "Göteborg", "Västra Götalands län"),
             "molndal": ("1481", "Mölndal", "Västra Götalands län")}
    code, name, county = names[slug]
    municipality = get_or_create_municipality(code, slug, name, county)
    db.session.commit()
    return municipality


_serial = itertools.count(1)


def make_organisation(**overrides):
    name = overrides.pop("name", None) or f"Språkvänner Täby {next(_serial)}"
    fields = dict(name=name, slug=slugify(name), description="Vi ordnar språkcafé.",
                  status="verified", kind="forening",
                  municipality=overrides.pop("municipality", None) or make_municipality())
    languages = overrides.pop("languages", ["sv", "ar"])
    focus = overrides.pop("focus", [])
    fields.update(overrides)
    org = Organisation(**fields)
    org.languages = languages
    org.focus_areas = [db.session.scalar(db.select(FocusArea).filter_by(slug=s))
                       for s in focus]
    db.session.add(org)
    db.session.commit()
    return org


def make_venue(**overrides):
    fields = dict(name="Mötesplats Kemistvägen", slug="kemistvagen",
                  street_address="Kemistvägen 17", postal_code="183 79", city="Täby",
                  latitude=59.4439, longitude=18.0687,
                  municipality=overrides.pop("municipality", None) or make_municipality())
    rooms = overrides.pop("rooms", [("Stora salen", 40)])
    fields.update(overrides)
    venue = Venue(**fields)
    for name, capacity in rooms:
        venue.rooms.append(Room(name=name, capacity=capacity))
    for weekday in range(7):
        venue.opening_hours.append(OpeningHours(weekday=weekday, opens=time(8),
                                                closes=time(22)))
    db.session.add(venue)
    db.session.commit()
    return venue


def make_activity(organisation=None, **overrides):
    """An activity with its occurrences materialised (weekly on Tuesdays by default)."""
    organisation = organisation or make_organisation()
    today = local_today()
    fields = dict(organisation=organisation, municipality=organisation.municipality,
                  title="Läxhjälp", description="Hjälp med läxorna.",
                  recurrence="weekly", starts_on=today - timedelta(days=today.weekday()) +
                  timedelta(days=1), start_time=time(17), end_time=time(18, 30),
                  weekdays="1", until=today + timedelta(days=60),
                  street_address="Storgatan 1", postal_code="183 34", city="Täby")
    languages = overrides.pop("languages", ["sv", "ar"])
    focus = overrides.pop("focus", [])
    targets = overrides.pop("targets", [])
    fields.update(overrides)
    activity = Activity(**fields)
    db.session.add(activity)
    activity.languages = languages
    activity.focus_areas = [db.session.scalar(db.select(FocusArea).filter_by(slug=s))
                            for s in focus]
    activity.target_groups = [db.session.scalar(db.select(TargetGroup).filter_by(slug=s))
                              for s in targets]
    db.session.add(activity)
    db.session.flush()
    materialise_occurrences(activity, horizon_end())
    db.session.commit()
    return activity


@pytest.fixture
def factories(app):
    """The factory functions, inside the test's app context."""
    class Factories:
        municipality = staticmethod(make_municipality)
        organisation = staticmethod(make_organisation)
        venue = staticmethod(make_venue)
        activity = staticmethod(make_activity)
        user = staticmethod(make_user)
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
def smtp_server():
    """A real SMTP server on 127.0.0.1 (aiosmtpd); `.messages` holds what arrived."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

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
