"""The audit log as people read it: each event a sentence in the reader's language
("Anna Berg approved Språkcafé's request for Stora salen, 3 Dec 15:00–17:00"), made
from what the event stores (its account, label, before, after and what `record` was
told it is about), with the kinds of action as words and the organisation an event is
about, for the filters. Times in Stockholm time, 24-hour."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone

from flask_babel import format_date, format_time
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..activities.models import Activity, Occurrence
from ..audit.services import ABOUT
from ..bookings.models import RoomBooking
from ..common.templating import weekday_name
from ..common.time import to_local, utcnow
from ..extensions import db
from ..organisations.models import Organisation

# action (or "action:ObjectType") → sentences, the most telling first: the first whose
# placeholders the event can fill is used (older events store less).
SENTENCES = {
    "booking.approve": (
        _l("%(actor)s approved %(organisation)s's request for %(room)s, %(when)s"),
        _l("%(actor)s approved a request for %(subject)s")),
    "booking.reject": (
        _l("%(actor)s refused %(organisation)s's request for %(room)s, %(when)s"),
        _l("%(actor)s refused a request for %(subject)s")),
    "booking.cancel": (
        _l("%(actor)s cancelled %(organisation)s's booking of %(room)s, %(when)s"),
        _l("%(actor)s cancelled a booking of %(subject)s")),
    "booking.change_series": (
        _l("%(actor)s moved %(organisation)s's requests for %(room)s to new times, "
           "from %(when)s"),
        _l("%(actor)s moved requests for %(subject)s to new times")),
    "organisation.verified": (_l("%(actor)s verified %(subject)s"),),
    "organisation.rejected": (_l("%(actor)s refused the registration of %(subject)s"),),
    "organisation.archived": (_l("%(actor)s archived %(subject)s"),),
    "organisation.update": (_l("%(actor)s changed the profile of %(subject)s"),),
    "organisation.confirm": (_l("%(actor)s confirmed that the details of %(subject)s are "
                                "still right"),),
    "organisation.extend": (_l("%(actor)s extended the listing of %(subject)s by a year"),),
    "organisation.lapse": (_l("%(subject)s left the public lists: its details were not "
                              "confirmed for thirteen months"),),
    "organisation.release_rooms": (
        _l("%(actor)s freed the rooms of %(subject)s (bookings cancelled: %(bookings)s, "
           "dates cancelled: %(dates)s)"),
        _l("%(actor)s freed the rooms of %(subject)s")),
    "membership.invite": (
        _l("%(actor)s invited %(member)s to %(organisation)s as %(role)s"),
        _l("%(actor)s invited a new member as %(role)s")),
    "membership.remove": (
        _l("%(actor)s removed %(member)s from %(organisation)s"),
        _l("%(actor)s removed %(member)s from an organisation")),
    "membership.leave": (_l("%(actor)s left %(organisation)s"),
                         _l("%(actor)s left an organisation")),
    "membership.role": (
        _l("%(actor)s made %(member)s %(role)s of %(organisation)s"),
        _l("%(actor)s made %(member)s %(role)s")),
    "membership.transfer": (
        _l("%(actor)s handed %(organisation)s over to %(owner)s"),
        _l("%(actor)s handed an organisation over to %(owner)s")),
    "activity.create": (
        _l("%(actor)s created the activity %(subject)s of %(organisation)s"),
        _l("%(actor)s created the activity %(subject)s")),
    "activity.update": (
        _l("%(actor)s changed the activity %(subject)s of %(organisation)s"),
        _l("%(actor)s changed the activity %(subject)s")),
    "activity.end": (_l("%(actor)s ended the activity %(subject)s of %(organisation)s"),
                     _l("%(actor)s ended the activity %(subject)s")),
    "occurrence.cancel": (_l("%(actor)s cancelled %(subject)s, %(when)s"),
                          _l("%(actor)s cancelled a date of %(subject)s")),
    "occurrence.restore": (_l("%(actor)s put %(subject)s back on, %(when)s"),
                           _l("%(actor)s put a date of %(subject)s back on")),
    "occurrence.move": (_l("%(actor)s moved %(subject)s from %(from)s to %(to)s"),
                        _l("%(actor)s moved a date of %(subject)s")),
    "occurrence.capacity": (
        _l("%(actor)s set the places of %(subject)s, %(when)s, to %(capacity)s"),
        _l("%(actor)s set the places of a date of %(subject)s to %(capacity)s")),
    "occurrence.attendance": (
        _l("%(actor)s recorded that %(attended)s came to %(subject)s, %(when)s"),
        _l("%(actor)s recorded that %(attended)s came to %(subject)s")),
    "signups.view": (_l("%(actor)s looked at the sign-ups for %(subject)s, %(when)s"),
                     _l("%(actor)s looked at the sign-ups for %(subject)s")),
    "signups.export": (_l("%(actor)s downloaded the sign-ups for %(subject)s, %(when)s"),
                       _l("%(actor)s downloaded the sign-ups for %(subject)s")),
    "register.export": (_l("%(actor)s downloaded the register: %(table)s (%(format)s)"),),
    "venue.create": (_l("%(actor)s added the meeting place %(subject)s"),),
    "venue.update": (_l("%(actor)s changed the meeting place %(subject)s"),),
    "venue.hours": (_l("%(actor)s set the opening hours of %(subject)s for %(weekday)s to "
                       "%(opens)s–%(closes)s"),),
    "venue.closure": (_l("%(actor)s closed %(subject)s from %(first)s to %(last)s"),),
    "room.create": (_l("%(actor)s added the room %(subject)s at %(venue)s"),
                    _l("%(actor)s added the room %(subject)s")),
    "room.update": (_l("%(actor)s changed the room %(subject)s at %(venue)s"),
                    _l("%(actor)s changed the room %(subject)s")),
    "account.deactivate": (_l("%(actor)s deactivated the account %(subject)s"),),
    "account.reactivate": (_l("%(actor)s let %(subject)s log in again"),),
    "account.end_sessions": (_l("%(actor)s logged %(subject)s out everywhere"),),
    "account.municipality": (_l("%(actor)s limited %(subject)s to %(municipality)s"),
                             _l("%(actor)s gave %(subject)s the whole county")),
    "user.password_link": (_l("%(actor)s made a password link for %(subject)s"),),
    "partner.create": (_l("%(actor)s added the partner %(subject)s"),),
    "feed.create": (_l("%(actor)s made the calendar feed %(subject)s"),),
    "feed.rotate": (_l("%(actor)s gave the calendar feed %(subject)s a new link"),),
    "feed.revoke": (_l("%(actor)s stopped the calendar feed %(subject)s"),),
    "municipality.enable": (_l("%(actor)s began serving %(subject)s"),),
    "municipality.disable": (_l("%(actor)s stopped serving %(subject)s"),),
    "term.create:FocusArea": (_l("%(actor)s added the focus area %(subject)s"),),
    "term.create:TargetGroup": (_l("%(actor)s added the target group %(subject)s"),),
    "term.update:FocusArea": (
        _l("%(actor)s renamed the focus area %(old_name)s to %(subject)s"),
        _l("%(actor)s changed the focus area %(subject)s")),
    "term.update:TargetGroup": (
        _l("%(actor)s renamed the target group %(old_name)s to %(subject)s"),
        _l("%(actor)s changed the target group %(subject)s")),
}
GENERIC = _l("%(actor)s changed %(subject)s")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")

# The kinds of action the log is filtered by: (key, words, action prefixes).
KINDS = (
    ("organisations", _l("Registrations and reviews of organisations"), ("organisation.",)),
    ("members", _l("Members of organisations"), ("membership.",)),
    ("bookings", _l("Room requests"), ("booking.",)),
    ("activities", _l("Activities and dates"), ("activity.", "occurrence.")),
    ("signups", _l("Sign-ups looked at or downloaded"), ("signups.",)),
    ("register", _l("Downloads of the register"), ("register.",)),
    ("places", _l("Meeting places and rooms"), ("venue.", "room.")),
    ("accounts", _l("Accounts"), ("account.", "user.")),
    ("terms", _l("Focus areas and target groups"), ("term.",)),
    ("municipalities", _l("Municipalities"), ("municipality.",)),
    ("partners", _l("Partners and calendar feeds"), ("partner.", "feed.")),
)
ROLES = {"owner": _l("owner"), "editor": _l("editor")}
TABLES = {"organisations": _l("Organisations"), "activities": _l("Activities"),
          "dates": _l("Dates"), "bookings": _l("Room requests")}
FORMATS = {"csv": _l("CSV"), "xlsx": _l("Excel (XLSX)")}


def kind_prefixes(key):
    """The action prefixes of a kind of action (None: every action)."""
    return next((prefixes for k, _words, prefixes in KINDS if k == key), None)


def about_organisation(organisation_id):
    """[(object type, ids)]: the things an event about an organisation is recorded on:
    the organisation (and its members), its activities, their dates, its requests."""
    return [("Organisation", [organisation_id]),
            ("Activity", select(Activity.id).where(
                Activity.organisation_id == organisation_id)),
            ("Occurrence", select(Occurrence.id).join(Occurrence.activity).where(
                Activity.organisation_id == organisation_id)),
            ("RoomBooking", select(RoomBooking.id).where(
                RoomBooking.organisation_id == organisation_id))]


def organisation_choices(municipality_id=None):
    """[(id, name)] of the organisations the filter offers, by name, in one query."""
    stmt = select(Organisation.id, Organisation.name).order_by(Organisation.name)
    if municipality_id is not None:
        stmt = stmt.where(Organisation.municipality_id == municipality_id)
    return db.session.execute(stmt).all()


@dataclass(frozen=True)
class Entry:
    """One event as shown: when, the sentence, and the fields a change changed."""

    at: datetime
    sentence: str
    changes: list


def entries(events):
    """[Entry] of events (with their accounts loaded): no query per event."""
    return [Entry(event.at, sentence(event), _changes(event)) for event in events]


def sentence(event):
    """The event as a sentence in the page's language."""
    values = _values(event)
    for template in SENTENCES.get(f"{event.action}:{event.object_type}") or \
            SENTENCES.get(event.action) or ():
        text = str(template)
        if all(values.get(name) not in (None, "") for name in PLACEHOLDER.findall(text)):
            return text % values
    return str(GENERIC) % values


