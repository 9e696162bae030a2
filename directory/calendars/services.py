"""Building calendar feeds: which activities and occurrences go in, and their bytes."""

from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..activities.models import Activity, Occurrence
from ..activities.services import at_venues, public_occurrences
from ..common.time import utcnow
from ..extensions import db
from ..organisations.models import Organisation
from ..venues.models import Room
from .ical import FeedOptions, calendar, series_events, single_event, tentative_event
from .models import Partner
from .partners import activity_condition, pending_bookings, place_of

WINDOW_BACK = timedelta(days=92)    # three months back
WINDOW_AHEAD = timedelta(days=366)  # twelve months ahead


def uid_domain():
    """The stable right-hand side of every UID: the public host, or 'samverkan'."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    return (urlsplit(base).hostname if base else None) or "samverkan"


def options_for(name, lang, now=None):
    now = now or utcnow()
    return FeedOptions(name=name, uid_domain=uid_domain(), lang=lang,
                       url=url_for("activities.activity", activity_id=0, _external=True)
                       .replace("/0", "/{activity_id}"),
                       window_start=now - WINDOW_BACK, window_end=now + WINDOW_AHEAD)


def public_activities(stmt_filter=None):
    """Public activities (their organisation's is_public), with what serialising needs
    loaded."""
    stmt = (select(Activity).join(Activity.organisation)
            .where(Organisation.is_public)
            .options(joinedload(Activity.organisation),
                     joinedload(Activity.room).joinedload(Room.venue),
                     selectinload(Activity.focus_areas))
            .order_by(Activity.id))
    if stmt_filter is not None:
        stmt = stmt.where(stmt_filter)
    return db.session.scalars(stmt).unique().all()


def occurrences_by_activity(activity_ids, options):
    """Occurrences in the feed window, grouped by activity."""
    grouped = {i: [] for i in activity_ids}
    if not activity_ids:
        return grouped
    rows = db.session.scalars(
        select(Occurrence).where(Occurrence.activity_id.in_(activity_ids),
                                 Occurrence.ends_at > options.window_start,
                                 Occurrence.starts_at < options.window_end)
        .options(joinedload(Occurrence.room).joinedload(Room.venue))
        .order_by(Occurrence.starts_at))
    for occ in rows:
        grouped[occ.activity_id].append(occ)
    return grouped


def series_feed(activities, options, extra_events=(), extra_latest=None, place=None):
    """(ics bytes, last modified) for whole series of these activities.

    `place` (activities.services.AtVenues) keeps only the dates at those meeting places:
    an activity all of whose dates (and the room new ones go in) are there is written as
    its series; otherwise each of its dates there is an event of its own, so the feed
    holds exactly the dates the API lists for the venue.
    """
    grouped = occurrences_by_activity([a.id for a in activities], options)
    events, latest = [], None
    for activity in activities:
        occurrences = grouped[activity.id]
        if place is not None:
            there = [o for o in occurrences if place.holds(o)]
            if len(there) != len(occurrences) or activity.room_id not in place.room_ids:
                events.extend(single_event(o, options) for o in there)
                occurrences = there
            else:
                events.extend(series_events(activity, occurrences, options))
        elif occurrences:
            events.extend(series_events(activity, occurrences, options))
        if not occurrences:
            continue
        moments = [activity.updated_at] + [o.updated_at for o in occurrences]
        latest = max([m for m in moments + [latest] if m is not None])
    if extra_latest is not None:
        latest = max(m for m in (latest, extra_latest) if m is not None)
    return calendar(events + list(extra_events), options), latest


def partner_feed(subscription, lang):
    """(ics bytes, last modified) for a partner's saved filter."""
    filters = subscription.filters or {}
    options = options_for(subscription.name, lang)
    place = place_of(filters)
    condition = activity_condition(filters)
    if place is not None:
        at_place = Activity.id.in_(select(Occurrence.activity_id).where(place.condition()))
        condition = at_place if condition is None else condition & at_place
    activities = public_activities(condition)
    extra, latest = [], None
    if subscription.include_tentative:
        bookings = pending_bookings(filters, options)
        extra = [tentative_event(b, options) for b in bookings]
        latest = max((b.updated_at for b in bookings), default=None)
    return series_feed(activities, options, extra, latest, place)


def venue_feed(venue, lang):
    """(ics bytes, last modified): every public date at the meeting place."""
    place = at_venues([venue.id])
    options = options_for(venue.name, lang)
    activities = public_activities(Activity.id.in_(
        select(Occurrence.activity_id).where(place.condition())))
    return series_feed(activities, options, place=place)


def search_feed(filters, name, lang):
    """(ics bytes, last modified): the whole series of every activity with a date in
    the list `filters` give (/activities), so a search can be subscribed to."""
    ids = select(Occurrence.activity_id).where(Occurrence.id.in_(
        public_occurrences(filters).with_only_columns(Occurrence.id).order_by(None)))
    activities = public_activities(Activity.id.in_(ids))
    return series_feed(activities, options_for(name, lang))


def occurrence_feed(occurrence, options):
    """(ics bytes, last modified) for one date."""
    latest = max(occurrence.updated_at, occurrence.activity.updated_at)
    return calendar([single_event(occurrence, options)], options), latest


def all_partners():
    """Every LÖK partner, by name."""
    return db.session.scalars(select(Partner).order_by(Partner.name)).all()
