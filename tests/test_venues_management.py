"""Coordinators keep meeting places, rooms, opening hours and closed days; audited."""

from directory.audit.models import AuditEvent
from directory.extensions import db
from directory.venues.models import Room, Venue
from tests.conftest import AuthActions


def staff(client, factories):
    factories.user(email="staff@example.se", role="staff")
    AuthActions(client).login("staff@example.se")


def test_create_a_venue_with_a_room_hours_and_a_closed_day(client, factories):
    taby = factories.municipality()
    staff(client, factories)
    response = client.post("/staff/venues", data={
        "name": "Mötesplats Kemistvägen", "street_address": "Kemistvägen 17",
        "postal_code": "183 79", "city": "Täby", "municipality": str(taby.id),
        "latitude": "59.44", "longitude": "18.07", "operator_name": "Täby kommun"})
    assert response.status_code == 303
    venue = db.session.scalar(db.select(Venue))
    client.post(f"/staff/venues/{venue.slug}/rooms", data={
        "name": "Barnrummet", "capacity": "15", "features": ["childrens_corner"],
        "requires_approval": "y", "min_notice_hours": "24", "max_advance_days": "180",
        "max_duration_minutes": "180", "buffer_minutes": "15"})
    client.post(f"/staff/venues/{venue.slug}/hours",
                data={"weekday": "1", "opens": "09:00", "closes": "21:00"})
    client.post(f"/staff/venues/{venue.slug}/closures",
                data={"starts_on": "2027-06-25", "ends_on": "2027-06-25",
                      "reason": "Midsommarafton"})
    db.session.expire_all()
    venue = db.session.scalar(db.select(Venue))
    [room] = venue.rooms
    assert (room.capacity, room.buffer_minutes, room.features) == (15, 15,
                                                                   ["childrens_corner"])
    assert [(h.weekday, h.opens.hour) for h in venue.opening_hours] == [(1, 9)]
    assert venue.closures[0].reason == "Midsommarafton"
    public = client.get(f"/venues/{venue.slug}").get_data(as_text=True)
    assert "Barnrummet" in public
    actions = {e.action for e in db.session.scalars(db.select(AuditEvent))}
    assert {"venue.create", "room.create", "venue.hours", "venue.closure"} <= actions


def test_bad_venue_input_is_explained_and_saves_nothing(client, factories):
    factories.municipality()
    staff(client, factories)
    response = client.post("/staff/venues", data={"name": "", "street_address": "",
                                                  "city": "Täby", "municipality": "999",
                                                  "latitude": "99"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Write a name." in body and "A latitude in Sweden" in body
    assert db.session.scalar(db.select(db.func.count()).select_from(Venue)) == 0


def test_bad_hours_closures_and_rooms(client, factories):
    venue = factories.venue()
    staff(client, factories)
    hours = client.post(f"/staff/venues/{venue.slug}/hours",
                        data={"weekday": "1", "opens": "21:00", "closes": "09:00"})
    assert hours.status_code == 422 and "The end must be after the start." in \
        hours.get_data(as_text=True)
    closed = client.post(f"/staff/venues/{venue.slug}/closures",
                         data={"starts_on": "2027-06-25", "ends_on": "2027-06-20"})
    assert closed.status_code == 422
    room = client.post(f"/staff/venues/{venue.slug}/rooms",
                       data={"name": venue.rooms[0].name, "capacity": "10",
                             "min_notice_hours": "0", "max_advance_days": "30",
                             "max_duration_minutes": "60", "buffer_minutes": "0"})
    assert room.status_code == 422 and "already a room" in room.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Room)) == 1