def _changes(event):
    """[(field, before, after)] of a change that kept both sides (what it is about
    aside)."""
    before = event.before or {}
    after = {k: v for k, v in (event.after or {}).items() if k != ABOUT}
    if not before or not after:
        return []
    return [(k, before.get(k), after.get(k)) for k in sorted(set(before) | set(after))]


def _actor(user):
    if user is None:
        return str(_l("Someone"))
    return user.name or user.email


def _values(event):
    """Every placeholder the event can fill."""
    before, after = event.before or {}, event.after or {}
    about = after.get(ABOUT) or {}
    values = {"actor": _actor(event.user), "subject": event.summary or str(_l("something")),
              **{k: v for k, v in about.items() if isinstance(v, str)}}
    values["when"] = _period(about.get("starts_at"), about.get("ends_at"))
    values["from"] = _period(before.get("starts_at"), before.get("ends_at"))
    values["to"] = _period(after.get("starts_at"), after.get("ends_at"))
    for name in ("capacity", "attended", "bookings", "dates", "owner", "member"):
        for side in (after, before):
            if side.get(name) is not None and values.get(name) is None:
                values[name] = str(side[name])
    role = about.get("role") or after.get("role") or event.summary
    values["role"] = str(ROLES[role]) if role in ROLES else None
    values["old_name"] = before.get("name") if after.get("name") else None
    values["municipality"] = about.get("municipality") or after.get("municipality")
    values.update(_place_values(after))
    if event.action == "register.export" and "." in event.summary:
        table, file_format = event.summary.rsplit(".", 1)
        values["table"] = str(TABLES.get(table, table))
        values["format"] = str(FORMATS.get(file_format, file_format))
    return values


