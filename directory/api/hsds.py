"""HSDS 3.0 objects (Open Referral's Human Services Data Specification) as plain dicts:
organisations, activities as services with weekly schedules, meeting places and
activities' own places as locations, focus areas and target groups as taxonomy terms.

Ids are the rows' `uuid` columns. Objects that have no row of their own (a service's
schedule, a service at a location, an address, a phone) take a UUID derived from their
owners' UUIDs (uuid5), so they are as stable as those. A value we do not have is left
out, never null: the schema allows no nulls.
"""

import uuid

from flask import url_for
from flask_babel import gettext as _

from ..activities.published import activity_venues, has_own_place
from ..common.templating import language_name
from ..common.time import isoformat_local, to_local

HSDS_VERSION = "3.0"
HSDS_PROFILE = "https://openreferral.org/imports/hsds/"
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# The two taxonomies of the register; their ids never change.
FOCUS_TAXONOMY_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "samverkan:taxonomy:focus_area"))
TARGET_TAXONOMY_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "samverkan:taxonomy:target_group"))


def derived_id(owner_uuid, *parts):
    """A stable UUID for something that has no row: from its owners' UUIDs and a name."""
    return str(uuid.uuid5(uuid.UUID(owner_uuid), ":".join(parts)))


def _present(body):
    """The dict without the values we do not have (None, empty text)."""
    return {k: v for k, v in body.items() if v is not None and v != ""}


def _phone(owner_uuid, number, **owner):
    if not number:
        return []
    return [{"id": derived_id(owner_uuid, "phone"), "number": number, **owner}]


def _names(owner):
    """An HSDS name in the reader's language, and, when that is a translation, the
    Swedish original as its alternate name."""
    name = owner.translated("name")
    return {"name": str(name),
            "alternate_name": owner.name if name.lang != owner.ORIGINAL_LANG else None}


def organization(org, distance_km=None):
    """An organisation as an HSDS organization (with our `slug` beside it)."""
    body = _present({
        "id": org.uuid,
        **_names(org),
        "description": str(org.translated("description")) or org.name,
        "email": org.email,
        "website": org.public_website,
        "uri": url_for("activities.organisation", slug=org.slug, _external=True),
        "slug": org.slug,
    })
    body["phones"] = _phone(org.uuid, org.phone, organization_id=org.uuid)
    if org.org_number:
        body["organization_identifiers"] = [{
            "id": derived_id(org.uuid, "organisationsnummer"),
            "organization_id": org.uuid, "identifier_scheme": "SE-ON",
            "identifier_type": "organisationsnummer",
            "identifier": org.org_number}]
    if distance_km is not None:
        body["distance_km"] = round(distance_km, 2)
    return body


def schedule(activity, location_uuid=None):
    """The activity's schedule as one HSDS schedule: a weekly rule (freq, interval,
    byday, until or count, never both) or one date (valid_from = valid_to), with the
    Stockholm wall-clock times as HH:MM."""
    plan = activity.schedule
    body = {"id": derived_id(activity.uuid, "schedule", location_uuid or ""),
            "service_id": activity.uuid,
            "dtstart": plan.starts_on.isoformat(),
            "valid_from": plan.starts_on.isoformat(),
            "opens_at": plan.start_time.strftime("%H:%M"),
            "closes_at": plan.end_time.strftime("%H:%M"),
            "attending_type": "in_person"}
    if location_uuid:
        body["location_id"] = location_uuid
    until = plan.until
    if activity.status == "ended" and activity.ended_at is not None:
        ended_on = to_local(activity.ended_at).date()
        until = min(until, ended_on) if until else ended_on
    if plan.recurrence != "weekly":
        body["valid_to"] = plan.starts_on.isoformat()
        return body
    body.update(freq="WEEKLY", interval=plan.interval, wkst="MO",
                byday=",".join(WEEKDAYS[d] for d in sorted(plan.weekdays
                                                           or (plan.starts_on.weekday(),))))
    if until:
        body["until"] = body["valid_to"] = until.isoformat()
    elif plan.count:
        body["count"] = plan.count
    return body


def _languages(activity):
    return [{"id": derived_id(activity.uuid, "language", code), "service_id": activity.uuid,
             "name": str(language_name(code)), "code": code}
            for code in activity.languages]


def _term_attributes(owner_uuid, link_entity, terms):
    return [{"id": derived_id(owner_uuid, "attribute", term.uuid), "link_id": owner_uuid,
             "link_entity": link_entity, "link_type": kind,
             "taxonomy_term_id": term.uuid, "value": term.slug, "label": term.label()}
            for kind, group in terms for term in group]


