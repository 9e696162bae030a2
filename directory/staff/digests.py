"""The daily digests the worker writes each morning: to each organisation that wants
one, the new sign-ups to its dates; to each coordinator, the new registrations and
room requests in their scope. Nothing is written for a day with nothing new."""

from datetime import timedelta

from flask_babel import format_datetime
from sqlalchemy import func, select

from ..accounts.models import User
from ..activities.models import Activity, Occurrence
from ..bookings.models import RoomBooking
from ..common.time import utcnow
from ..common.urls import absolute_url
from ..extensions import db
from ..messages.outbox import queue, recipient_language
from ..messages.texts import render
from ..organisations.models import Organisation
from ..signups.models import Signup
from ..venues.models import Room, Venue

DAY = timedelta(days=1)


def send_daily_digests(now=None):
    """Write the day's digests; returns how many."""
    now = now or utcnow()
    return _organisation_digests(now) + _coordinator_digests(now)


def _organisation_digests(now):
    rows = db.session.execute(
        select(Organisation, Occurrence, func.count(Signup.id))
        .join(Activity, Activity.organisation_id == Organisation.id)
        .join(Occurrence, Occurrence.activity_id == Activity.id)
        .join(Signup, Signup.occurrence_id == Occurrence.id)
        .where(Organisation.signup_digest.is_(True), Organisation.email.is_not(None),
               Signup.created_at >= now - DAY, Signup.created_at < now)
        .group_by(Organisation.id, Occurrence.id).order_by(Occurrence.starts_at)).all()
    by_organisation = {}
    for organisation, occurrence, count in rows:
        by_organisation.setdefault(organisation, []).append((occurrence, count))
    for organisation, dates in by_organisation.items():
        language = recipient_language(organisation.preferred_language)

        def values(dates=dates, organisation=organisation):
            return {"kind": "signups", "name": organisation.name,
                    "lines": [f"{occ.activity.translated('title')}, "
                              f"{format_datetime(occ.starts_at, 'EEE d MMM HH:mm')}: {count}"
                              for occ, count in dates],
                    "link": absolute_url("organisations.edit", slug=organisation.slug)}
        subject, body, _ = render("messages/digest.txt", language, values)
        queue("digest.signups", organisation.email, language, subject, body, now=now,
              organisation_id=organisation.id)
    return len(by_organisation)


def _coordinator_digests(now):
    since = now - DAY
    registrations = dict(db.session.execute(
        select(Organisation.municipality_id, func.count()).where(
            Organisation.status == "pending", Organisation.created_at >= since)
        .group_by(Organisation.municipality_id)).all())
    requests = dict(db.session.execute(
        select(Venue.municipality_id, func.count(RoomBooking.id))
        .join(Room, Room.id == RoomBooking.room_id).join(Venue, Venue.id == Room.venue_id)
        .where(RoomBooking.status == "pending", RoomBooking.created_at >= since)
        .group_by(Venue.municipality_id)).all())
    written = 0
    for user in db.session.scalars(select(User).where(User.role == "staff",
                                                      User.active.is_(True))):
        def count(counts, user=user):
            return sum(n for m, n in counts.items()
                       if user.municipality_id in (None, m))
        new_registrations, new_requests = count(registrations), count(requests)
        if not (new_registrations or new_requests):
            continue
        language = recipient_language(user.language)
        link = absolute_url("accounts.home")

        def values(user=user, a=new_registrations, b=new_requests):
            return {"kind": "coordinator", "name": user.name or user.email,
                    "registrations": a, "requests": b, "link": link}
        subject, body, _ = render("messages/digest.txt", language, values)
        queue("digest.coordinator", user.email, language, subject, body, now=now,
              user_id=user.id)
        written += 1
    return written
