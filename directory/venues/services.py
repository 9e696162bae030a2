"""Venue rules: listing meeting places and reading their week."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from .models import Room, Venue


def public_venues(municipality_id=None):
    """Active venues, by name."""
    stmt = select(Venue).where(Venue.active.is_(True))
    if municipality_id:
        stmt = stmt.where(Venue.municipality_id == municipality_id)
    return db.session.scalars(stmt.order_by(Venue.name).options(
        selectinload(Venue.rooms), selectinload(Venue.municipality))).all()


def public_venue(slug):
    return db.session.scalar(select(Venue).where(Venue.slug == slug,
                                                 Venue.active.is_(True)))


def may_choose_room(user, room):
    """Whether `user` may put an activity's dates straight into `room` from the
    activity's form: coordinators any room, others a room that needs no approval (the
    rest are asked for as room bookings)."""
    return room.active and room.venue.active and (
        getattr(user, "is_staff", False) or not room.requires_approval)


def rooms_to_choose(user, current_room_id=None):
    """The rooms the activity form offers `user` (and the activity's own room)."""
    rooms = db.session.scalars(select(Room).join(Venue).where(
        Room.active.is_(True), Venue.active.is_(True)).order_by(Venue.name, Room.name)
        .options(selectinload(Room.venue))).all()
    return [r for r in rooms if r.id == current_room_id or may_choose_room(user, r)]


def all_venues():
    """Every meeting place, active or not, by name (the coordinators' list)."""
    return db.session.scalars(select(Venue).order_by(Venue.name)).all()


def active_rooms():
    """Active rooms of active meeting places, by meeting place and room name."""
    return db.session.scalars(select(Room).join(Venue).where(
        Room.active.is_(True), Venue.active.is_(True)).order_by(Venue.name, Room.name)
        .options(selectinload(Room.venue))).all()
