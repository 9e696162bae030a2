"""The Alembic migrations build exactly the schema the models describe, on both databases."""

import os

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import MetaData, func, select, text

from directory import create_app
from directory.common.search import include_name
from directory.extensions import db
from directory.organisations.models import Organisation
from tests.conftest import config_for_tests, empty_postgres_database


def _fresh_database(tmp_path, worker_id, name="migrations"):
    if not os.environ.get("DATABASE_URL"):
        tmp_path.mkdir(parents=True, exist_ok=True)
        return "sqlite:///" + str(tmp_path / f"{name}.sqlite")
    return empty_postgres_database(f"samverkan_{name}_{worker_id}")


def _copy_rows(source, target, tables):
    """Copy every row of `tables` from one database to another, in the columns the
    target has (an older schema), keeping ids; PostgreSQL's sequences follow."""
    old, new = MetaData(), MetaData()
    old.reflect(bind=source, only=tables)
    new.reflect(bind=target, only=tables)
    with source.connect() as read, target.begin() as write:
        write.execute(text("DELETE FROM municipality"))
        for name in tables:
            columns = [c.name for c in new.tables[name].columns
                       if c.name in old.tables[name].columns]
            rows = [dict(r._mapping) for r in read.execute(
                select(*[old.tables[name].c[c] for c in columns]))]
            if rows:
                write.execute(new.tables[name].insert(), rows)
            if target.dialect.name == "postgresql":
                write.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                   f"(SELECT max(id) FROM {name}))"))


def test_migrations_match_the_models_and_take_the_demo(tmp_path, worker_id):
    app = create_app(config_for_tests(_fresh_database(tmp_path, worker_id)))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": include_name}),
                db.metadata)
        assert diff == []
        from directory.demo.seed import seed_demo
        seed_demo()
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Organisation)) >= 40
        db.session.remove()
        db.engine.dispose()


def test_hsds_ids_fill_existing_rows_once_and_stay(tmp_path, worker_id):
    """0008 gives every existing row its own UUID; later edits never change it."""
    import uuid

    from flask_migrate import downgrade

    app = create_app(config_for_tests(_fresh_database(tmp_path, worker_id)))
    with app.app_context():
        upgrade(revision="0007")
        with db.engine.begin() as conn:
            municipality = conn.scalar(text("SELECT id FROM municipality ORDER BY id LIMIT 1"))
            for n in (1, 2):
                conn.execute(text(
                    "INSERT INTO organisation (slug, name, description, translations, kind, "
                    "municipality_id, language_codes, status, created_at, updated_at, "
                    "search_text) VALUES (:slug, :name, '', '{}', 'forening', :m, '', "
                    "'verified', :at, :at, '')"),
                    {"slug": f"org-{n}", "name": f"Org {n}", "m": municipality,
                     "at": "2026-01-01 00:00:00"})
            conn.execute(text("INSERT INTO focus_area (slug, name, names, position) "
                              "VALUES ('prov', 'Prov', '{}', 0)"))
        upgrade()
        with db.engine.connect() as conn:
            ids = conn.execute(text("SELECT slug, uuid FROM organisation")).all()
            terms = conn.scalars(text("SELECT uuid FROM focus_area")).all()
        assert len({u for _, u in ids}) == 2
        assert len(set(terms)) == len(terms)
        for value in [u for _, u in ids] + terms:
            assert str(uuid.UUID(value)) == value
        org = db.session.scalar(select(Organisation).where(Organisation.slug == "org-1"))
        org.name = "Org ett"
        db.session.commit()
        assert org.uuid == dict(ids)["org-1"]
        db.session.remove()
        downgrade(revision="0007")
        upgrade()
        db.session.remove()
        db.engine.dispose()


