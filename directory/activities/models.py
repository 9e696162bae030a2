"""Activities (a series or a single event) and occurrences (one dated slot each)."""

from datetime import time

from flask_babel import lazy_gettext as _l
from sqlalchemy import DDL, and_, event, func, select
from sqlalchemy.ext.hybrid import hybrid_property

from ..common.errors import FieldError
from ..common.events import date_cancelled, date_moved
from ..common.i18n import SpokenLanguagesMixin, TranslatableMixin
from ..common.search import keep_search_index
from ..common.text import search_blob
from ..common.time import utcnow
from ..common.types import UTCDateTime, uuid_column
from ..extensions import db
from ..organisations.models import Organisation
from . import parts, tags
from .places import place_line
from .schedule import Schedule

class ActivityError(FieldError):
    """An activity rule was broken, or a date cannot change the way asked."""


# The activities of some terms read from an index alone (the term, then the activity):
# a filter's set of activities is joined to another's (a municipality's) without
# reading a row of either table.
activity_focus_area = db.Table(
    "activity_focus_area",
    db.Column("activity_id", db.ForeignKey("activity.id", ondelete="CASCADE"),
              primary_key=True),
    db.Column("focus_area_id", db.ForeignKey("focus_area.id", ondelete="CASCADE"),
              primary_key=True),
    db.Index("ix_activity_focus_area_focus", "focus_area_id", "activity_id"),
)

activity_target_group = db.Table(
    "activity_target_group",
    db.Column("activity_id", db.ForeignKey("activity.id", ondelete="CASCADE"),
              primary_key=True),
    db.Column("target_group_id", db.ForeignKey("target_group.id", ondelete="CASCADE"),
              primary_key=True),
    db.Index("ix_activity_target_group_target", "target_group_id", "activity_id"),
)


class Activity(SpokenLanguagesMixin, TranslatableMixin, db.Model):
    """Something an organisation offers: a weekly series or a one-off event."""

    id = db.Column(db.Integer, primary_key=True)
    uuid = uuid_column()  # the public id (HSDS): set once, never changed
    organisation_id = db.Column(db.Integer,
                                db.ForeignKey("organisation.id", ondelete="CASCADE"),
                                nullable=False)  # indexed with what a feed's keys read
    municipality_id = db.Column(db.Integer, db.ForeignKey("municipality.id"),
                                nullable=False)  # indexed with the id: ix_activity_municipality
    title = db.Column(db.String(200), nullable=False)
    description = db.Column(db.Text, nullable=False, default="")
    translations = db.Column(db.JSON, nullable=False, default=dict)
    language_codes = db.Column(db.String(200), nullable=False, default="")
    cost = db.Column(db.String(200), nullable=False, default="")  # empty = free
    registration_required = db.Column(db.Boolean, nullable=False, default=False)
    default_capacity = db.Column(db.Integer)
    # The room new dates are placed in (chosen on the activity's form, for a room that
    # needs no approval). Where a date *is* is its own `Occurrence.room_id`: read that.
    room_id = db.Column(db.Integer, db.ForeignKey("room.id"), index=True)
    # The activity's own address, for dates not in a room.
    street_address = db.Column(db.String(200))
    postal_code = db.Column(db.String(10))
    city = db.Column(db.String(100))
    latitude = db.Column(db.Float)
    longitude = db.Column(db.Float)
    # Schedule, in Stockholm wall-clock time.
    recurrence = db.Column(db.String(8), nullable=False, default="once")
    starts_on = db.Column(db.Date, nullable=False)
    start_time = db.Column(db.Time, nullable=False)
    end_time = db.Column(db.Time, nullable=False)
    interval = db.Column(db.Integer, nullable=False, default=1)
    weekdays = db.Column(db.String(20), nullable=False, default="")  # "1,3" = Tue, Thu
    until = db.Column(db.Date)
    count = db.Column(db.Integer)
    status = db.Column(db.String(16), nullable=False, default="active")
    ended_at = db.Column(UTCDateTime)
    sequence = db.Column(db.Integer, nullable=False, default=0)  # grows with each change
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    # Its dates and focus areas as calendars show them: changed when they change, by the
    # database (activities.parts), never by the app.
    parts_version = db.Column(db.Integer, nullable=False, default=0)
    parts_changed_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    search_text = db.Column(db.Text, nullable=False, default="")

    organisation = db.relationship("Organisation", backref=db.backref(
        "activities", cascade="all, delete-orphan", order_by="Activity.title"))
    municipality = db.relationship("Municipality")
    room = db.relationship("Room")
    focus_areas = db.relationship("FocusArea", secondary=activity_focus_area,
                                  order_by="FocusArea.position")
    target_groups = db.relationship("TargetGroup", secondary=activity_target_group,
                                    order_by="TargetGroup.position")
    occurrences = db.relationship("Occurrence", back_populates="activity",
                                  order_by="Occurrence.starts_at",
                                  cascade="all, delete-orphan", lazy="dynamic")

    __table_args__ = (
        # Places in a bounding box (geo.services.within) read from the index alone.
        db.Index("ix_activity_geo", "latitude", "longitude", "id"),
        # The open data's services by title (activities.published), walked in order.
        db.Index("ix_activity_title", "title", "id"),
        # A municipality's activities, their ids from the index alone (joined to a
        # focus area's: a partner's feed for its municipality, calendars.partners).
        db.Index("ix_activity_municipality", "municipality_id", "id"),
        # An organisation's activities, with what its feed's keys read of each (calendars.
        # parts): read from the index alone, not 500 rows from as many pages.
        db.Index("ix_activity_organisation_keys", "organisation_id", "id", "updated_at",
                 "sequence", "parts_version", "parts_changed_at"),
        db.CheckConstraint("recurrence IN ('once', 'weekly')", name="recurrence"),
        db.CheckConstraint("status IN ('active', 'ended')", name="status"),
        db.CheckConstraint("interval >= 1", name="interval"),
        db.CheckConstraint("default_capacity IS NULL OR default_capacity >= 0",
                           name="capacity"),
    )

    @property
    def weekday_list(self):
        return tuple(int(d) for d in self.weekdays.split(",") if d != "")

    @property
    def schedule(self):
        """The plain schedule value the recurrence functions take."""
        return Schedule(starts_on=self.starts_on, start_time=self.start_time or time(0),
                        end_time=self.end_time or time(0), recurrence=self.recurrence,
                        interval=self.interval or 1, weekdays=self.weekday_list,
                        until=self.until, count=self.count)

    @property
    def calendar_changed_at(self):
        """When what a calendar shows of it last changed: its row, or its dates or focus
        areas (activities.parts). Also read by calendars.dates.FeedActivity."""
        return max(self.updated_at, self.parts_changed_at)

    @property
    def is_free(self):
        return is_free(self.cost)

    @hybrid_property
    def is_public(self):
        """Publicly listed, with every date: its organisation is public (nothing else
        decides it; an ended series stays readable)."""
        return self.organisation.is_public

    @is_public.inplace.expression
    @classmethod
    def _is_public_expression(cls):
        # Checked per activity (correlated) rather than as a list of public
        # organisations, so SQLite never walks that list to find activities.
        return (select(Organisation.id)
                .where(Organisation.id == cls.organisation_id, Organisation.is_public)
                .exists())

    def refresh_search_text(self):
        self.search_text = search_blob(self.title, self.description, self.city,
                                       *self.translation_texts())


