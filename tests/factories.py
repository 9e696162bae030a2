"""Factories for the domain: each makes one object with sensible defaults,
`make_x(**overrides)`, adds it to the session and commits (inside an app context)."""

import itertools
import uuid
from datetime import time, timedelta

from directory.activities.models import Activity
from directory.activities.materialising import horizon_end, materialise_occurrences
from directory.bookings.models import RoomBooking
from directory.calendars.partners import create_partner, create_subscription
from directory.common.text import slugify
from directory.common.time import combine_local, local_today
from directory.extensions import db
from directory.organisations.models import Organisation
from directory.signups.services import sign_up
from directory.taxonomy.models import FocusArea, TargetGroup
from directory.taxonomy.services import get_or_create_municipality
from directory.venues.models import OpeningHours, Room, Venue

PASSWORD = "ett långt lösenord"


def make_user(email="medlem@example.se", role="member", password=PASSWORD,
              organisation=None, owner=True, municipality=None, partner=None):
    """A user who can log in with `password`; a member of `organisation` when given
    (its owner, else an editor); a coordinator of `municipality` (no municipality: the
    whole county); a partner's account when `partner` is given."""
    from directory.accounts.models import User
    from directory.accounts.services import set_password
    from directory.organisations.models import Membership
    user = User(email=email, role=role)
    set_password(user, password)
    if municipality is not None:
        user.municipality_id = municipality.id
    if partner is not None:
        user.partner_id = partner.id
    db.session.add(user)
    if organisation is not None:
        db.session.add(Membership(user=user, organisation=organisation,
                                  role="owner" if owner else "editor"))
    db.session.commit()
    return user


def make_municipality(slug="taby"):
    names = {"taby": ("0160", "Täby", "Stockholms län"),
             "goteborg": ("1480", "Göteborg", "Västra Götalands län"),
             "molndal": ("1481", "Mölndal", "Västra Götalands län")}
    code, name, county = names[slug]
    municipality = get_or_create_municipality(code, slug, name, county)
    db.session.commit()
    return municipality


_serial = itertools.count(1)


def make_organisation(**overrides):
    name = overrides.pop("name", None) or f"Språkvänner Täby {next(_serial)}"
    fields = dict(name=name, slug=slugify(name), description="Vi ordnar språkcafé.",
                  status="verified", kind="forening",
                  municipality=overrides.pop("municipality", None) or make_municipality())
    languages = overrides.pop("languages", ["sv", "ar"])
    focus = overrides.pop("focus", [])
    fields.update(overrides)
    org = Organisation(**fields)
    org.languages = languages
    org.focus_areas = [db.session.scalar(db.select(FocusArea).filter_by(slug=s))
                       for s in focus]
    db.session.add(org)
    db.session.commit()
    return org


def make_venue(**overrides):
    fields = dict(name="Mötesplats Kemistvägen", slug="kemistvagen",
                  street_address="Kemistvägen 17", postal_code="183 79", city="Täby",
                  latitude=59.4439, longitude=18.0687,
                  municipality=overrides.pop("municipality", None) or make_municipality())
    rooms = overrides.pop("rooms", [("Stora salen", 40)])
    fields.update(overrides)
    venue = Venue(**fields)
    for name, capacity in rooms:
        venue.rooms.append(Room(name=name, capacity=capacity))
    for weekday in range(7):
        venue.opening_hours.append(OpeningHours(weekday=weekday, opens=time(8),
                                                closes=time(22)))
    db.session.add(venue)
    db.session.commit()
    return venue


def make_activity(organisation=None, **overrides):
    """An activity with its occurrences materialised (weekly on Tuesdays by default)."""
    organisation = organisation or make_organisation()
    today = local_today()
    fields = dict(organisation=organisation, municipality=organisation.municipality,
                  title="Läxhjälp", description="Hjälp med läxorna.",
                  recurrence="weekly", starts_on=today - timedelta(days=today.weekday()) +
                  timedelta(days=1), start_time=time(17), end_time=time(18, 30),
                  weekdays="1", until=today + timedelta(days=60),
                  street_address="Storgatan 1", postal_code="183 34", city="Täby")
    languages = overrides.pop("languages", ["sv", "ar"])
    focus = overrides.pop("focus", [])
    targets = overrides.pop("targets", [])
    fields.update(overrides)
    activity = Activity(**fields)
    db.session.add(activity)
    activity.languages = languages
    activity.focus_areas = [db.session.scalar(db.select(FocusArea).filter_by(slug=s))
                            for s in focus]
    activity.target_groups = [db.session.scalar(db.select(TargetGroup).filter_by(slug=s))
                              for s in targets]
    db.session.add(activity)
    db.session.flush()
    materialise_occurrences(activity, horizon_end())
    db.session.commit()
    return activity


def make_booking(room, organisation, day=None, start=time(17), end=time(19), *,
                 starts_at=None, ends_at=None, status="pending", commit=True,
                 **overrides):
    """A room booking as stored (no rule checked): from `start` to `end` on `day`
    (Stockholm time; three days ahead by default), or at `starts_at`/`ends_at`
    (UTC) when given. `commit=False` only adds and flushes it."""
    day = day or local_today() + timedelta(days=3)
    booking = RoomBooking(room=room, organisation=organisation, status=status,
                          starts_at=starts_at or combine_local(day, start),
                          ends_at=ends_at or combine_local(day, end), **overrides)
    db.session.add(booking)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return booking


def make_series(room, organisation, days, start=time(17), end=time(19), **overrides):
    """One request for several `days` at the same times (one series key), as stored."""
    overrides.setdefault("series_key", str(uuid.uuid4()))
    rows = [make_booking(room, organisation, day, start, end, commit=False, **overrides)
            for day in days]
    db.session.commit()
    return rows


def make_signup(occurrence, name="Amina", contact="070-123 45 67", **options):
    """A sign-up through the service (a place, or the waiting list); returns
    (signup, token)."""
    signup, token = sign_up(occurrence.id, name, contact, **options)
    db.session.commit()
    return signup, token


def make_partner(name="Arbetsförmedlingen", website=None):
    """A LÖK partner without feeds."""
    partner = create_partner(name, None, website)
    db.session.commit()
    return partner


def make_feed(partner, name="Arbete", filters=None, include_tentative=False,
              revoked=False):
    """A partner's feed through the service; returns (subscription, token)."""
    subscription, token = create_subscription(partner, name, filters or {},
                                              include_tentative, None)
    if revoked:
        subscription.revoked_at = subscription.created_at
    db.session.commit()
    return subscription, token
