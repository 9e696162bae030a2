"""Plain dicts of the API's objects, with the fields PRODUCT.md names."""

from flask import url_for

from ..activities.models import effective_capacity, is_cancelled, seats_left
from ..common.i18n import current_lang, language_list, said, translated_text
from ..common.text import address_line
from ..common.time import isoformat_local, to_local
from ..common.urls import url_of_id


def organization(org, distance_km=None):
    body = {
        "id": org.id,
        "slug": org.slug,
        "name": str(org.translated("name")),
        "description": str(org.translated("description")),
        "kind": org.kind,
        "website": org.public_website,
        "email": org.email,
        "phone": org.phone,
        "focus_areas": [fa.slug for fa in org.focus_areas],
        "languages": org.languages,
        "status": org.status,
        "kommun": org.municipality.slug if org.municipality else None,
        "address": {"street": org.street_address, "postal_code": org.postal_code,
                    "city": org.city},
        "latitude": org.latitude,
        "longitude": org.longitude,
        "url": url_for("activities.organisation", slug=org.slug, _external=True),
        # The Stockholm day its details were last confirmed (organisations.freshness).
        "last_reviewed": to_local(org.confirmed_at).date().isoformat(),
    }
    if distance_km is not None:
        body["distance_km"] = round(distance_km, 2)
    return body


def place(row, lang=None):
    """Where a date is (a row of activities.listed): its room's meeting place, else its
    activity's own address; never guessed from the activity when it has a room."""
    if row.room_id is not None:
        return {"venue": row.venue_slug,
                "venue_name": str(translated_text(row.venue_name, row.venue_translations,
                                                  "name", lang)),
                "room": row.room_name,
                "address": address_line(row.venue_street_address, row.venue_postal_code,
                                        row.venue_city),
                "latitude": row.venue_latitude, "longitude": row.venue_longitude}
    return {"venue": None, "venue_name": None, "room": None,
            "address": address_line(row.street_address, row.postal_code, row.city) or None,
            "latitude": row.latitude, "longitude": row.longitude}


def occurrence(listed, distance_km=None, lang=None, url_of=None):
    """A date as the API shows it, from (row, tags) of activities.listed, its texts in
    `lang` (default: the reader's language); `url_of` (common.urls.url_of_id of the
    date's page) when a page of them shares one."""
    row, tags = listed
    lang = lang or current_lang()
    url_of = url_of or occurrence_url()
    body = {
        "id": row.id,
        "activity_id": row.activity_id,
        "title": str(translated_text(row.title, row.activity_translations, "title", lang)),
        "organization": {"id": row.organisation_id, "slug": row.organisation_slug,
                         "name": str(translated_text(row.organisation_name,
                                                     row.organisation_translations,
                                                     "name", lang))},
        "starts_at": isoformat_local(row.starts_at),
        "ends_at": isoformat_local(row.ends_at),
        "status": row.status,
        "cancel_reason": said(row.cancel_reason) if is_cancelled(row.status) else None,
        "place": place(row, lang),
        "focus_areas": tags.focus_areas,
        "target_groups": tags.target_groups,
        "languages": language_list(row.language_codes),
        "registration_required": row.registration_required,
        "capacity": (effective_capacity(row.capacity, row.default_capacity)
                     if row.registration_required else None),
        "seats_left": seats_left(row.capacity, row.default_capacity,
                                 row.registration_required, row.confirmed_count),
        "url": url_of(row.id),
    }
    if distance_km is not None:
        body["distance_km"] = round(distance_km, 2)
    return body


def occurrence_url():
    """The address of a date's page, by its id."""
    return url_of_id("activities.occurrence", "occurrence_id")


def schedule_entry(entry):
    """One use of a room in a week (bookings.schedule.Entry): names and ids only where
    the organisation is public, as on the week page."""
    return {
        "starts_at": isoformat_local(entry.starts_at),
        "ends_at": isoformat_local(entry.ends_at),
        "status": entry.status,
        "organization": entry.organisation,
        "title": str(entry.title) if entry.title else None,
        "activity_id": entry.activity_id,
        "occurrence_id": entry.occurrence_id,
        "overlaps": entry.overlaps,
        "outside_opening_hours": entry.outside_hours,
    }


def venue_week(venue, week, days, grid, closures, previous, following):
    """A venue's rooms and their uses in one ISO week, with links to the weeks around."""
    def link(label):
        return url_for("api.venue_schedule", slug=venue.slug, week=label, _external=True)
    rooms = []
    for room in venue.rooms:
        closed = [{"date": day.isoformat(), "reason": closure.reason or None}
                  for day, closure in zip(days, closures.get(room.id, ())) if closure]
        rooms.append({"id": room.id, "name": room.name, "closures": closed,
                      "entries": [schedule_entry(e) for entries in grid[room.id]
                                  for e in entries]})
    return {"venue": venue.slug, "venue_name": str(venue.translated("name")), "week": week,
            "starts_on": days[0].isoformat(), "ends_on": days[-1].isoformat(),
            "rooms": rooms,
            "links": {"self": link(week), "previous": link(previous), "next": link(following)}}


def page_envelope(page, contents):
    """The HSDS paging envelope around one page of a list (common.listing.ListResult),
    with the list's notices when there are any. A list of dates counts only so far past
    the page: then `total_items` is a lower bound, `total_items_exact` is false, and
    `total_pages` the pages known so far (never the last one)."""
    total_pages = max(1, page.pages) if page.total else 0
    body = {
        "total_items": page.total,
        "total_pages": total_pages,
        "page_number": page.page,
        "size": page.per_page,
        "first_page": page.page == 1,
        "last_page": page.page >= total_pages and page.counted_all,
        "empty": not contents,
        "contents": contents,
    }
    if not page.counted_all:
        body["total_items_exact"] = False
    if page.notices:
        body["notices"] = [str(n) for n in page.notices]
    return body
