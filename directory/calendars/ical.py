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


def _local(moment):
    """A moment as naive Stockholm wall-clock time, to be written with TZID."""
    return to_local(moment).replace(tzinfo=None)


def _add_local(event, name, moment):
    event.add(name, _local(moment), parameters={"TZID": TIMEZONE})


def _place(activity, room, options):
    """(location, latitude, longitude): the room's meeting place, else the activity's
    own address."""
    if room is not None:
        return (place_line(activity, room, options.lang), room.venue.latitude,
                room.venue.longitude)
    return place_line(activity, None), activity.latitude, activity.longitude


def _describe(event, activity, options, occurrence=None, room=None):
    """Summary, description, place and links; the place is the date's room (or, for a
    series' master, `room`: where its dates usually are)."""
    event.add("summary", str(activity.translated("title", options.lang)))
    description = str(activity.translated("description", options.lang))
    if occurrence is not None and occurrence.is_cancelled and occurrence.cancel_reason:
        description = f"{said(occurrence.cancel_reason)}\n\n{description}"
    if description:
        event.add("description", description)
    location, lat, lon = _place(activity, occurrence.room if occurrence is not None
                                else room, options)
    if location:
        event.add("location", location)
    if lat is not None and lon is not None:
        event.add("geo", (lat, lon))
    if options.url:
        event.add("url", options.url.format(activity_id=activity.id))
    if activity.focus_areas:
        event.add("categories", [fa.label(options.lang) for fa in activity.focus_areas])
    if activity.organisation.email:
        event.add("organizer", f"mailto:{activity.organisation.email}",
                  parameters={"CN": one_line(str(activity.organisation.translated(
                      "name", options.lang)))})


def _stamp(event, *moments):
    latest = max((m for m in moments if m is not None), default=EPOCH)
    event.add("dtstamp", latest)
    event.add("last-modified", latest)


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


def series_events(activity, occurrences, options):
    """The VEVENTs of one activity: a master with RRULE and its overrides, or, for a
    one-off, a single event. `occurrences` are the activity's rows in the window
    (options.window_start to options.window_end, both required for a series)."""
    schedule = activity.schedule
    if schedule.recurrence != "weekly":
        return [single_event(occ, options, uid=series_uid(activity, options)
                             if len(occurrences) == 1 else None) for occ in occurrences]
    all_slots = slots(schedule, last_day=to_local(options.window_end).date())
    if not all_slots:
        return [single_event(o, options) for o in occurrences if not o.is_cancelled]
    rule_slots = [(s, e) for s, e in all_slots if e > options.window_start]
    usual_room = _usual_room(occurrences)
    exdates, overrides = _departures(rule_slots, occurrences, usual_room)
    master = _master_event(activity, all_slots[0], occurrences, usual_room, options)
    if exdates:
        master.add("exdate", [_local(s) for s in exdates], parameters={"TZID": TIMEZONE})
    events = [master]
    events.extend(_override_event(activity, occ, options) for occ in overrides)
    rule_starts = {s for s, _ in rule_slots}
    for occ in occurrences:
        # Dates kept outside the current rule (e.g. kept for their sign-ups).
        if occ.original_starts_at not in rule_starts and not occ.is_cancelled:
            events.append(single_event(occ, options))
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


def _master_event(activity, first_slot, occurrences, usual_room, options):
    """The series' VEVENT: its first slot, the RRULE, the usual room."""
    first_start, first_end = first_slot
    master = Event()
    master.add("uid", series_uid(activity, options))
    _add_local(master, "dtstart", first_start)
    _add_local(master, "dtend", first_end)
    master.add("rrule", _rrule(activity.schedule))
    master.add("sequence", activity.sequence)
    master.add("status", "CONFIRMED")
    master.add("created", activity.created_at)
    _describe(master, activity, options, room=usual_room)
    _stamp(master, max([activity.updated_at] + [o.updated_at for o in occurrences]))
    return master


def _override_event(activity, occ, options):
    """A date of the series that differs from its slot, as a RECURRENCE-ID override."""
    event = Event()
    event.add("uid", series_uid(activity, options))
    _add_local(event, "recurrence-id", occ.original_starts_at)
    _add_local(event, "dtstart", occ.starts_at)
    _add_local(event, "dtend", occ.ends_at)
    event.add("sequence", activity.sequence + occ.sequence)
    event.add("status", "CONFIRMED")
    _describe(event, activity, options, occ)
    _stamp(event, occ.updated_at, activity.updated_at)
    return event


