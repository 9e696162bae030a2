"""What an organisation is told about its activity's dates when no one is at the form:
new dates of a series (made as the rolling window moves on) that its room cannot hold.
In its preferred language, written to the outbox in the transaction that made them."""

from flask_babel import gettext, ngettext

from ..common.urls import absolute_url
from ..messages.outbox import in_language, queue, recipient_language
from ..venues.occupancy import RoomCalendar, when

# The dates a message names one by one (the rest: "…"; the count is in its subject).
LISTED = 20


def tell_unplaced(activity, dates):
    """The activity's room (Activity.room_id) cannot hold these new dates: they were
    made without it. Its organisation is told which and why (taken, closed, outside the
    opening hours), with links to cancel them (the activity's dates) or to ask for
    another room. Nothing when the organisation has no e-mail address."""
    organisation = activity.organisation
    room = activity.room
    if not organisation.email or room is None or not dates:
        return
    language = recipient_language(organisation.preferred_language)
    link = absolute_url("activities.dates", activity_id=activity.id)
    rooms = absolute_url("bookings.request_room", slug=organisation.slug)
    dates = sorted(dates, key=lambda d: d.starts_at)

    def write():
        values = {"activity": activity.title, "venue": room.venue.name, "room": room.name}
        subject = ngettext("A new date of %(activity)s is not in %(room)s",
                           "%(num)d new dates of %(activity)s are not in %(room)s",
                           len(dates), **values)
        lines = [ngettext(
            "%(venue)s, %(room)s cannot hold this new date of %(activity)s, so it is "
            "listed without the room:",
            "%(venue)s, %(room)s cannot hold these new dates of %(activity)s, so they are "
            "listed without the room:", len(dates), **values)]
        # What is in the way of each, read for all of them at once.
        calendar = RoomCalendar(room, [(d.starts_at, d.ends_at) for d in dates[:LISTED]])
        listed = [f"- {when(d.starts_at, d.ends_at)}: " + " ".join(
            str(r) for r in calendar.problems(d.starts_at, d.ends_at, d.id))
            for d in dates[:LISTED]]
        lines.append("\n".join(listed + (["- …"] if len(dates) > LISTED else [])))
        lines.append(ngettext("Cancel it among the activity's dates: %(link)s",
                              "Cancel them among the activity's dates: %(link)s",
                              len(dates), link=link))
        lines.append(gettext("Or ask for another room: %(link)s", link=rooms))
        return subject, "\n\n".join(lines) + "\n"
    subject, body = in_language(language, write)
    queue("activity.unplaced", organisation.email, language, subject, body,
          organisation_id=organisation.id)
