"""Sweden's municipalities as reference data: the shipped list, the migration that loads
it, `flask municipalities list|enable|disable`, `create-user --municipality`, and the
forms and filters offering only the enabled ones."""

import os
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from directory import create_app
from directory.accounts.models import User
from directory.audit.models import AuditEvent
from directory.common.time import utcnow
from directory.common.types import UTCDateTime
from directory.config import database_uri
from directory.extensions import db
from directory.taxonomy.areas import municipality_code_at
from directory.taxonomy.models import FocusArea, Municipality
from directory.taxonomy.reference import reference_counties, reference_municipalities
from tests.conftest import config_for_tests


def by_code(code):
    return db.session.scalar(db.select(Municipality).filter_by(code=code))


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


# ------------------------------------------------------------------ the shipped data

def test_the_list_holds_every_municipality_with_its_county():
    municipalities = reference_municipalities()
    assert len(municipalities) == 290 and len(reference_counties()) == 21
    assert len({m["code"] for m in municipalities}) == 290
    assert len({m["slug"] for m in municipalities}) == 290
    assert all(len(m["code"]) == 4 and m["code"].isdigit() for m in municipalities)
    known = {m["code"]: (m["name"], m["slug"], m["county"]) for m in municipalities}
    assert known["0160"] == ("Täby", "taby", "Stockholms län")
    assert known["0114"] == ("Upplands Väsby", "upplands-vasby", "Stockholms län")
    assert known["1480"] == ("Göteborg", "goteborg", "Västra Götalands län")
    assert known["1481"] == ("Mölndal", "molndal", "Västra Götalands län")
    assert known["1490"] == ("Borås", "boras", "Västra Götalands län")
    # Two names that fold alike keep apart.
    assert (known["0643"][1], known["0305"][1]) == ("habo", "habo-0305")


@pytest.mark.parametrize("latitude, longitude, code", [
    (59.4439, 18.0687, "0160"),  # Kemistvägen, Täby
    (57.7089, 11.9746, "1480"),  # Göteborg central
    (57.6554, 12.0138, "1481"),  # Mölndal
    (57.7210, 12.9401, "1490"),  # Borås
    (59.3293, 18.0686, "0180"),  # Stockholm
    (67.8558, 20.2253, "2584"),  # Kiruna
    (59.5, 19.5, None),  # the sea
    (52.52, 13.40, None),  # Berlin
    (None, 18.0, None),
])
def test_coordinates_tell_the_municipality(latitude, longitude, code):
    assert municipality_code_at(latitude, longitude) == code


# ------------------------------------------------------------------ the migration

def _fresh_database(tmp_path, worker_id):
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(tmp_path / "before-municipalities.sqlite")
    admin = create_engine(database_uri(url), isolation_level="AUTOCOMMIT")
    name = f"samverkan_municipalities_migration_{worker_id}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return database_uri(url).rsplit("/", 1)[0] + "/" + name


def _insert(conn, table, **values):
    kinds = {dict: sa.JSON(), datetime: UTCDateTime(), bool: sa.Boolean()}
    columns = [sa.column(name, kinds.get(type(value))) for name, value in values.items()]
    statement = sa.table(table, sa.column("id"), *columns).insert().values(**values)
    return conn.execute(statement.returning(sa.column("id"))).scalar_one()


def test_the_migration_loads_all_and_keeps_what_exists(tmp_path, worker_id):
    """A database at 0005 with the demo's four municipalities (an organisation in Täby, a
    meeting place in Göteborg, an old spelling of Borås, nothing in Mölndal) and a focus
    area of its own upgrades: all 290 are there, the four keep their ids and slugs, those
    in use are enabled, the rest are not; the coordinators' focus areas are left alone."""
    app = create_app(config_for_tests(_fresh_database(tmp_path, worker_id)))
    with app.app_context():
        upgrade(revision="0005")
        now = utcnow()
        with db.engine.begin() as conn:
            ids = {code: _insert(conn, "municipality", code=code, slug=slug, name=name,
                                 county=county)
                   for code, slug, name, county in (
                       ("0160", "taby", "Täby", "Stockholms län"),
                       ("1480", "gbg", "Göteborg", "Västra Götalands län"),
                       ("1481", "molndal", "Mölndal", "Västra Götalands län"),
                       ("1490", "boras", "Boras", "Västra Götaland"))}
            _insert(conn, "organisation", slug="sprakvanner", name="Språkvänner",
                    description="", translations={}, kind="forening",
                    municipality_id=ids["0160"], language_codes=",sv,", status="verified",
                    search_text="språkvänner", created_at=now, updated_at=now)
            _insert(conn, "venue", slug="angered", name="Angereds mötesplats", description="",
                    accessibility="", translations={}, street_address="Angereds torg 1",
                    city="Göteborg", municipality_id=ids["1480"],
                    active=True, created_at=now, updated_at=now)
            _insert(conn, "focus_area", slug="egen", name="Eget fokus", names={}, position=0)
        upgrade(revision="0006")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Municipality)) == 290
        kept = {m.code: (m.id, m.slug, m.name, m.county, m.enabled)
                for m in db.session.scalars(sa.select(Municipality).where(
                    Municipality.code.in_(list(ids))))}
        assert kept == {"0160": (ids["0160"], "taby", "Täby", "Stockholms län", True),
                        "1480": (ids["1480"], "gbg", "Göteborg", "Västra Götalands län", True),
                        "1481": (ids["1481"], "molndal", "Mölndal", "Västra Götalands län",
                                 False),
                        "1490": (ids["1490"], "boras", "Borås", "Västra Götalands län", False)}
        assert by_code("0114").slug == "upplands-vasby" and not by_code("0114").enabled
        assert by_code("0305").slug == "habo-0305" and by_code("0643").slug == "habo"
        assert db.session.scalar(sa.select(sa.func.count()).where(Municipality.enabled)) == 2
        assert db.session.scalars(sa.select(FocusArea.slug)).all() == ["egen"]
        db.session.remove()
        db.engine.dispose()


