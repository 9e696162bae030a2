"""What an organisation is told about its room bookings: decisions and a coordinator's
cancellation, in its preferred language, written to the outbox in the transaction of
the change."""

from flask_babel import format_date, format_time, ngettext
from flask_babel import lazy_gettext as _l

from ..common.i18n import said
from ..common.time import to_local
from ..common.urls import absolute_url
from ..messages.outbox import in_language, queue, recipient_language


# What the organisation is told of a decision: whole sentences, one per outcome.
DECISION_SUBJECTS = {
    "approved": _l("Room booking approved: %(room)s, %(date)s"),
    "rejected": _l("Room booking not approved: %(room)s, %(date)s"),
}
DECISION_TEXTS = {
    "approved": _l("%(venue)s has approved your booking of %(room)s on %(date)s, "
                   "%(start)s–%(end)s."),
    "rejected": _l("%(venue)s could not approve your booking of %(room)s on %(date)s, "
                   "%(start)s–%(end)s."),
}


# Several dates of one room decided at once (a series): one message lists them.
def _series_subject(status, room, num):
    if status == "approved":
        return ngettext("Room booking approved: %(room)s, %(num)d date",
                        "Room bookings approved: %(room)s, %(num)d dates", num, room=room)
    return ngettext("Room booking not approved: %(room)s, %(num)d date",
                    "Room bookings not approved: %(room)s, %(num)d dates", num, room=room)


SERIES_TEXTS = {
    "approved": _l("%(venue)s has approved your booking of %(room)s on these dates:"),
    "rejected": _l("%(venue)s could not approve your booking of %(room)s on these dates:"),
}


def tell_organisations(bookings):
    """Write to each organisation about the decisions on its bookings: one message per
    organisation, room and outcome, listing the dates, in the organisation's preferred
    language; in the transaction of the decisions (the worker sends it after commit)."""
    groups = {}
    for booking in bookings:
        if booking.organisation.email and booking.status in DECISION_TEXTS:
            key = (booking.organisation_id, booking.room_id, booking.status)
            groups.setdefault(key, []).append(booking)
    for group in groups.values():
        _write_decision(sorted(group, key=lambda b: b.starts_at))


def _write_decision(bookings):
    first = bookings[0]
    organisation = first.organisation
    language = recipient_language(organisation.preferred_language)
    link = absolute_url("bookings.request_room", slug=organisation.slug)

    def write():
        values = {"room": first.room.name, "venue": first.room.venue.name, **_when(first)}
        if len(bookings) == 1:
            subject = str(DECISION_SUBJECTS[first.status]) % values
            lines = [str(DECISION_TEXTS[first.status]) % values]
        else:
            subject = _series_subject(first.status, first.room.name, len(bookings))
            lines = [str(SERIES_TEXTS[first.status]) % values,
                     "\n".join("- %(date)s, %(start)s–%(end)s" % _when(b) for b in bookings)]
        for reason in dict.fromkeys(b.decision_reason for b in bookings if b.decision_reason):
            lines.append(str(_l("Reason: %(reason)s", reason=said(reason))))
        lines.append(str(_l("Your organisation's bookings: %(link)s", link=link)))
        return subject, "\n\n".join(lines) + "\n"
    subject, body = in_language(language, write)
    queue(f"booking.{first.status}", organisation.email, language, subject, body,
          organisation_id=organisation.id)


def tell_cancelled(booking, reason):
    """A coordinator cancelled an organisation's booking: the organisation is told."""
    organisation = booking.organisation
    if not organisation.email:
        return
    language = recipient_language(organisation.preferred_language)
    link = absolute_url("bookings.request_room", slug=organisation.slug)

    def write():
        values = {"room": booking.room.name, "venue": booking.room.venue.name,
                  **_when(booking)}
        subject = str(_l("Room booking cancelled: %(room)s, %(date)s", **values))
        lines = [str(_l("%(venue)s has cancelled your booking of %(room)s on %(date)s, "
                        "%(start)s–%(end)s.", **values))]
        if reason:
            lines.append(str(_l("Reason: %(reason)s", reason=said(reason))))
        lines.append(str(_l("Your organisation's bookings: %(link)s", link=link)))
        return subject, "\n\n".join(lines) + "\n"
    subject, body = in_language(language, write)
    queue("booking.cancelled", organisation.email, language, subject, body,
          organisation_id=organisation.id)


def _when(booking):
    return {"date": format_date(to_local(booking.starts_at).date(), "full"),
            "start": format_time(booking.starts_at, "HH:mm"),
            "end": format_time(booking.ends_at, "HH:mm")}
