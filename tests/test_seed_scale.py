"""`seed-demo --scale N`: the bulk load (COPY on PostgreSQL) gives rows the app reads as
its own, and leaves the schema as it found it."""

from sqlalchemy import func, select, text

from directory.activities.models import Activity, Occurrence
from directory.activities.schedule import Schedule, slots
from directory.activities.materialising import horizon_end
from directory.common.text import search_blob
from directory.common.time import local_today
from directory.extensions import db
from directory.organisations.models import Organisation

SCHEMA_SQL = text(
    "SELECT 'index ' || indexname || ': ' || indexdef FROM pg_indexes "
    "WHERE schemaname = current_schema() UNION ALL "
    "SELECT 'constraint ' || conrelid::regclass::text || '.' || conname || ': ' "
    "|| pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE connamespace = current_schema()::regnamespace ORDER BY 1")


def seed(app, count):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--scale", str(count)])
    assert result.exit_code == 0, result.output
    assert f"Loaded {count} organisations" in result.output


def schema():
    if db.session.get_bind().dialect.name != "postgresql":
        return None
    return db.session.execute(SCHEMA_SQL).scalars().all()


def test_every_seeded_series_has_its_own_dates(app):
    seed(app, 40)
    last_day = horizon_end(local_today())
    activities = db.session.scalars(select(Activity)).all()
    assert 40 <= len(activities) <= 80
    for activity in activities:
        schedule = Schedule(starts_on=activity.starts_on, start_time=activity.start_time,
                            end_time=activity.end_time, recurrence="weekly",
                            weekdays=(int(activity.weekdays),), until=activity.until)
        dates = db.session.execute(
            select(Occurrence.starts_at, Occurrence.ends_at)
            .where(Occurrence.activity_id == activity.id)
            .order_by(Occurrence.starts_at)).all()
        assert [tuple(d) for d in dates] == slots(schedule, last_day)
        assert activity.translations["en"]["title"]
        assert activity.search_text == search_blob(
            activity.title, activity.description, activity.city,
            activity.translations["en"]["title"],
            activity.translations["en"]["description"],
            activity.translations["ar"]["title"])


def test_seeded_organisations_are_whole_and_found(app, client):
    seed(app, 30)
    organisations = db.session.scalars(select(Organisation)).all()
    assert len({o.uuid for o in organisations}) == 30
    for organisation in organisations:
        assert organisation.search_text == search_blob(
            organisation.name, organisation.description, organisation.city)
        assert organisation.translations == {}
        assert organisation.created_at.utcoffset().total_seconds() == 0
        assert organisation.signup_digest is False
    name = organisations[7].name
    page = client.get(f"/organisations?q={name}").get_data(as_text=True)
    assert name in page
    assert client.get(f"/organisations/{organisations[7].slug}").status_code == 200


def test_a_second_load_continues_and_leaves_the_schema_as_it_was(app):
    before = schema()
    seed(app, 10)
    seed(app, 10)
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 20
    assert schema() == before
    # The app adds its own rows after the bulk ones.
    organisation = Organisation(slug="efter-lasten", name="Efter lasten",
                                municipality_id=db.session.scalar(
                                    select(Organisation.municipality_id).limit(1)))
    db.session.add(organisation)
    db.session.commit()
    assert organisation.id == 21


def test_seeded_activities_keep_their_tags_and_are_written_once(app):
    """The load writes an activity's tag ids itself (the triggers that keep them, and
    its parts' version, find no row to change on PostgreSQL: its dates and links go in
    first), so each row says what its links say, and on PostgreSQL no activity row was
    written again (its parts' version as the load wrote it)."""
    from tests.test_activity_parts import kept_and_linked_tags
    seed(app, 40)
    kept, linked = kept_and_linked_tags()
    assert kept == linked and any(focus for focus, _ in kept.values())
    if db.session.get_bind().dialect.name == "postgresql":
        # Bumped by no trigger: the parts' version each activity was made with.
        assert db.session.scalar(text(
            "SELECT count(*) FROM activity WHERE parts_version <> 0")) == 0
