"""The Flask CLI commands a maintainer runs."""

from sqlalchemy import func, select

from directory.activities.models import Activity, Occurrence
from directory.extensions import db
from directory.organisations.models import Organisation
from directory.venues.models import Venue


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_loads_a_believable_municipality_once(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert 35 <= count(Organisation) <= 45
    kemistvagen = db.session.scalar(select(Venue).filter_by(slug="kemistvagen"))
    assert kemistvagen is not None and len(kemistvagen.rooms) >= 3
    assert kemistvagen.municipality.name == "Täby"
    titles = set(db.session.scalars(select(Activity.title)))
    assert {"Språkcafé", "Läxhjälp", "Fotboll för unga", "Kvinnogrupp", "Jobbcoachning",
            "IT-hjälp", "Föräldragrupp"} <= titles
    kinds = set(db.session.scalars(select(Organisation.kind)))
    assert len(kinds) >= 6
    occurrences = count(Occurrence)
    assert occurrences > 1000
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "nothing loaded" in again.output
    assert count(Occurrence) == occurrences


def test_seed_scale_adds_proportional_data(app):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--scale", "50"])
    assert result.exit_code == 0, result.output
    assert count(Organisation) == 50
    assert 50 <= count(Activity) <= 100
    assert count(Occurrence) > 50
    # Scaled organisations are public and searchable like any other.
    assert db.session.scalar(select(func.count()).select_from(Organisation).where(
        Organisation.status == "verified")) == 50
    # The app adds rows after a scaled seed (the ids the bulk rows took are not reused).
    factories_org = Organisation(slug="efter-fröet", name="Efter fröet",
                                 municipality_id=db.session.scalar(
                                     select(Organisation.municipality_id).limit(1)))
    db.session.add(factories_org)
    db.session.commit()
    assert count(Organisation) == 51


def test_extend_occurrences_is_safe_to_repeat(app, factories):
    factories.activity()
    runner = app.test_cli_runner()
    runner.invoke(args=["extend-occurrences"])
    before = count(Occurrence)
    result = runner.invoke(args=["extend-occurrences"])
    assert "Added 0 occurrences" in result.output
    assert count(Occurrence) == before


def test_the_demo_holds_its_rooms_legitimately(app):
    """Every seeded date in a room is the room's only use then, inside the opening hours,
    and not on a closed day (those dates are cancelled, saying so); check-rooms agrees."""
    from directory.common.time import to_local
    from directory.venues.models import Room
    from directory.venues.occupancy import closure_on, within_opening_hours
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    in_rooms = db.session.scalars(select(Occurrence).where(
        Occurrence.room_id.isnot(None))).all()
    assert len(in_rooms) > 500
    per_room = {}
    for occ in in_rooms:
        room = db.session.get(Room, occ.room_id)
        start, end = to_local(occ.starts_at), to_local(occ.ends_at)
        assert within_opening_hours(room.venue_id, start, end), (room.name, start)
        closed = closure_on(room, start.date())
        assert (occ.status == "cancelled") == (closed is not None) or \
            occ.cancel_reason == "Ledaren är sjuk. Välkommen nästa vecka!"
        if occ.status == "scheduled":
            per_room.setdefault(occ.room_id, []).append((occ.starts_at, occ.ends_at))
    for periods in per_room.values():
        periods.sort()
        for (_, end), (start, _) in zip(periods, periods[1:]):
            assert end <= start
    result = runner.invoke(args=["check-rooms", "--all"])
    assert result.exit_code == 0 and "No room is used twice at once." in result.output