keep_search_index(Activity.__table__)


@event.listens_for(Activity, "before_insert")
@event.listens_for(Activity, "before_update")
def _activity_search_text(mapper, connection, target):
    target.refresh_search_text()


def is_free(cost):
    """Whether an activity with this cost (none written) is free: for a loaded activity
    and for one read as a row (a list's card)."""
    return not cost


def is_cancelled(status):
    """Whether a date with this status is cancelled: for a loaded date and for a date
    read as a row (the API's, a feed's)."""
    return status == "cancelled"


def effective_capacity(capacity, default_capacity):
    """A date's places: its own number, else its activity's."""
    return capacity if capacity is not None else default_capacity


def seats_left(capacity, default_capacity, registration_required, confirmed_count):
    """Places left on a date (None: no sign-up, or no limit): the one rule for a loaded
    date and for a date read as a row (activities.listed)."""
    cap = effective_capacity(capacity, default_capacity)
    if not registration_required or cap is None:
        return None
    return max(0, cap - confirmed_count)


class Occurrence(db.Model):
    """One dated slot of an activity (tillfälle)."""

    id = db.Column(db.Integer, primary_key=True)
    activity_id = db.Column(db.Integer, db.ForeignKey("activity.id", ondelete="CASCADE"),
                            nullable=False)
    starts_at = db.Column(UTCDateTime, nullable=False)
    ends_at = db.Column(UTCDateTime, nullable=False)
    # The slot of the series this occurrence stands for; differs when moved.
    original_starts_at = db.Column(UTCDateTime, nullable=False)
    # The room this date is in (while scheduled, a row of room_use guards it); None: at
    # the activity's own address.
    room_id = db.Column(db.Integer, db.ForeignKey("room.id"), index=True)
    capacity = db.Column(db.Integer)  # None: the activity's default
    status = db.Column(db.String(16), nullable=False, default="scheduled")
    cancel_reason = db.Column(db.String(500))
    sequence = db.Column(db.Integer, nullable=False, default=0)  # for calendars
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    # Counts kept by the sign-up service; they survive the personal-data purge.
    confirmed_count = db.Column(db.Integer, nullable=False, default=0)
    waitlist_count = db.Column(db.Integer, nullable=False, default=0)
    attended_count = db.Column(db.Integer)  # the ticked sign-ups plus the walk-ins
    walk_in_count = db.Column(db.Integer)  # people who came without a sign-up

    activity = db.relationship("Activity", back_populates="occurrences")
    room = db.relationship("Room")

    __table_args__ = (
        db.UniqueConstraint("activity_id", "original_starts_at",
                            name="uq_occurrence_activity_slot"),
        # The public lists (see activities/services.py): walking in time order, and
        # checking the time window and activity from the index alone; counting the
        # window; collecting the occurrences of some activities.
        db.Index("ix_occurrence_starts", "starts_at", "id", "ends_at", "activity_id"),
        db.Index("ix_occurrence_ends", "ends_at", "starts_at"),
        db.Index("ix_occurrence_activity_ends", "activity_id", "ends_at", "starts_at"),
        db.CheckConstraint("status IN ('scheduled', 'cancelled')", name="status"),
        db.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        db.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity"),
        db.CheckConstraint("confirmed_count >= 0", name="confirmed_count"),
    )

    @property
    def effective_capacity(self):
        return effective_capacity(self.capacity, self.activity.default_capacity)

    @property
    def seats_left(self):
        return seats_left(self.capacity, self.activity.default_capacity,
                          self.activity.registration_required, self.confirmed_count)

    @classmethod
    def has_no_seats_left(cls):
        """SQL, with the occurrence's activity joined: `seats_left == 0` (a date that
        takes sign-ups and whose places are all taken)."""
        capacity = func.coalesce(cls.capacity, Activity.default_capacity)
        return and_(Activity.registration_required, capacity.isnot(None),
                    cls.confirmed_count >= capacity)

    @property
    def is_full(self):
        """Whether a new sign-up would go on the waiting list: no place left, or people
        already waiting (they get a free place first). False without a capacity."""
        left = self.seats_left
        return left is not None and (left == 0 or self.waitlist_count > 0)

    def has_started(self, now=None):
        """Whether the date has started (or passed): nobody can sign up for it any more."""
        return self.starts_at <= (now or utcnow())

    @property
    def is_cancelled(self):
        return is_cancelled(self.status)

    @property
    def is_moved(self):
        return self.starts_at != self.original_starts_at

    # State changes. The room's rule is the database's (room_use); these refuse what the
    # date's own state does not allow.

    def cancel(self, reason):
        """scheduled → cancelled; the room is free while it stays cancelled."""
        if self.status != "scheduled":
            raise ActivityError("reason", _l("This date is already cancelled."))
        self.status = "cancelled"
        self.cancel_reason = reason
        self.sequence += 1
        date_cancelled.send(self)

    def restore(self):
        """cancelled → scheduled, in the room it had (if it is still free)."""
        if self.status != "cancelled":
            raise ActivityError("reason", _l("This date is not cancelled."))
        self.status = "scheduled"
        self.cancel_reason = None
        self.sequence += 1

    def move(self, starts_at, ends_at):
        """Another time for a scheduled date; it keeps its room and sign-ups."""
        if self.status != "scheduled":
            raise ActivityError("day", _l("A cancelled date cannot be moved. Restore it "
                                          "first."))
        if ends_at <= starts_at:
            raise ActivityError("end_time", _l("The end must be after the start."))
        self.starts_at, self.ends_at = starts_at, ends_at
        self.sequence += 1
        date_moved.send(self, series=False)

    @property
    def place_line(self):
        """Where, in one line: the meeting place, room and address, else the activity's
        own address (as calendars and messages write it)."""
        return place_line(self.activity, self.room)

    def place_in(self, room_id):
        """Put the date in a room (None: at the activity's own address)."""
        if self.room_id != room_id:
            self.room_id = room_id
            self.sequence += 1


# Its focus areas' and target groups' ids ("3,7"), kept by the database from the links
# (activities.tags): on the table, not on the class (the app never writes them).
for _column, _, _ in tags.LINKS:
    Activity.__table__.append_column(db.Column(_column, db.Text))

# The rules of activities.parts and activities.tags, with the tables (create_all;
# migrations 0020 and 0022 otherwise).
for _rules, _dialect in ((parts.PG_RULES + tags.PG_RULES, "postgresql"),
                         (parts.SQLITE_RULES + tags.SQLITE_RULES, "sqlite")):
    for _statement in _rules:
        event.listen(db.metadata, "after_create",
                     DDL(_statement.replace("%", "%%")).execute_if(dialect=_dialect))
