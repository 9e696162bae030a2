"""Where a date is, in words: one line for calendars, messages and lists."""


def place_line(activity, room, lang=None):
    """The room's meeting place (its name in `lang`, else the reader's language, else
    Swedish), room and address; else the activity's own address."""
    if room is not None:
        return ", ".join(p for p in (str(room.venue.translated("name", lang)), room.name,
                                     room.venue.address_line) if p)
    return ", ".join(p for p in (activity.street_address, " ".join(
        p for p in (activity.postal_code, activity.city) if p)) if p)