# ------------------------------------------------------------------ the commands

def test_list_enable_and_disable(app, factories):
    taby = factories.municipality("taby")
    factories.organisation(municipality=taby)
    factories.venue(municipality=taby)
    goteborg = factories.municipality("goteborg")

    listed = cli(app, "municipalities", "list")
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert lines[0].split() == ["code", "name", "county", "enabled", "organisations", "venues"]
    assert lines[1].split() == ["0160", "Täby", "Stockholms", "län", "yes", "1", "1"]

    # A schema built without the migration still knows every code from the shipped list.
    enabled = cli(app, "municipalities", "enable", "0114", "1480")
    assert enabled.exit_code == 0, enabled.output
    assert "Enabled 0114 Upplands Väsby (Stockholms län)." in enabled.output
    assert "1480 Göteborg was already enabled; nothing changed." in enabled.output
    assert by_code("0114").enabled and by_code("0114").slug == "upplands-vasby"
    assert cli(app, "municipalities", "list", "--enabled").output.count("yes") == 3

    unknown = cli(app, "municipalities", "enable", "1481", "9999", "abc")
    assert unknown.exit_code == 2
    assert "9999, abc" in unknown.output
    assert by_code("1481") is None  # nothing changed, not even the good code

    refused = cli(app, "municipalities", "disable", "1480", "0160")
    assert refused.exit_code == 2
    assert "Täby (0160)" in refused.output and "organisations: 1, meeting places: 1" in \
        refused.output
    db.session.expire_all()
    assert by_code("0160").enabled and by_code("1480").enabled

    disabled = cli(app, "municipalities", "disable", "1480")
    assert disabled.exit_code == 0 and "Disabled 1480 Göteborg." in disabled.output
    again = cli(app, "municipalities", "disable", "1480")
    assert "1480 Göteborg was not enabled; nothing changed." in again.output
    db.session.expire_all()
    assert not db.session.get(Municipality, goteborg.id).enabled
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.summary) for e in events] == [
        ("municipality.enable", "0114 Upplands Väsby"),
        ("municipality.disable", "1480 Göteborg")]


def test_create_user_limits_a_coordinator_to_an_enabled_municipality(app, factories):
    taby = factories.municipality("taby")
    made = cli(app, "create-user", "taby@example.se", "--role", "staff",
               "--municipality", "0160")
    assert made.exit_code == 0, made.output
    user = db.session.scalar(sa.select(User).filter_by(email="taby@example.se"))
    assert user.municipality_id == taby.id
    county = cli(app, "create-user", "lan@example.se", "--role", "staff")
    assert county.exit_code == 0
    assert db.session.scalar(sa.select(User).filter_by(email="lan@example.se")
                             ).municipality_id is None

    for args, message in (
            (["--role", "staff", "--municipality", "9999"], "no municipality has the code"),
            (["--role", "staff", "--municipality", "1481"], "1481 is not enabled"),
            (["--role", "member", "--municipality", "0160"], "only a coordinator")):
        result = cli(app, "create-user", "fel@example.se", *args)
        assert result.exit_code == 2, args
        assert message in result.output, result.output
    assert db.session.scalar(sa.select(User).filter_by(email="fel@example.se")) is None


# ------------------------------------------------------------------ forms and filters

def test_registration_and_filters_offer_only_enabled_municipalities(app, client, factories):
    factories.municipality("taby")
    goteborg = factories.municipality("goteborg")
    cli(app, "municipalities", "enable", "1481")
    cli(app, "municipalities", "disable", "1480")
    assert not db.session.get(Municipality, goteborg.id).enabled
    form = client.get("/organisations/register").get_data(as_text=True)
    assert ">Täby</option>" in form and ">Mölndal</option>" in form
    assert "Göteborg" not in form
    filters = client.get("/activities").get_data(as_text=True)
    assert 'value="molndal"' in filters and 'value="goteborg"' not in filters
    refused = client.post("/organisations/register", data={
        "name": "I Göteborg", "kind": "forening", "description": "Något.",
        "municipality": str(goteborg.id), "owner_name": "A", "owner_email": "a@example.se",
        "password": "ett långt lösenord", "confirm": "ett långt lösenord"})
    assert refused.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
