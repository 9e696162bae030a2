"""Content lines as the icalendar library writes them (RFC 5545), for the lines a feed
writes hundreds of times: a VEVENT's times, numbers, names and texts by hand (a property
with parameters, the organiser's, through the library once per organiser:
calendars.ical), folded by octets. The bytes are the library's (tests/
test_calendars_parts.py compares them)."""

import re

from icalendar import Event
from icalendar.caselessdict import canonsort_keys

from ..common.time import TIMEZONE, UTC, to_local

FOLD_AT = 74  # octets on a line before a fold, as the icalendar library folds
NAME = re.compile(r"[A-Za-z0-9-]+")


def fold(line):
    """A content line as UTF-8, folded as the icalendar library folds it (at most 74
    octets a line, never inside a character, never just after a backslash or caret),
    cut by octets instead of walked character by character."""
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


def escape(text):
    """TEXT escaping (RFC 5545 3.3.11), as the icalendar library escapes."""
    return (text.replace("\\N", "\n").replace("\\", "\\\\").replace(";", r"\;")
            .replace(",", r"\,").replace("\r\n", r"\n").replace("\n", r"\n")
            .replace("\r", r"\n"))


def _date_time(dt):
    return (f"{dt.year:04}{dt.month:02}{dt.day:02}"
            f"T{dt.hour:02}{dt.minute:02}{dt.second:02}")


def local(moment):
    """A moment as Stockholm wall-clock time, the value of a TZID date-time."""
    return _date_time(to_local(moment))


def utc(moment):
    """A moment in UTC, the value of a date-time ending in Z."""
    return _date_time(moment.astimezone(UTC)) + "Z"


def library_lines(component):
    """{property name: its unfolded line} of a component the library built (one line
    each: the properties a feed writes once)."""
    lines = {}
    for line in component.content_lines():
        if line and not line.startswith(("BEGIN:", "END:")):
            lines[NAME.match(line).group().upper()] = str(line)
    return lines


class VEvent:
    """A VEVENT as its content lines by property name, written in the library's order
    (its canonical order for VEVENT, then the others by name)."""

    __slots__ = ("lines",)

    def __init__(self, lines=None):
        self.lines = dict(lines or {})

    def text(self, name, value):
        self.lines[name] = f"{name}:{escape(value)}"

    def texts(self, name, values):
        """Several texts on one line (CATEGORIES), each escaped."""
        self.lines[name] = f"{name}:" + ",".join(map(escape, values))

    def value(self, name, value):
        """A value written as it is (a URI; a GEO's latitude;longitude)."""
        self.lines[name] = f"{name}:{value}"

    def local(self, name, *moments):
        """A date-time (or list, for EXDATE) in Stockholm wall-clock time with TZID."""
        self.lines[name] = f"{name};TZID={TIMEZONE}:" + ",".join(map(local, moments))

    def utc(self, name, moment):
        self.lines[name] = f"{name}:{utc(moment)}"

    def number(self, name, value):
        self.lines[name] = f"{name}:{int(value)}"

    def to_ical(self):
        names = canonsort_keys(self.lines, Event.canonical_order)
        return b"".join([b"BEGIN:VEVENT\r\n", *(fold(self.lines[n]) + b"\r\n" for n in names),
                         b"END:VEVENT\r\n"])


def event_bytes(component):
    """`component.to_ical()`: the same bytes, folded faster (see `fold`)."""
    if isinstance(component, VEvent):
        return component.to_ical()
    return b"".join(fold(line) + b"\r\n" for line in component.content_lines() if line)