def _place_values(after):
    """Opening hours and closures, in words."""
    values = {}
    if isinstance(after.get("weekday"), int) and 0 <= after["weekday"] <= 6:
        values["weekday"] = weekday_name(after["weekday"])
        values["opens"], values["closes"] = after.get("opens"), after.get("closes")
        for name in ("opens", "closes"):
            values[name] = (values[name] or "")[:5] or None  # 08:00:00 → 08:00
    if after.get("from") and after.get("to"):
        values["first"], values["last"] = _day(after["from"]), _day(after["to"])
    return values


def _moment(value):
    """An ISO moment as stored (aware; naive ones are UTC), else None."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _short_date(day):
    """"3 Dec", with the year when it is not this year's."""
    return format_date(day, "d MMM" if day.year == to_local(utcnow()).year else "d MMM y")


def _day(value):
    try:
        return _short_date(date.fromisoformat(value))
    except (TypeError, ValueError):
        return None


def _period(starts_at, ends_at):
    """"3 Dec 15:00–17:00" in Stockholm time, or None."""
    start, end = _moment(starts_at), _moment(ends_at)
    if start is None or end is None:
        return None
    start, end = to_local(start), to_local(end)
    return str(_l("%(date)s %(start)s–%(end)s", date=_short_date(start.date()),
                  start=format_time(start.time(), "HH:mm"),
                  end=format_time(end.time(), "HH:mm")))
