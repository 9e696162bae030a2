"""iCalendar (RFC 5545) serialisation: activities and occurrences → a VCALENDAR.

Pure: it reads the objects it is given and the plain options, never the database
or the request. One VEVENT per series with RRULE in Europe/Stockholm; dates the
series no longer has (removed or cancelled) as EXDATE, so subscribed calendars
drop them; moved or changed dates as RECURRENCE-ID overrides; UIDs from ids,
DTSTAMP and LAST-MODIFIED from the data, never from the clock.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from icalendar import Calendar, Event, vRecur
from icalendar.cal import Component

from ..activities.places import place_line
from ..activities.schedule import slots, weekday_codes
from ..common.i18n import said
from ..common.text import one_line
from ..common.time import LOCAL, TIMEZONE, to_local
from .lines import VEvent, event_bytes, library_lines

EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class FeedOptions:
    """What a feed is called and what it shows."""

    name: str
    uid_domain: str
    lang: str = "sv"
    url: str | None = None
    refresh_minutes: int = 60
    window_start: datetime | None = None  # occurrences ending before are left out
    window_end: datetime | None = None


def stockholm_vtimezone():
    """Europe/Stockholm with one DAYLIGHT and one STANDARD rule, as Outlook expects."""
    tz = Component.from_ical(
        "BEGIN:VTIMEZONE\r\n"
        f"TZID:{TIMEZONE}\r\n"
        f"X-LIC-LOCATION:{TIMEZONE}\r\n"
        "BEGIN:DAYLIGHT\r\n"
        "TZOFFSETFROM:+0100\r\n"
        "TZOFFSETTO:+0200\r\n"
        "TZNAME:CEST\r\n"
        "DTSTART:19700329T020000\r\n"
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
        "END:DAYLIGHT\r\n"
        "BEGIN:STANDARD\r\n"
        "TZOFFSETFROM:+0200\r\n"
        "TZOFFSETTO:+0100\r\n"
        "TZNAME:CET\r\n"
        "DTSTART:19701025T030000\r\n"
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
        "END:STANDARD\r\n"
        "END:VTIMEZONE\r\n")
    return tz


def _place(activity, room, options):
    """(location, latitude, longitude): the room's meeting place, else the activity's
    own address."""
    if room is not None:
        return (place_line(activity, room, options.lang), room.venue.latitude,
                room.venue.longitude)
    return place_line(activity, None), activity.latitude, activity.longitude


def _describe(activity, options, room, reason=None):
    """{name: line} of the summary, description, place and links: the texts of an event,
    the same for every date of the activity in `room` (with `reason`: a cancelled
    date's, said first). Written by hand as the icalendar library writes them (calendars.
    lines; tests compare the bytes), the organiser's line, with its parameter, by the
    library once per organiser: a series written again after an edit ~0.5 ms sooner."""
    event = VEvent()
    event.text("SUMMARY", str(activity.translated("title", options.lang)))
    description = str(activity.translated("description", options.lang))
    if reason:
        description = f"{said(reason)}\n\n{description}"
    if description:
        event.text("DESCRIPTION", description)
    location, lat, lon = _place(activity, room, options)
    if location:
        event.text("LOCATION", location)
    if lat is not None and lon is not None:
        event.value("GEO", f"{float(lat)};{float(lon)}")
    if options.url:
        event.value("URL", options.url.format(activity_id=activity.id))
    if activity.focus_areas:
        event.texts("CATEGORIES", [str(fa.label(options.lang)) for fa in activity.focus_areas])
    if activity.organisation.email:
        event.lines["ORGANIZER"] = organizer_line(activity.organisation.email, one_line(
            str(activity.organisation.translated("name", options.lang))))
    return event.lines


@lru_cache(maxsize=1024)
def organizer_line(email, name):
    """The ORGANIZER line of an organisation, its name as the CN parameter, as the
    library writes it."""
    event = Event()
    event.add("organizer", f"mailto:{email}", parameters={"CN": name})
    return library_lines(event)["ORGANIZER"]


class _Texts:
    """The described texts of one activity's events, each place (and reason) once."""

    def __init__(self, activity, options):
        self.activity, self.options, self.kept = activity, options, {}

    def of(self, room, reason=None):
        key = (getattr(room, "id", None), reason)
        if key not in self.kept:
            self.kept[key] = _describe(self.activity, self.options, room, reason)
        return self.kept[key]


