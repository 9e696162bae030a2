"""Building calendar feeds: which activities and occurrences go in, what the feed is
called, its validators (calendars.freshness) and, only when asked, its bytes."""

from dataclasses import dataclass, replace
from typing import Callable
from urllib.parse import urlsplit

from flask import current_app, url_for
from sqlalchemy import bindparam, select

from ..activities.models import Activity, Occurrence
from ..activities.at_venue import at_venues
from ..activities.public import public_occurrences
from ..common.remembered import remembered
from ..common.i18n import translated_text
from ..extensions import db
from ..organisations.models import Organisation
from .dates import to_write
from .freshness import FeedVersion, covered_version, feed_version, feed_window
from .ical import (FeedOptions, calendar, calendar_from_parts, series_events, single_event,
                   tentative_event)
from .lines import event_bytes
from .models import Partner
from .names import search_feed_name
from .parts import activity_blocks, feed_keys, owner_column
from .partners import activity_condition, pending_bookings, place_of


# The conditions of an organisation's (by its id, or by its slug when public) and an
# activity's feed, written once (their statements are built once: calendars.parts).
OF_ORGANISATION = Activity.organisation_id == bindparam("organisation_id")
OF_SLUG = Activity.organisation_id == owner_column(Organisation.id)
OF_ACTIVITY = Activity.id == bindparam("activity_id")


@dataclass(frozen=True)
class Feed:
    """A feed before it is built: its validators, and `build()` for its bytes."""

    filename: str
    version: FeedVersion
    build: Callable[[], bytes]


