"""The Alembic migrations build exactly the schema the models describe, on both databases."""

import os

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text

from directory import create_app
from directory.config import database_uri
from directory.extensions import db
from directory.organisations.models import Organisation
from tests.conftest import config_for_tests


def _fresh_database(tmp_path, worker_id):
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(tmp_path / "migrated.sqlite")
    admin = create_engine(database_uri(url), isolation_level="AUTOCOMMIT")
    name = f"samverkan_migrations_{worker_id}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return database_uri(url).rsplit("/", 1)[0] + "/" + name


def test_migrations_match_the_models_and_take_the_demo(tmp_path, worker_id):
    app = create_app(config_for_tests(_fresh_database(tmp_path, worker_id)))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(
                conn, opts={"compare_type": True}), db.metadata)
        assert diff == []
        from directory.demo.seed import seed_demo
        seed_demo()
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Organisation)) >= 40
        db.session.remove()
        db.engine.dispose()
