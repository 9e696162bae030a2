"""Venues (mötesplatser), rooms, opening hours and closures."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import event, inspect, update

from ..common.i18n import TranslatableMixin
from ..common.text import address_line
from ..common.time import utcnow
from ..common.types import UTCDateTime, uuid_column
from ..extensions import db

# What a room may have (stored in Room.features), and its name shown to people.
ROOM_FEATURES = {
    "kitchen": _l("kitchen"),
    "projector": _l("projector"),
    "step_free": _l("step-free access"),
    "childrens_corner": _l("children's corner"),
    "wifi": _l("wifi"),
    "sports_hall": _l("sports hall"),
    "computers": _l("computers"),
}


def feature_name(code):
    """A room feature's name in the request's language."""
    return ROOM_FEATURES.get(code, code)


class Venue(TranslatableMixin, db.Model):
    """A meeting place, such as the municipal meeting place on Kemistvägen."""

    id = db.Column(db.Integer, primary_key=True)
    uuid = uuid_column()  # the public id (HSDS): set once, never changed
    slug = db.Column(db.String(120), nullable=False, unique=True)
    name = db.Column(db.String(200), nullable=False)
    description = db.Column(db.Text, nullable=False, default="")
    accessibility = db.Column(db.Text, nullable=False, default="")
    translations = db.Column(db.JSON, nullable=False, default=dict)
    street_address = db.Column(db.String(200), nullable=False)
    postal_code = db.Column(db.String(10))
    city = db.Column(db.String(100), nullable=False)
    municipality_id = db.Column(db.Integer, db.ForeignKey("municipality.id"), nullable=False,
                                index=True)
    latitude = db.Column(db.Float)
    longitude = db.Column(db.Float)
    operator_name = db.Column(db.String(200))  # who runs it, e.g. "Täby kommun"
    operator_organisation_id = db.Column(db.Integer, db.ForeignKey("organisation.id"))
    email = db.Column(db.String(254))
    phone = db.Column(db.String(40))
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    municipality = db.relationship("Municipality")
    operator_organisation = db.relationship("Organisation")
    rooms = db.relationship("Room", back_populates="venue", order_by="Room.name",
                            cascade="all, delete-orphan")
    opening_hours = db.relationship("OpeningHours", back_populates="venue",
                                    order_by="(OpeningHours.weekday, OpeningHours.opens)",
                                    cascade="all, delete-orphan")
    closures = db.relationship("Closure", back_populates="venue",
                               order_by="Closure.starts_on", cascade="all, delete-orphan")

    __table_args__ = (db.Index("ix_venue_geo", "latitude", "longitude"),)

    @property
    def address_line(self):
        return address_line(self.street_address, self.postal_code, self.city)


class Room(db.Model):
    """A bookable room of a venue, with its booking rules."""

    id = db.Column(db.Integer, primary_key=True)
    venue_id = db.Column(db.Integer, db.ForeignKey("venue.id", ondelete="CASCADE"),
                         nullable=False, index=True)
    name = db.Column(db.String(120), nullable=False)
    capacity = db.Column(db.Integer, nullable=False, default=10)
    features = db.Column(db.JSON, nullable=False, default=list)
    # Booking rules.
    requires_approval = db.Column(db.Boolean, nullable=False, default=True)
    min_notice_hours = db.Column(db.Integer, nullable=False, default=24)
    max_advance_days = db.Column(db.Integer, nullable=False, default=365)
    max_duration_minutes = db.Column(db.Integer, nullable=False, default=240)
    buffer_minutes = db.Column(db.Integer, nullable=False, default=0)
    active = db.Column(db.Boolean, nullable=False, default=True)

    venue = db.relationship("Venue", back_populates="rooms")

    __table_args__ = (
        db.UniqueConstraint("venue_id", "name", name="uq_room_venue_name"),
        db.CheckConstraint("capacity >= 0", name="capacity"),
    )


@event.listens_for(Room, "after_update")
def _room_renamed(mapper, connection, room):
    """A room's name is part of what its meeting place shows (calendar feeds name the
    room): renamed by any path, its place's `updated_at` says so, as feeds' validators
    and kept parts read it."""
    if inspect(room).attrs.name.history.has_changes():
        venues = Venue.__table__
        connection.execute(update(venues).where(venues.c.id == room.venue_id)
                           .values(updated_at=utcnow()))


class OpeningHours(db.Model):
    """One opening period of a venue on one weekday (0 = Monday)."""

    id = db.Column(db.Integer, primary_key=True)
    venue_id = db.Column(db.Integer, db.ForeignKey("venue.id", ondelete="CASCADE"),
                         nullable=False, index=True)
    weekday = db.Column(db.Integer, nullable=False)
    opens = db.Column(db.Time, nullable=False)
    closes = db.Column(db.Time, nullable=False)

    venue = db.relationship("Venue", back_populates="opening_hours")

    __table_args__ = (
        db.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        db.CheckConstraint("opens < closes", name="opens_before_closes"),
    )


class Closure(db.Model):
    """Days a venue (or one room) is closed, e.g. midsommarafton."""

    id = db.Column(db.Integer, primary_key=True)
    venue_id = db.Column(db.Integer, db.ForeignKey("venue.id", ondelete="CASCADE"),
                         nullable=False, index=True)
    room_id = db.Column(db.Integer, db.ForeignKey("room.id", ondelete="CASCADE"))
    starts_on = db.Column(db.Date, nullable=False)
    ends_on = db.Column(db.Date, nullable=False)
    reason = db.Column(db.String(200), nullable=False, default="")

    venue = db.relationship("Venue", back_populates="closures")
    room = db.relationship("Room")

    __table_args__ = (db.CheckConstraint("starts_on <= ends_on", name="dates"),)