def uid_domain():
    """The stable right-hand side of every UID: the public host, or 'samverkan'."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    return (urlsplit(base).hostname if base else None) or "samverkan"


def options_for(name, lang, now=None):
    window_start, window_end = feed_window(now)
    return FeedOptions(name=name, uid_domain=uid_domain(), lang=lang,
                       url=url_for("activities.activity", activity_id=0, _external=True)
                       .replace("/0", "/{activity_id}"),
                       window_start=window_start, window_end=window_end)


def _variant(place):
    """What a feed's blocks depend on besides the data: which meeting places' dates."""
    return "" if place is None else f"at:{sorted(place.room_ids)}"


def series_feed(condition, options, extra_events=(), place=None, found=None, params=None):
    """The ics bytes for whole series of the public activities `condition` selects (with
    `params`, the values of its bound parameters), assembled from kept parts
    (calendars.parts): only series whose data changed are loaded and written; `found`
    (parts.FeedKeys) when their keys were read already.

    `place` (activities.at_venue.AtVenues) keeps only the dates at those meeting places:
    an activity all of whose dates (and the room new ones go in) are there is written as
    its series; otherwise each of its dates there is an event of its own, so the feed
    holds exactly the dates the API lists for the venue.
    """
    def events_of(activity, occurrences):
        if place is not None:
            there = [o for o in occurrences if place.holds(o)]
            if len(there) != len(occurrences) or activity.room_id not in place.room_ids:
                return [single_event(o, options) for o in there]
        return series_events(activity, occurrences, options) if occurrences else []

    def write(activity_ids):
        activities, dates = to_write(activity_ids, options)
        return {a.id: b"".join(event_bytes(e) for e in events_of(a, dates[a.id]))
                for a in activities}
    found = found or feed_keys(condition, options, _variant(place), params)
    blocks = activity_blocks(found.keys, write)
    return calendar_from_parts(blocks, extra_events, options)


def _feed(filename, key, condition, name, lang, build, **covered):
    """A Feed named `name` over the public activities `condition` selects (None: all);
    `build(condition, options)` writes it."""
    options = options_for(name, lang)
    version = feed_version((filename, *key, name, lang), condition,
                           (options.window_start, options.window_end), **covered)
    return Feed(filename, version, lambda: build(condition, options))


def _series_version(found, named, condition, window, params=None):
    """The validators of a feed of whole series from its keys (parts.FeedKeys.version);
    with no activity, nothing to derive them from: from what the condition covers."""
    if found.keys is None:
        return covered_version(named, condition, window, params=params)
    return found.version(named, window)


def _series_feed(filename, key, condition, name, lang, place=None, params=None):
    """A Feed of whole series (series_feed) whose validators come from its parts' keys:
    after a change one statement reads both, and building it reads only the series
    that changed. `params`: the values of the condition's bound parameters (a
    condition written once)."""
    options = options_for(name, lang)
    window = (options.window_start, options.window_end)
    named = (filename, *key, name, lang)
    read = []

    def validators():
        read.append(feed_keys(condition, options, _variant(place), params))
        return _series_version(read[0], named, condition, window, params)
    validated = remembered(("series", "|".join(map(str, named)), window[0]), validators)
    return Feed(filename, validated, lambda: series_feed(
        condition, options, place=place, found=read[0] if read else None, params=params))


def organisation_feed(slug, lang):
    """Every series of the public organisation with this slug, named after it; None
    when there is none. Which one it is is read with the feed's keys (one statement:
    parts.owner_column) and remembered with its validators per data version, so a
    current copy is answered 304 on the data version alone."""
    options = options_for("", lang)
    window = (options.window_start, options.window_end)
    read = []

    def validators():
        read.append(feed_keys(OF_SLUG, options, params={"slug": slug}, owner=True))
        if read[0].owner is None:
            return None
        organisation_id, name, translations = read[0].owner
        name = str(translated_text(name, translations, "name", lang,
                                   Organisation.ORIGINAL_LANG))
        named = (slug, "org", organisation_id, name, lang)
        return organisation_id, name, _series_version(
            read[0], named, OF_ORGANISATION, window, {"organisation_id": organisation_id})
    known = remembered(("organisation", slug, lang, window[0]), validators)
    if known is None:
        return None
    organisation_id, name, version = known
    return Feed(slug, version, lambda: series_feed(
        OF_ORGANISATION, replace(options, name=name), found=read[0] if read else None,
        params={"organisation_id": organisation_id}))


def activity_feed(activity, lang):
    """One activity, named after it."""
    return _series_feed(f"activity-{activity.id}", ("activity", activity.id), OF_ACTIVITY,
                        str(activity.translated("title", lang)), lang,
                        params={"activity_id": activity.id})


def partner_feed(subscription, lang):
    """A partner's saved filter, named as the partner named it."""
    filters = subscription.filters or {}
    place = place_of(filters)
    condition = activity_condition(filters)
    if place is not None:
        at_place = Activity.id.in_(select(Occurrence.activity_id).where(place.condition()))
        condition = at_place if condition is None else condition & at_place

    def build(condition, options):
        extra = []
        if subscription.include_tentative:
            extra = [tentative_event(b, options) for b in pending_bookings(filters, options)]
        return series_feed(condition, options, extra, place)
    key = ("partner", subscription.id, subscription.token_hash, subscription.filters,
           subscription.include_tentative)
    return _feed("feed", key, condition, subscription.name, lang, build,
                 bookings=subscription.include_tentative)


def venue_feed(venue, lang):
    """Every public date at the meeting place, named after it."""
    place = at_venues([venue.id])
    condition = Activity.id.in_(select(Occurrence.activity_id).where(place.condition()))
    return _series_feed(venue.slug, ("venue", venue.id, sorted(place.room_ids)), condition,
                        str(venue.translated("name", lang)), lang, place=place)


def search_feed(filters, lang):
    """The whole series of every activity with a date in the list `filters` give
    (/activities), so a search can be subscribed to; its name says what it holds."""
    ids = select(Occurrence.activity_id).where(Occurrence.id.in_(
        public_occurrences(filters).with_only_columns(Occurrence.id).order_by(None)))
    key = ("search", filters.but(page=1, per_page=20, notices=()))
    return _feed("activities", key, Activity.id.in_(ids), search_feed_name(filters, lang),
                 lang, series_feed, every_organisation=True)


def occurrence_feed(occurrence, lang):
    """One date, for "add to my calendar"."""
    activity = occurrence.activity
    condition = Activity.id == activity.id

    def build(condition, options):
        return calendar([single_event(occurrence, options)], options)
    return _feed(f"occurrence-{occurrence.id}", ("occurrence", occurrence.id), condition,
                 str(activity.translated("title", lang)), lang, build)


def all_partners():
    """Every LÖK partner, by name."""
    return db.session.scalars(select(Partner).order_by(Partner.name)).all()