def _event(texts, uid, sequence, status, *moments):
    """A VEVENT with these texts, its identity and its DTSTAMP and LAST-MODIFIED (the
    latest of `moments`, from the data: for an activity's events its
    calendar_changed_at, so a sign-up changes none of its bytes)."""
    event = VEvent(texts)
    event.text("UID", uid)
    event.number("SEQUENCE", sequence)
    event.text("STATUS", status)
    latest = max((m for m in moments if m is not None), default=EPOCH)
    event.utc("DTSTAMP", latest)
    event.utc("LAST-MODIFIED", latest)
    return event


def series_uid(activity, options):
    return f"activity-{activity.id}@{options.uid_domain}"


def occurrence_uid(occurrence, options):
    return f"occurrence-{occurrence.id}@{options.uid_domain}"


def _rrule(schedule):
    rule = {"FREQ": "WEEKLY", "BYDAY": weekday_codes(schedule.weekdays or
                                                      (schedule.starts_on.weekday(),))}
    if schedule.interval and schedule.interval > 1:
        rule["INTERVAL"] = schedule.interval
    if schedule.until:
        # UNTIL in UTC, at the end of the last local day (RFC 5545 with a TZID DTSTART).
        last = datetime.combine(schedule.until, datetime.max.time()).replace(
            microsecond=0, tzinfo=LOCAL).astimezone(timezone.utc)
        rule["UNTIL"] = last
    elif schedule.count:
        rule["COUNT"] = schedule.count
    rule["WKST"] = "MO"
    return vRecur(rule)


@lru_cache(maxsize=256)
def _rrule_line(schedule):
    """A series' RRULE line, written by the library once per schedule (a plain value)."""
    return "RRULE:" + _rrule(schedule).to_ical().decode()


@lru_cache(maxsize=256)
def _slots(schedule, last_day):
    """A series' slots up to `last_day` (the feed window's): a schedule is a plain
    value, so a series written again after an edit of anything else (its title, a date)
    does not expand its rule again. Never changed by the callers."""
    return tuple(slots(schedule, last_day))


def series_events(activity, occurrences, options):
    """The VEVENTs of one activity: a master with RRULE and its overrides, or, for a
    one-off, a single event. `occurrences` are the activity's rows in the window
    (options.window_start to options.window_end, both required for a series)."""
    schedule = activity.schedule
    texts = _Texts(activity, options)
    if schedule.recurrence != "weekly":
        return [single_event(occ, options, uid=series_uid(activity, options)
                             if len(occurrences) == 1 else None, texts=texts)
                for occ in occurrences]
    all_slots = _slots(schedule, to_local(options.window_end).date())
    if not all_slots:
        return [single_event(o, options, texts=texts) for o in occurrences
                if not o.is_cancelled]
    rule_slots = [(s, e) for s, e in all_slots if e > options.window_start]
    usual_room = _usual_room(occurrences)
    exdates, overrides = _departures(rule_slots, occurrences, usual_room)
    master = _master_event(activity, all_slots[0], texts.of(usual_room), options)
    if exdates:
        master.local("EXDATE", *exdates)
    events = [master]
    events.extend(_override_event(activity, occ, texts, options) for occ in overrides)
    rule_starts = {s for s, _ in rule_slots}
    for occ in occurrences:
        # Dates kept outside the current rule (e.g. kept for their sign-ups).
        if occ.original_starts_at not in rule_starts and not occ.is_cancelled:
            events.append(single_event(occ, options, texts=texts))
    return events


def _departures(rule_slots, occurrences, usual_room):
    """(exdates, overrides): the rule's slots the dates no longer have (removed or
    cancelled), and the dates that differ from what the rule gives (moved, another end,
    or in another room than the usual one); a date equal to its slot is no override."""
    by_slot = {o.original_starts_at: o for o in occurrences}
    materialised_until = max((o.original_starts_at for o in occurrences), default=None)
    exdates, overrides = [], []
    for start, end in rule_slots:
        occ = by_slot.get(start)
        if occ is None:
            # Removed, unless it simply lies past what has been materialised yet.
            if materialised_until is not None and start <= materialised_until:
                exdates.append(start)
            continue
        if occ.is_cancelled:
            exdates.append(start)
        elif occ.starts_at != start or occ.ends_at != end or \
                occ.room_id != getattr(usual_room, "id", None):
            # Only a date the rule does not give (time, room) is written again: a date
            # re-timed with its series (its sequence grew) is just the rule's.
            overrides.append(occ)
    return exdates, overrides


