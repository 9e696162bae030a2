"""Where a date is, in words: one line for calendars, messages and lists."""

from ..common.text import address_line


def place_line(activity, room, lang=None):
    """The room's meeting place (its name in `lang`, else the reader's language, else
    Swedish), room and address; else the activity's own address."""
    if room is not None:
        return ", ".join(p for p in (str(room.venue.translated("name", lang)), room.name,
                                     room.venue.address_line) if p)
    return address_line(activity.street_address, activity.postal_code, activity.city)