def service(activity, venues=(), own_place=False):
    """A public activity as an HSDS service: its organisation, schedule, languages, the
    locations its dates are in (meeting places, and its own place when it has one),
    focus areas and target groups as taxonomy term attributes."""
    org = activity.organisation
    locations = [venue_location(v) for v in venues]
    if own_place:
        locations.append(own_location(activity))
    body = _present({
        "id": activity.uuid,
        "organization_id": org.uuid,
        "name": str(activity.translated("title")),
        "description": str(activity.translated("description")),
        "url": url_for("activities.activity", activity_id=activity.id, _external=True),
        "email": org.email,
        "status": "active" if activity.status == "active" else "inactive",
        "fees_description": activity.cost or _("Free"),
        "last_modified": isoformat_local(activity.updated_at),
    })
    body["languages"] = _languages(activity)
    body["schedules"] = [schedule(activity)]
    body["service_at_locations"] = [service_at_location(activity, loc) for loc in locations]
    body["organization"] = {"id": org.uuid, "name": str(org.translated("name")),
                            "description": str(org.translated("description")) or org.name}
    body["attributes"] = _term_attributes(
        activity.uuid, "service",
        (("focus_area", activity.focus_areas), ("target_group", activity.target_groups)))
    body["activity_id"] = activity.id
    return body


def services_with_places(activities):
    """HSDS services of these activities, each with the places its dates are in."""
    places = activity_venues([a.id for a in activities])
    return [service(a, places[a.id], has_own_place(a)) for a in activities]


def service_at_location(activity, location):
    """The activity at one location, with the schedule it keeps there."""
    return {"id": derived_id(activity.uuid, "at", location["id"]),
            "service_id": activity.uuid, "location_id": location["id"],
            "schedules": [schedule(activity, location["id"])], "location": location}


def _address(location_uuid, street, postal_code, city, municipality):
    if not (street and city):
        return []
    return [{"id": derived_id(location_uuid, "address"), "location_id": location_uuid,
             "address_1": street, "city": city, "postal_code": postal_code or "",
             "region": municipality.name if municipality else "",
             "state_province": municipality.county if municipality else "",
             "country": "SE", "address_type": "physical"}]


def venue_location(venue):
    """A meeting place as an HSDS location (with our `slug` beside it)."""
    body = _present({
        "id": venue.uuid, "location_type": "physical", **_names(venue),
        "description": str(venue.translated("description")),
        "url": url_for("activities.venue", slug=venue.slug, _external=True),
        "organization_id": (venue.operator_organisation.uuid
                            if venue.operator_organisation is not None
                            and venue.operator_organisation.is_public else None),
        "latitude": venue.latitude, "longitude": venue.longitude, "slug": venue.slug,
    })
    body["addresses"] = _address(venue.uuid, venue.street_address, venue.postal_code,
                                 venue.city, venue.municipality)
    body["phones"] = _phone(venue.uuid, venue.phone, location_id=venue.uuid)
    if venue.accessibility:
        body["accessibility"] = [{"id": derived_id(venue.uuid, "accessibility"),
                                  "location_id": venue.uuid,
                                  "description": venue.accessibility}]
    return body


def own_location(activity):
    """An activity's own address as an HSDS location; its id is the activity's UUID."""
    body = _present({
        "id": activity.uuid, "location_type": "physical",
        "name": str(activity.translated("title")),
        "organization_id": activity.organisation.uuid,
        "latitude": activity.latitude, "longitude": activity.longitude,
    })
    body["addresses"] = _address(activity.uuid, activity.street_address,
                                 activity.postal_code, activity.city, activity.municipality)
    return body


def location(item):
    """A Venue or an Activity's own place (activities.published.location_page)."""
    return venue_location(item) if hasattr(item, "rooms") else own_location(item)


def taxonomies():
    """The register's two taxonomies: focus areas and target groups."""
    return [{"id": FOCUS_TAXONOMY_ID, "name": _("Focus areas"),
             "description": _("The focus areas of the local agreement.")},
            {"id": TARGET_TAXONOMY_ID, "name": _("Target groups"),
             "description": _("Who an activity is for.")}]


def taxonomy_term(term, kind):
    """A focus area (`kind` "focus_area") or target group as an HSDS taxonomy term."""
    taxonomy_id = FOCUS_TAXONOMY_ID if kind == "focus_area" else TARGET_TAXONOMY_ID
    return {"id": term.uuid, "code": term.slug, "name": term.label(),
            "description": term.label(), "taxonomy": kind, "taxonomy_id": taxonomy_id}


def root(openapi_url):
    """The HSDS API root."""
    return {"version": HSDS_VERSION, "profile": HSDS_PROFILE, "openapi_url": openapi_url}