def _master_event(activity, first_slot, texts, options):
    """The series' VEVENT: its first slot, the RRULE, the usual room's `texts`."""
    first_start, first_end = first_slot
    master = _event(texts, series_uid(activity, options), activity.sequence, "CONFIRMED",
                    activity.calendar_changed_at)
    master.local("DTSTART", first_start)
    master.local("DTEND", first_end)
    master.lines["RRULE"] = _rrule_line(activity.schedule)
    master.utc("CREATED", activity.created_at)
    return master


def _override_event(activity, occ, texts, options):
    """A date of the series that differs from its slot, as a RECURRENCE-ID override."""
    event = _event(texts.of(occ.room), series_uid(activity, options),
                   activity.sequence + occ.sequence, "CONFIRMED",
                   activity.calendar_changed_at)
    event.local("RECURRENCE-ID", occ.original_starts_at)
    event.local("DTSTART", occ.starts_at)
    event.local("DTEND", occ.ends_at)
    return event


def _usual_room(occurrences):
    """The room most of the scheduled dates are in (None: the activity's own address);
    a series' master says it, and dates elsewhere are overrides."""
    counts = Counter(o.room_id for o in occurrences if not o.is_cancelled)
    if not counts:
        return None
    room_id = counts.most_common(1)[0][0]
    return next(o.room for o in occurrences if o.room_id == room_id)


def single_event(occurrence, options, uid=None, texts=None):
    """One dated occurrence as a standalone VEVENT (for "add to my calendar"); `texts`
    (of its activity) when several of its dates are written."""
    activity = occurrence.activity
    texts = texts or _Texts(activity, options)
    cancelled = occurrence.is_cancelled
    event = _event(texts.of(occurrence.room, occurrence.cancel_reason if cancelled else None),
                   uid or occurrence_uid(occurrence, options),
                   activity.sequence + occurrence.sequence,
                   "CANCELLED" if cancelled else "CONFIRMED",
                   activity.calendar_changed_at)
    event.local("DTSTART", occurrence.starts_at)
    event.local("DTEND", occurrence.ends_at)
    event.utc("CREATED", activity.created_at)
    return event


END = b"END:VCALENDAR\r\n"


@lru_cache(maxsize=256)
def _head(name, refresh_minutes):
    """A VCALENDAR's lines before its events, with the Stockholm VTIMEZONE (they depend
    on these options alone)."""
    cal = Calendar()
    cal.add("prodid", "-//Samverkan//Calendar feeds//SV")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", one_line(name))
    cal.add("x-wr-calname", one_line(name))
    cal.add("x-wr-timezone", TIMEZONE)
    cal.add("refresh-interval", timedelta(minutes=refresh_minutes),
            parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", f"PT{refresh_minutes}M")
    cal.add_component(stockholm_vtimezone())
    empty = event_bytes(cal)
    assert empty.endswith(END)
    return empty[:-len(END)]


def calendar(events, options):
    """A VCALENDAR around the events, with the Stockholm VTIMEZONE; returns bytes."""
    return calendar_from_parts([], events, options)


def calendar_from_parts(blocks, events, options):
    """A VCALENDAR of serialised blocks of VEVENTs (calendars.parts), then the
    `events`."""
    return b"".join([_head(options.name, options.refresh_minutes), *blocks,
                     *(event_bytes(e) for e in events), END])


def tentative_event(booking, options):
    """A pending room booking of an activity, as a TENTATIVE event."""
    activity = booking.activity
    room = booking.room
    described = Event()
    described.add("summary", str(activity.translated("title", options.lang)))
    described.add("location", place_line(activity, room, options.lang))
    if room.venue.latitude is not None and room.venue.longitude is not None:
        described.add("geo", (room.venue.latitude, room.venue.longitude))
    if options.url:
        described.add("url", options.url.format(activity_id=activity.id))
    event = _event(library_lines(described), f"booking-{booking.id}@{options.uid_domain}",
                   0, "TENTATIVE", booking.updated_at)
    event.local("DTSTART", booking.starts_at)
    event.local("DTEND", booking.ends_at)
    return event