def _usual_room(occurrences):
    """The room most of the scheduled dates are in (None: the activity's own address);
    a series' master says it, and dates elsewhere are overrides."""
    counts = Counter(o.room_id for o in occurrences if not o.is_cancelled)
    if not counts:
        return None
    room_id = counts.most_common(1)[0][0]
    return next(o.room for o in occurrences if o.room_id == room_id)


def single_event(occurrence, options, uid=None):
    """One dated occurrence as a standalone VEVENT (for "add to my calendar")."""
    activity = occurrence.activity
    event = Event()
    event.add("uid", uid or occurrence_uid(occurrence, options))
    _add_local(event, "dtstart", occurrence.starts_at)
    _add_local(event, "dtend", occurrence.ends_at)
    event.add("sequence", activity.sequence + occurrence.sequence)
    event.add("status", "CANCELLED" if occurrence.is_cancelled else "CONFIRMED")
    event.add("created", activity.created_at)
    _describe(event, activity, options, occurrence)
    _stamp(event, occurrence.updated_at, activity.updated_at)
    return event


FOLD_AT = 74  # octets on a line before a fold, as the icalendar library folds


def _fold(line):
    """A content line as UTF-8, folded as the icalendar library folds it (RFC 5545: at
    most 74 octets a line, never inside a character, never just after a backslash or
    caret), cut by octets instead of walked character by character."""
    data = line.encode()
    if len(data) <= FOLD_AT:
        return data
    chunks, start = [], 0
    while len(data) - start > FOLD_AT:
        end = start + FOLD_AT
        while data[end] & 0xC0 == 0x80:  # inside a character: cut before it
            end -= 1
        if data[end - 1] in b"\\^" and end - 1 > start:  # keep an escape whole
            end -= 1
        chunks.append(data[start:end])
        start = end
    chunks.append(data[start:])
    return b"\r\n ".join(chunks)


def event_bytes(component):
    """`component.to_ical()`: the same bytes, folded faster (see `_fold`)."""
    return b"".join(_fold(line) + b"\r\n" for line in component.content_lines() if line)


def calendar(events, options):
    """A VCALENDAR around the events, with the Stockholm VTIMEZONE; returns bytes."""
    cal = Calendar()
    cal.add("prodid", "-//Samverkan//Calendar feeds//SV")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", one_line(options.name))
    cal.add("x-wr-calname", one_line(options.name))
    cal.add("x-wr-timezone", TIMEZONE)
    cal.add("refresh-interval", timedelta(minutes=options.refresh_minutes),
            parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", f"PT{options.refresh_minutes}M")
    cal.add_component(stockholm_vtimezone())
    for event in events:
        cal.add_component(event)
    return event_bytes(cal)


END = b"END:VCALENDAR\r\n"


@lru_cache(maxsize=256)
def _head(name, refresh_minutes):
    """A VCALENDAR's lines before its events (they depend on these options alone)."""
    empty = calendar([], FeedOptions(name=name, uid_domain="",
                                     refresh_minutes=refresh_minutes))
    assert empty.endswith(END)
    return empty[:-len(END)]


def calendar_from_parts(blocks, events, options):
    """The same bytes as `calendar()`, with serialised blocks of VEVENTs (calendars.parts)
    put in before the `events`."""
    return b"".join([_head(options.name, options.refresh_minutes), *blocks,
                     *(event_bytes(e) for e in events), END])


def tentative_event(booking, options):
    """A pending room booking of an activity, as a TENTATIVE event."""
    activity = booking.activity
    event = Event()
    event.add("uid", f"booking-{booking.id}@{options.uid_domain}")
    _add_local(event, "dtstart", booking.starts_at)
    _add_local(event, "dtend", booking.ends_at)
    event.add("sequence", 0)
    event.add("status", "TENTATIVE")
    event.add("summary", str(activity.translated("title", options.lang)))
    room = booking.room
    event.add("location", place_line(activity, room, options.lang))
    if room.venue.latitude is not None and room.venue.longitude is not None:
        event.add("geo", (room.venue.latitude, room.venue.longitude))
    if options.url:
        event.add("url", options.url.format(activity_id=activity.id))
    _stamp(event, booking.updated_at)
    return event
