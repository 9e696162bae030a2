"""The register as tables to download: organisations, activities, dates and room
bookings within a coordinator's municipality (None: all), with words instead of codes.
Each table is one query (terms loaded with it); times stay aware, the spreadsheet writer
shows them in Stockholm time."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..activities.models import Activity, Occurrence
from ..bookings.models import RoomBooking
from ..extensions import db
from ..organisations.models import KINDS, Organisation
from ..venues.models import Room, Venue

REGISTERS = ("organisations", "activities", "dates", "bookings")

ORGANISATION_STATUS = {"pending": _l("Waiting for review"), "verified": _l("Verified"),
                       "rejected": _lp("organisation", "Rejected"),
                       "archived": _l("Archived")}
BOOKING_STATUS = {"pending": _l("Waiting for a decision"), "approved": _l("Approved"),
                  "rejected": _lp("booking", "Rejected"),
                  "cancelled": _lp("booking", "Cancelled")}
DATE_STATUS = {"scheduled": _l("Planned"), "cancelled": _lp("date", "Cancelled")}
RECURRENCE = {"once": _l("Once"), "weekly": _l("Weekly")}
ACTIVITY_STATUS = {"active": _l("Active"), "ended": _l("Ended")}


def _word(words, code):
    return str(words[code]) if code in words else code


def _terms(terms):
    return ", ".join(t.label() for t in terms)


def organisations(municipality_id):
    header = (_l("Name"), _l("Organisation number"), _l("Kind"), _l("Municipality"),
              _l("Status"), _l("Street address"), _l("Postal code"), _l("City"),
              _l("E-mail"), _l("Phone"), _l("Website"), _l("Focus areas"),
              _l("Registered"), _l("Verified on"))
    query = (select(Organisation).options(joinedload(Organisation.municipality),
                                          selectinload(Organisation.focus_areas))
             .order_by(Organisation.name))
    if municipality_id is not None:
        query = query.where(Organisation.municipality_id == municipality_id)
    return header, [
        (o.name, o.org_number, _word(KINDS, o.kind), o.municipality.name,
         _word(ORGANISATION_STATUS, o.status), o.street_address, o.postal_code, o.city,
         o.email, o.phone, o.website, _terms(o.focus_areas), o.created_at, o.verified_at)
        for o in db.session.scalars(query).unique()]


def activities(municipality_id):
    header = (_l("Activity"), _l("Organisation"), _l("Municipality"), _l("Focus areas"),
              _l("Target groups"), _l("Repeats"), _l("First day"), _l("Last day"),
              _l("Starts"), _l("Ends"), _l("Places"), _l("Status"))
    query = (select(Activity).options(
        joinedload(Activity.organisation), joinedload(Activity.municipality),
        selectinload(Activity.focus_areas), selectinload(Activity.target_groups))
        .order_by(Activity.title, Activity.id))
    if municipality_id is not None:
        query = query.where(Activity.municipality_id == municipality_id)
    return header, [
        (a.title, a.organisation.name, a.municipality.name, _terms(a.focus_areas),
         _terms(a.target_groups), _word(RECURRENCE, a.recurrence), a.starts_on, a.until,
         a.start_time.strftime("%H:%M"), a.end_time.strftime("%H:%M"), a.default_capacity,
         _word(ACTIVITY_STATUS, a.status))
        for a in db.session.scalars(query).unique()]


def dates(municipality_id, period):
    """The dates starting in the period."""
    header = (_l("Activity"), _l("Organisation"), _l("Starts"), _l("Ends"), _l("Status"),
              _l("Meeting place"), _l("Room"), _l("Places"), _l("Sign-ups"),
              _l("Waiting list"), _l("Attendance"), _l("Came without signing up"))
    query = (select(Occurrence, Activity.title, Organisation.name, Venue.name, Room.name,
                    Activity.default_capacity)
             .join(Activity, Activity.id == Occurrence.activity_id)
             .join(Organisation, Organisation.id == Activity.organisation_id)
             .outerjoin(Room, Room.id == Occurrence.room_id)
             .outerjoin(Venue, Venue.id == Room.venue_id)
             .where(Occurrence.starts_at >= period.start, Occurrence.starts_at < period.end)
             .order_by(Occurrence.starts_at, Occurrence.id))
    if municipality_id is not None:
        query = query.where(Activity.municipality_id == municipality_id)
    return header, [
        (title, organisation, o.starts_at, o.ends_at, _word(DATE_STATUS, o.status), venue,
         room, o.capacity if o.capacity is not None else default, o.confirmed_count,
         o.waitlist_count, o.attended_count, o.walk_in_count)
        for o, title, organisation, venue, room, default in db.session.execute(query)]


def bookings(municipality_id, period):
    """The room requests and bookings overlapping the period, at meeting places in the
    municipality."""
    header = (_l("Meeting place"), _l("Room"), _l("Organisation"), _l("Starts"),
              _l("Ends"), _l("Status"), _l("Purpose"))
    query = (select(RoomBooking, Venue.name, Room.name, Organisation.name)
             .join(Room, Room.id == RoomBooking.room_id)
             .join(Venue, Venue.id == Room.venue_id)
             .join(Organisation, Organisation.id == RoomBooking.organisation_id)
             .where(RoomBooking.starts_at < period.end, RoomBooking.ends_at > period.start)
             .order_by(RoomBooking.starts_at, RoomBooking.id))
    if municipality_id is not None:
        query = query.where(Venue.municipality_id == municipality_id)
    return header, [
        (venue, room, organisation, b.starts_at, b.ends_at, _word(BOOKING_STATUS, b.status),
         b.purpose)
        for b, venue, room, organisation in db.session.execute(query)]


def register_table(name, municipality_id, period):
    """(header, rows) of one of REGISTERS."""
    if name == "organisations":
        return organisations(municipality_id)
    if name == "activities":
        return activities(municipality_id)
    if name == "dates":
        return dates(municipality_id, period)
    return bookings(municipality_id, period)
