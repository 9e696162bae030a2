"""What needs attention, for the account page: a coordinator's registrations to review,
room requests waiting, rooms used twice at once and stale listings, within their scope;
a member's organisations' waiting and refused room requests, full dates and waiting
lists. Each figure is one query; the rules are the owners' (`freshness.stale`,
`count_collisions`, `Occurrence.has_no_seats_left`)."""

from dataclasses import dataclass, field

from sqlalchemy import String, case, cast, func, select
from sqlalchemy.orm import contains_eager

from ..activities.models import Activity, Occurrence
from ..bookings.models import RoomBooking
from ..common.time import to_local, utcnow
from ..extensions import db
from ..organisations.models import Organisation
from ..organisations.freshness import stale
from ..venues.models import Room, Venue
from ..venues.occupancy import count_collisions

# The member's home lists at most this many full dates or dates with a waiting list.
DATES_SHOWN = 20


@dataclass(frozen=True)
class CoordinatorAttention:
    """A coordinator's counts. `requests` counts a series once; `request_dates` its
    dates. `first_conflict`: when the soonest room used twice at once begins."""

    registrations: int
    requests: int
    request_dates: int
    conflicts: int
    first_conflict: object
    stale: int

    @property
    def first_conflict_week(self):
        """The ISO week (YYYY-Www) of the soonest conflict, for the week's link."""
        if self.first_conflict is None:
            return None
        year, week, _ = to_local(self.first_conflict).isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def anything(self):
        return bool(self.registrations or self.requests or self.conflicts or self.stale)


@dataclass
class OrganisationAttention:
    """One organisation's counts for its members, and its coming dates that are full
    or have a waiting list (soonest first)."""

    organisation: Organisation
    pending: int = 0
    refused: int = 0
    full: int = 0
    waiting: int = 0
    dates: list = field(default_factory=list)

    @property
    def anything(self):
        return bool(self.pending or self.refused or self.full or self.waiting)


def _series_key():
    """SQL: a request's series (a request of one date is its own)."""
    return func.coalesce(RoomBooking.series_key, cast(RoomBooking.id, String))


def coordinator_attention(municipality_id=None, now=None):
    """The counts within a coordinator's municipality (None: the whole county)."""
    now = now or utcnow()
    organisations = select(func.count()).select_from(Organisation).where(
        Organisation.status == "pending")
    stale_ones = select(func.count()).select_from(Organisation).where(stale(now))
    requests = select(func.count(func.distinct(_series_key())), func.count()).where(
        RoomBooking.status == "pending")
    if municipality_id is not None:
        organisations = organisations.where(Organisation.municipality_id == municipality_id)
        stale_ones = stale_ones.where(Organisation.municipality_id == municipality_id)
        rooms = select(Room.id).join(Room.venue).where(
            Venue.municipality_id == municipality_id)
        requests = requests.where(RoomBooking.room_id.in_(rooms))
    series, dates = db.session.execute(requests).one()
    conflicts, first = count_collisions(municipality_id, since=now)
    return CoordinatorAttention(
        registrations=db.session.scalar(organisations), requests=series,
        request_dates=dates, conflicts=conflicts, first_conflict=first,
        stale=db.session.scalar(stale_ones))


def organisations_attention(organisations, now=None):
    """[OrganisationAttention] for these organisations (a member's), in their order:
    coming requests waiting and refused (a series counts once), coming dates with no
    seat left and with a waiting list. Three queries, however many organisations."""
    now = now or utcnow()
    found = {o.id: OrganisationAttention(o) for o in organisations}
    if not found:
        return []
    key = _series_key()
    for org_id, pending, refused in db.session.execute(
            select(RoomBooking.organisation_id,
                   func.count(func.distinct(case((RoomBooking.status == "pending", key)))),
                   func.count(func.distinct(case((RoomBooking.status == "rejected", key)))))
            .where(RoomBooking.organisation_id.in_(list(found)),
                   RoomBooking.status.in_(("pending", "rejected")),
                   RoomBooking.starts_at > now)
            .group_by(RoomBooking.organisation_id)):
        found[org_id].pending, found[org_id].refused = pending, refused
    coming = (Occurrence.status == "scheduled", Occurrence.starts_at > now,
              Activity.organisation_id.in_(list(found)))
    full, waiting = Occurrence.has_no_seats_left(), Occurrence.waitlist_count > 0
    for org_id, full_count, waiting_count in db.session.execute(
            select(Activity.organisation_id, func.count(case((full, 1))),
                   func.count(case((waiting, 1))))
            .join(Occurrence.activity).where(*coming).group_by(Activity.organisation_id)):
        found[org_id].full, found[org_id].waiting = full_count, waiting_count
    for occurrence in db.session.scalars(
            select(Occurrence).join(Occurrence.activity).where(*coming, full | waiting)
            .options(contains_eager(Occurrence.activity))
            .order_by(Occurrence.starts_at, Occurrence.id).limit(DATES_SHOWN)):
        found[occurrence.activity.organisation_id].dates.append(occurrence)
    return list(found.values())


def attention_for(user, now=None):
    """What the account page shows `user`: ("coordinator", CoordinatorAttention),
    ("member", {organisation id: OrganisationAttention}) or (None, None)."""
    if getattr(user, "is_staff", False):
        return "coordinator", coordinator_attention(user.municipality_id, now)
    organisations = [m.organisation for m in getattr(user, "memberships", None) or []]
    if organisations:
        return "member", {a.organisation.id: a
                          for a in organisations_attention(organisations, now)}
    return None, None
