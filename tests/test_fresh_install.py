"""A fresh install without demo data works end to end, on SQLite and PostgreSQL:
`db upgrade` → `municipalities enable 0160` → a visitor registers an organisation in Täby
through the form → a county-wide coordinator made with `create-user` verifies it → its
owner creates an activity through the form → the activity is public on the page and in
the API."""

import os
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from directory import create_app
from directory.common.time import local_today
from directory.config import database_uri
from directory.extensions import db
from directory.organisations.models import Organisation
from directory.taxonomy.models import FocusArea, Municipality
from tests.conftest import AuthActions, FreshContextClient, config_for_tests, next_weekday


def _fresh_database(tmp_path, worker_id):
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(tmp_path / "fresh.sqlite")
    admin = create_engine(database_uri(url), isolation_level="AUTOCOMMIT")
    name = f"samverkan_fresh_install_{worker_id}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return database_uri(url).rsplit("/", 1)[0] + "/" + name


@pytest.fixture
def fresh(tmp_path, worker_id):
    """An app on a database built only by the migrations: no demo, no factories."""
    app = create_app(config_for_tests(_fresh_database(tmp_path, worker_id)))
    app.test_client_class = FreshContextClient
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def _cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_register_verify_and_publish_on_a_fresh_install(fresh):
    client = fresh.test_client()
    auth = AuthActions(client)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert db.session.scalar(db.select(db.func.count()).select_from(Municipality)) == 290
    # Nothing is offered before the installation says which municipalities it serves.
    assert "Täby" not in client.get("/organisations/register").get_data(as_text=True)

    assert "Enabled 0160 Täby (Stockholms län)." in _cli(fresh, "municipalities", "enable",
                                                         "0160")
    taby = db.session.scalar(db.select(Municipality).filter_by(code="0160"))
    form = client.get("/organisations/register").get_data(as_text=True)
    assert f'<option value="{taby.id}">Täby</option>' in form
    assert "Göteborg" not in form and "Upplands Väsby" not in form
    language = db.session.scalar(db.select(FocusArea.id).filter_by(slug="utbildning"))
    registered = client.post("/organisations/register", data={
        "name": "Språkvänner i Täby", "kind": "forening", "org_number": "802000-1908",
        "description": "Vi ordnar språkcafé varje vecka.", "municipality": str(taby.id),
        "email": "info@sprakvanner.example.se", "focus_areas": [str(language)],
        "languages": ["sv", "ar"], "city": "Täby", "owner_name": "Amina",
        "owner_email": "amina@example.se", "password": "ett långt lösenord",
        "confirm": "ett långt lösenord"})
    assert registered.status_code == 303, registered.get_data(as_text=True)
    org = db.session.scalar(db.select(Organisation).filter_by(name="Språkvänner i Täby"))
    assert org.status == "pending" and org.municipality_id == taby.id
    assert client.get(f"/organisations/{org.slug}").status_code == 404
    auth.logout()

    output = _cli(fresh, "create-user", "samordnare@example.se", "--role", "staff")
    link = urlsplit(output.strip().splitlines()[-1]).path
    set_password = client.post(link, data={"password": "samordnarens lösenord",
                                           "confirm": "samordnarens lösenord"})
    assert set_password.status_code in (302, 303)
    assert auth.login("samordnare@example.se", "samordnarens lösenord").status_code == 303
    assert "Språkvänner i Täby" in client.get("/staff/organisations").get_data(as_text=True)
    verified = client.post(f"/staff/organisations/{org.id}/verified", data={"reason": ""})
    assert verified.status_code == 303
    auth.logout()
    db.session.refresh(org)
    assert org.status == "verified"
    assert client.get(f"/organisations/{org.slug}").status_code == 200

    assert auth.login("amina@example.se").status_code == 303
    first = next_weekday(1, local_today() + timedelta(days=1))
    created = client.post(f"/manage/organisations/{org.slug}/activities/new", data={
        "title": "Språkcafé på Kemistvägen", "description": "Vi pratar svenska och fikar.",
        "languages": ["sv", "ar"], "recurrence": "weekly", "starts_on": first.isoformat(),
        "start_time": "17:00", "end_time": "18:30", "interval": "1", "weekdays": ["1"],
        "until": (first + timedelta(days=28)).isoformat(), "street_address": "Kemistvägen 17",
        "postal_code": "183 79", "city": "Täby", "focus_areas": [str(language)],
        "action": "save"})
    assert created.status_code == 303, created.get_data(as_text=True)
    auth.logout()

    page = client.get("/activities?kommun=taby").get_data(as_text=True)
    assert "Språkcafé på Kemistvägen" in page
    api = client.get("/api/v1/occurrences?kommun=taby").get_json()
    assert api["total_items"] == 5
    assert {o["title"] for o in api["contents"]} == {"Språkcafé på Kemistvägen"}
    assert {o["organization"]["slug"] for o in api["contents"]} == {org.slug}