def test_series_ended_before_their_schedule_kept_its_end_get_their_last_day(tmp_path,
                                                                            worker_id):
    """0010: a weekly series ended with an open rule (a count, no until) ends its rule on
    the day of its last begun date, so feeds stop repeating it."""
    from datetime import datetime, time, timedelta

    from directory.activities.models import Activity
    from directory.common.time import LOCAL, local_today
    from tests.factories import make_activity

    # The series is made by today's models in a database of its own, and its rows are
    # copied (the columns 0009 had) into a database at 0009.
    first = local_today() - timedelta(days=28)
    made = create_app(config_for_tests(_fresh_database(tmp_path / "made", worker_id,
                                                       "made")))
    with made.app_context():
        db.create_all()
        activity_id = make_activity(starts_on=first, weekdays=str(first.weekday()),
                                    until=None, count=20, start_time=time(17),
                                    end_time=time(18)).id
        db.session.commit()
        source = db.engine
    app = create_app(config_for_tests(_fresh_database(tmp_path, worker_id)))
    with app.app_context():
        upgrade(revision="0009")
        _copy_rows(source, db.engine, ("municipality", "organisation", "activity",
                                       "occurrence"))
        source.dispose()
        ended_at = datetime.combine(first + timedelta(days=15), time(12), tzinfo=LOCAL)
        db.session.execute(text("UPDATE activity SET status = 'ended', ended_at = :at "
                                "WHERE id = :id"),
                           {"at": Activity.__table__.c.ended_at.type.process_bind_param(
                               ended_at, db.engine.dialect), "id": activity_id})
        db.session.commit()
        db.session.remove()
        upgrade()
        row = db.session.get(Activity, activity_id)
        assert row.count is None
        assert row.until == first + timedelta(days=14)  # its third date had begun
        db.session.remove()
        db.engine.dispose()


def test_existing_organisations_are_confirmed_when_last_reviewed(tmp_path, worker_id):
    """0013: an organisation's freshness counts from its last review, else its
    verification, else its registration, as "stale" did before."""
    from datetime import datetime, timezone

    app = create_app(config_for_tests(_fresh_database(tmp_path, worker_id)))
    with app.app_context():
        upgrade(revision="0012")
        moment = Organisation.__table__.c.created_at.type
        at = {day: moment.process_bind_param(datetime(2025, 1, day, 9, tzinfo=timezone.utc),
                                             db.engine.dialect) for day in (1, 2, 3)}
        with db.engine.begin() as conn:
            municipality = conn.scalar(text("SELECT id FROM municipality ORDER BY id LIMIT 1"))
            for slug, reviewed, verified in (("granskad", at[3], at[2]),
                                             ("verifierad", None, at[2]),
                                             ("registrerad", None, None)):
                conn.execute(text(
                    "INSERT INTO organisation (uuid, slug, name, description, translations, "
                    "kind, municipality_id, language_codes, status, reviewed_at, "
                    "verified_at, created_at, updated_at, search_text, signup_digest) "
                    "VALUES (:slug, :slug, :slug, '', '{}', 'forening', :m, '', 'verified', "
                    ":reviewed, :verified, :created, :created, '', false)"),
                    {"slug": slug, "m": municipality, "reviewed": reviewed,
                     "verified": verified, "created": at[1]})
        upgrade()
        confirmed = {o.slug: o.confirmed_at.day for o in db.session.scalars(
            select(Organisation))}
        assert confirmed == {"granskad": 3, "verifierad": 2, "registrerad": 1}
        assert all(o.is_public for o in db.session.scalars(select(Organisation)))
        db.session.remove()
        db.engine.dispose()


def test_activities_get_their_tag_ids_from_their_links(tmp_path, worker_id):
    """0022 gives every existing activity the ids of its focus areas and target groups;
    from then on the database keeps them (activities.tags)."""
    from flask_migrate import downgrade

    from tests.test_activity_parts import kept_and_linked_tags

    app = create_app(config_for_tests(_fresh_database(tmp_path, worker_id)))
    with app.app_context():
        upgrade()
        from directory.demo.seed import seed_demo
        seed_demo()
        db.session.commit()
        db.session.remove()
        downgrade(revision="0021")
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM activity_target_group WHERE activity_id IN "
                              "(SELECT min(id) FROM activity)"))
        upgrade()
        kept, linked = kept_and_linked_tags()
        assert kept == linked and any(any(tags) for tags in kept.values())
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM activity_focus_area WHERE activity_id IN "
                              "(SELECT max(id) FROM activity)"))
        after, linked_after = kept_and_linked_tags()
        assert after == linked_after != linked
        db.session.remove()
        db.engine.dispose()
