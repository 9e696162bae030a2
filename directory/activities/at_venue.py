""""At this meeting place", decided once: a date is at a meeting place when it is in
one of its rooms (Occurrence.room_id, the one record of where a date is)."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..venues.models import Room, Venue
from .models import Occurrence


def venue_conditions(slug):
    """([conditions on Occurrence], notices) for the `venue` filter: at that meeting
    place (AtVenues); an unknown slug is left out with a notice."""
    if not slug:
        return [], ()
    venue_id = db.session.scalar(select(Venue.id).where(Venue.slug == slug))
    if venue_id is None:
        return [], (_l("There is no meeting place “%(value)s”; that filter is ignored.",
                       value=slug),)
    return [at_venues([venue_id]).condition()], ()


@dataclass(frozen=True)
class AtVenues:
    """"At this meeting place": the date is in one of its rooms (Occurrence.room_id,
    the one record of where a date is). The one definition, as SQL for lists and as a
    test of a loaded date, for the venue's page and week, /activities?venue=, the API,
    the venue feed and partner feeds."""

    room_ids: frozenset

    def condition(self, room_column=Occurrence.room_id):
        """SQL: the occurrence (or what `room_column` is of, e.g. a room booking) is at
        one of the meeting places."""
        return room_column.in_(sorted(self.room_ids) or [-1])

    def holds(self, occurrence):
        return occurrence.room_id in self.room_ids


def at_venues(venue_ids):
    """AtVenues for these meeting places (ids)."""
    return AtVenues(frozenset(db.session.scalars(
        select(Room.id).where(Room.venue_id.in_(list(venue_ids))))))
