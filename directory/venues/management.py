"""Coordinators changing venues, rooms, opening hours and closed days (audited)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.services import record, snapshot
from ..common.errors import FieldError
from ..common.i18n import merge_translations
from ..common.text import slugify
from ..common.time import utcnow
from ..extensions import db
from .models import Closure, OpeningHours, Room, Venue
from .occupancy import RoomTaken, flush_uses

VENUE_FIELDS = ("name", "street_address", "postal_code", "city", "municipality_id",
                "latitude", "longitude", "operator_name", "description", "accessibility",
                "translations")
# The fields a form sets one by one (translations are merged: merge_translations).
_PLAIN_FIELDS = VENUE_FIELDS[:-1]
ROOM_FIELDS = ("name", "capacity", "features", "requires_approval", "min_notice_hours",
               "max_advance_days", "max_duration_minutes", "buffer_minutes")


class VenueError(FieldError):
    """A meeting-place or room rule was broken."""


def save_venue(data, by_user, venue=None):
    before = snapshot(venue, VENUE_FIELDS) if venue else None
    if venue is None:
        slug = slugify(data["name"])[:100]
        if db.session.scalar(select(Venue.id).where(Venue.slug == slug)):
            raise VenueError("name", _l("There is already a meeting place with that name."))
        venue = Venue(slug=slug)
        db.session.add(venue)
    for name in _PLAIN_FIELDS:
        key = "municipality" if name == "municipality_id" else name
        value = data.get(key)
        if name in ("description", "accessibility"):
            value = value or ""  # texts that are never NULL, even when not sent
        setattr(venue, name, value.strip() if isinstance(value, str) else value)
    venue.translations = merge_translations(venue.translations, data.get("translations"))
    db.session.flush()
    record(by_user, "venue.update" if before else "venue.create", venue, venue.name, before,
           snapshot(venue, VENUE_FIELDS))
    return venue


def save_room(venue, data, by_user, room=None):
    clash = db.session.scalar(select(Room).where(Room.venue_id == venue.id,
                                                 Room.name == data["name"].strip()))
    if clash is not None and clash is not room:
        raise VenueError("name", _l("There is already a room with that name here."))
    before = snapshot(room, ROOM_FIELDS) if room else None
    if room is None:
        room = Room(venue=venue)
        db.session.add(room)
    for name in ROOM_FIELDS:
        value = data.get(name)
        setattr(room, name, value.strip() if isinstance(value, str) else value)
    # A room's name is part of what its meeting place shows (the calendar feeds name
    # the room): the place's updated_at says when any of it last changed.
    venue.updated_at = utcnow()
    # A longer buffer applies to the coming uses at once (the database keeps them);
    # where two would then meet within it, the change is refused.
    try:
        flush_uses("buffer_minutes", _l("With this buffer, coming uses of the room would "
                                        "collide. Resolve them first (see the week)."))
    except RoomTaken as error:
        raise VenueError(error.field, error.message) from None
    record(by_user, "room.update" if before else "room.create", room, room.name, before,
           snapshot(room, ROOM_FIELDS), about={"venue": venue.name})
    return room


def set_hours(venue, weekday, opens, closes, by_user):
    """Replace one weekday's opening hours."""
    for hours in [h for h in venue.opening_hours if h.weekday == weekday]:
        venue.opening_hours.remove(hours)
    venue.opening_hours.append(OpeningHours(weekday=weekday, opens=opens, closes=closes))
    db.session.flush()
    record(by_user, "venue.hours", venue, venue.name, None,
           {"weekday": weekday, "opens": opens.isoformat(), "closes": closes.isoformat()})


def close_days(venue, starts_on, ends_on, reason, by_user):
    venue.closures.append(Closure(starts_on=starts_on, ends_on=ends_on,
                                  reason=(reason or "").strip()))
    db.session.flush()
    record(by_user, "venue.closure", venue, venue.name, None,
           {"from": starts_on.isoformat(), "to": ends_on.isoformat(), "reason": reason})
