"""Plain dicts of the API's objects, with the fields PRODUCT.md names."""

from flask import url_for

from ..common.i18n import said
from ..common.time import isoformat_local, to_local


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


def place(occurrence):
    activity = occurrence.activity
    room = occurrence.room  # where the date is; never guessed from the activity
    if room is not None:
        venue = room.venue
        return {"venue": venue.slug, "venue_name": str(venue.translated("name")),
                "room": room.name,
                "address": venue.address_line, "latitude": venue.latitude,
                "longitude": venue.longitude}
    address = ", ".join(p for p in (activity.street_address,
                                    " ".join(p for p in (activity.postal_code, activity.city)
                                             if p)) if p)
    return {"venue": None, "venue_name": None, "room": None, "address": address or None,
            "latitude": activity.latitude, "longitude": activity.longitude}


def occurrence(occ, distance_km=None):
    activity = occ.activity
    org = activity.organisation
    body = {
        "id": occ.id,
        "activity_id": activity.id,
        "title": str(activity.translated("title")),
        "organization": {"id": org.id, "slug": org.slug,
                         "name": str(org.translated("name"))},
        "starts_at": isoformat_local(occ.starts_at),
        "ends_at": isoformat_local(occ.ends_at),
        "status": occ.status,
        "cancel_reason": said(occ.cancel_reason) if occ.is_cancelled else None,
        "place": place(occ),
        "focus_areas": [fa.slug for fa in activity.focus_areas],
        "target_groups": [tg.slug for tg in activity.target_groups],
        "languages": activity.languages,
        "registration_required": activity.registration_required,
        "capacity": occ.effective_capacity if activity.registration_required else None,
        "seats_left": occ.seats_left,
        "url": url_for("activities.occurrence", occurrence_id=occ.id, _external=True),
    }
    if distance_km is not None:
        body["distance_km"] = round(distance_km, 2)
    return body


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
