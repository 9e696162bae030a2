"""Every route × every role has an expected answer; a route without an entry fails.

Roles: anonymous, a member of organisation A, a member of organisation B, a county-wide
coordinator (staff), a coordinator of the municipality where everything is (Täby:
staff_here), a coordinator of another municipality (Göteborg: staff_elsewhere) and a
partner. Another organisation's or municipality's objects answer 404, not 403.
"""

import pytest

from directory.common.time import utcnow
from directory.extensions import db
from directory.organisations.models import ImportRun


ROLES = ("anonymous", "member_a", "member_b", "staff", "staff_here", "staff_elsewhere",
         "partner")
ALL = dict.fromkeys(ROLES)


def everyone(status):
    return {role: status for role in ROLES}


def logged_in(status, anonymous=302):
    return {**everyone(status), "anonymous": anonymous}


STAFF_ONLY = {"anonymous": 302, "member_a": 404, "member_b": 404, "staff": 200,
              "staff_here": 200, "staff_elsewhere": 200, "partner": 404}
# What belongs to Täby (organisation A and B, the meeting place, its rooms and requests):
# coordinators of another municipality get 404.
IN_TABY = {**STAFF_ONLY, "staff_elsewhere": 404}
# Things of the whole installation: county-wide coordinators only.
COUNTY_ONLY = {**STAFF_ONLY, "staff_here": 404, "staff_elsewhere": 404}


def own_org(status):
    """Members of organisation A and coordinators of its municipality; B's members,
    other municipalities' coordinators and partners get 404."""
    return {"anonymous": 302, "member_a": status, "member_b": 404, "staff": status,
            "staff_here": status, "staff_elsewhere": 404, "partner": 404}


def staff_in_taby(status):
    return {**IN_TABY, "staff": status, "staff_here": status}


OWN_ORG = own_org(200)

# endpoint → (method, path template, expected status per role)
MATRIX = {
    "static": ("GET", "/static/css/site.css", everyone(200)),
    "public.index": ("GET", "/", everyone(200)),
    "organisations.organisations": ("GET", "/organisations", everyone(200)),
    "activities.organisation": ("GET", "/organisations/{org_a}", everyone(200)),
    "activities.activities": ("GET", "/activities", everyone(200)),
    "activities.activity": ("GET", "/activities/{activity_a}", everyone(200)),
    "activities.occurrence": ("GET", "/occurrences/{occurrence_a}", everyone(200)),
    "venues.venues": ("GET", "/venues", everyone(200)),
    "activities.venue": ("GET", "/venues/{venue}", everyone(200)),
    "public.set_language": ("GET", "/language/en?next=/", everyone(303)),
    "public.healthz": ("GET", "/healthz", everyone(200)),
    "public.accessibility": ("GET", "/accessibility", everyone(200)),
    "public.privacy": ("GET", "/privacy", everyone(200)),
    "public.contact": ("GET", "/contact", everyone(200)),
    "api.organizations": ("GET", "/api/v1/organizations", everyone(200)),
    "api.organization": ("GET", "/api/v1/organizations/{org_a}", everyone(200)),
    "api.occurrences": ("GET", "/api/v1/occurrences", everyone(200)),
    "api.root": ("GET", "/api/v1/", everyone(200)),
    "api.services": ("GET", "/api/v1/services", everyone(200)),
    "api.service": ("GET", "/api/v1/services/{activity_a_uuid}", everyone(200)),
    "api.service_at_locations": ("GET", "/api/v1/service_at_locations", everyone(200)),
    "api.locations": ("GET", "/api/v1/locations", everyone(200)),
    "api.location": ("GET", "/api/v1/locations/{venue_uuid}", everyone(200)),
    "api.taxonomies": ("GET", "/api/v1/taxonomies", everyone(200)),
    "api.taxonomy_terms": ("GET", "/api/v1/taxonomy_terms", everyone(200)),
    "api.data_catalog": ("GET", "/api/v1/catalog.jsonld", everyone(200)),
    "api.openapi_document": ("GET", "/api/v1/openapi.json", everyone(200)),
    "api.docs": ("GET", "/api/v1/docs", everyone(200)),
    "api.occurrence": ("GET", "/api/v1/occurrences/{occurrence_a}", everyone(200)),
    "api.venue_schedule": ("GET", "/api/v1/venues/{venue}/schedule?week=2026-W48",
                           everyone(200)),
    "accounts.login": ("GET", "/login", everyone(200)),
    "accounts.logout": ("POST", "/logout", everyone(303)),
    "accounts.home": ("GET", "/account", logged_in(200)),
    "accounts.end_sessions": ("POST", "/account/sessions/end", logged_in(303)),
    "staff.account_access": ("POST", "/staff/users/{user_b_id}/deactivate",
                             staff_in_taby(303)),
    "accounts.password": ("GET", "/account/password/not-a-token", everyone(404)),
    "calendars.organisation_calendar": ("GET", "/organisations/{org_a}/calendar.ics",
                                        everyone(200)),
    "calendars.venue_calendar": ("GET", "/venues/{venue}/calendar.ics", everyone(200)),
    "calendars.activity_calendar": ("GET", "/activities/{activity_a}/calendar.ics",
                                    everyone(200)),
    "calendars.search_calendar": ("GET", "/activities/calendar.ics?focus=arbete",
                                  everyone(200)),
    "calendars.occurrence_calendar": ("GET", "/occurrences/{occurrence_a}.ics",
                                      everyone(200)),
    "organisations.register": ("GET", "/organisations/register", everyone(200)),
    "organisations.edit": ("GET", "/manage/organisations/{org_a}", own_org(200)),
    "staff.organisations": ("GET", "/staff/organisations", STAFF_ONLY),
    "staff.audit": ("GET", "/staff/audit", STAFF_ONLY),
    "activities.organisation_activities": ("GET", "/manage/organisations/{org_a}/activities",
                                           OWN_ORG),
    "activities.new_activity": ("GET", "/manage/organisations/{org_a}/activities/new",
                                OWN_ORG),
    "activities.edit_activity": ("GET", "/manage/activities/{activity_a}", OWN_ORG),
    "activities.dates": ("GET", "/manage/activities/{activity_a}/dates", OWN_ORG),
    "activities.end": ("POST", "/manage/activities/{activity_end}/end", own_org(303)),
    "activities.cancel_date": ("POST", "/manage/occurrences/{future_a}/cancel", own_org(422)),
    "activities.move_date": ("POST", "/manage/occurrences/{future_a}/move", own_org(422)),
    "activities.restore_date": ("POST", "/manage/occurrences/{future_a}/restore",
                                own_org(422)),
    "organisations.members": ("GET", "/manage/organisations/{org_a}/members", OWN_ORG),
    # A's member is its only owner: removing, demoting or leaving is refused (422),
    # so nothing changes for the routes after these.
    "organisations.remove": ("POST", "/manage/organisations/{org_a}/members/"
                             "{membership_a}/remove", own_org(422)),
    "organisations.member_role": ("POST", "/manage/organisations/{org_a}/members/"
                                  "{membership_a}/role", own_org(422)),
    "organisations.transfer": ("POST", "/manage/organisations/{org_a}/members/"
                               "{membership_a}/transfer", own_org(422)),
    "organisations.leave": ("POST", "/manage/organisations/{org_a}/leave",
                            {**own_org(404), "member_a": 422}),
    "organisations.confirm": ("POST", "/manage/organisations/{org_a}/confirm", own_org(303)),
    "accounts.reset": ("GET", "/account/reset", everyone(200)),
    "staff.users": ("GET", "/staff/users", STAFF_ONLY),
    "staff.password_link": ("POST", "/staff/users/{user_b_id}/password-link", IN_TABY),
    "taxonomy.terms": ("GET", "/staff/terms", COUNTY_ONLY),
    "calendars.partners": ("GET", "/staff/partners", COUNTY_ONLY),
    "calendars.partner": ("GET", "/staff/partners/{partner_id}", COUNTY_ONLY),
    "calendars.partner_feed_action": ("POST", "/staff/feeds/{feed_id}/rotate", COUNTY_ONLY),
    "taxonomy.municipalities": ("GET", "/staff/municipalities", COUNTY_ONLY),
    # Täby is already enabled: nothing changes.
    "taxonomy.municipality_action": ("POST", "/staff/municipalities/0160/enable",
                                     {**COUNTY_ONLY, "staff": 303}),
    # B's member is no coordinator: refused (422), nothing changes.
    "staff.coordinator_municipality": ("POST", "/staff/users/{user_b_id}/municipality",
                                       {**COUNTY_ONLY, "staff": 422}),
    "calendars.partner_calendar": ("GET", "/feeds/{feed_token}.ics", everyone(200)),
    # A partner's own page: its accounts only; every other account 404.
    "calendars.partner_home": ("GET", "/partner", {**everyone(404), "anonymous": 302,
                                                   "partner": 200}),
    "calendars.rotate_own_feed": ("POST", "/partner/feeds/{feed_id}/rotate",
                                  {**everyone(404), "anonymous": 302, "partner": 303}),
    "signups.signup": ("GET", "/occurrences/{signup_occurrence}/signup", everyone(200)),
    "signups.mine": ("GET", "/signups/{signup_token}", everyone(200)),
    "signups.cancel": ("POST", "/signups/{signup_token}/cancel", everyone(303)),
    "signups.reminders": ("POST", "/signups/{signup_token}/reminders", everyone(303)),
    "signups.resend": ("POST", "/occurrences/{signup_occurrence}/resend", everyone(303)),
    "signups.sent": ("GET", "/occurrences/{signup_occurrence}/signup/sent", everyone(200)),
    "signups.delete": ("POST", "/signups/{signup_token}/delete", everyone(303)),
    "signups.roster": ("GET", "/manage/occurrences/{signup_occurrence}/signups", OWN_ORG),
    "signups.roster_csv": ("GET", "/manage/occurrences/{signup_occurrence}/signups.csv",
                           OWN_ORG),
    "api.create_signup": ("POST", "/api/v1/occurrences/{signup_occurrence}/signups",
                          everyone(400)),
    "bookings.schedule": ("GET", "/venues/{venue}/schedule?week=2026-W48", everyone(200)),
    "bookings.request_room": ("GET", "/manage/organisations/{org_a}/bookings", OWN_ORG),
    "bookings.cancel": ("POST", "/manage/bookings/{booking_a}/cancel", own_org(303)),
    "bookings.cancel_whole_series": ("POST", "/manage/bookings/series/{series_a}/cancel",
                                     own_org(303)),
    "bookings.change_whole_series": ("POST", "/manage/bookings/series/{series_a}/change",
                                     own_org(422)),
    "bookings.queue": ("GET", "/staff/bookings", STAFF_ONLY),
    "bookings.all_venues": ("GET", "/staff/schedule?week=2026-W48", STAFF_ONLY),
    "bookings.decide": ("POST", "/staff/bookings/{booking_a}/reject", staff_in_taby(303)),
    "venues.admin_venues": ("GET", "/staff/venues", STAFF_ONLY),
    "staff.offer_map": ("GET", "/staff/map", STAFF_ONLY),
    "staff.follow_up": ("GET", "/staff/follow-up", STAFF_ONLY),
    "staff.messages": ("GET", "/staff/messages", STAFF_ONLY),
    "staff.follow_up_export": ("GET", "/staff/follow-up/focus.xlsx?period=year",
                               STAFF_ONLY),
    "staff.register_export": ("GET", "/staff/register/organisations.csv", STAFF_ONLY),
    "organisations.staff_import": ("GET", "/staff/import", STAFF_ONLY),
    # An import run is its uploader's (the county-wide coordinator's) alone; it has no
    # rows, so confirming it imports nothing.
    "organisations.import_run": ("GET", "/staff/import/{import_run}",
                                 {**STAFF_ONLY, "staff_here": 404, "staff_elsewhere": 404}),
    "organisations.confirm_import": ("POST", "/staff/import/{import_run}/confirm",
                                     {**STAFF_ONLY, "staff": 303, "staff_here": 404,
                                      "staff_elsewhere": 404}),
    "venues.admin_venue": ("GET", "/staff/venues/{venue}", IN_TABY),
    "venues.add_room": ("POST", "/staff/venues/{venue}/rooms", staff_in_taby(422)),
    "venues.admin_room": ("GET", "/staff/rooms/{room_id}", IN_TABY),
    "venues.venue_hours": ("POST", "/staff/venues/{venue}/hours", staff_in_taby(422)),
    "venues.venue_closures": ("POST", "/staff/venues/{venue}/closures", staff_in_taby(422)),
    "staff.decide_organisation": ("POST", "/staff/organisations/{org_b_id}/verified",
                                  staff_in_taby(303)),
    "staff.extend_organisation": ("POST", "/staff/organisations/{org_b_id}/extend",
                                  staff_in_taby(303)),
}


@pytest.fixture
def world(app, factories):
    venue = factories.venue()
    org_a = factories.organisation(name="Förening A")
    org_b = factories.organisation(name="Förening B")
    activity_a = factories.activity(org_a)
    activity_end = factories.activity(org_a, title="Slutar snart")
    future_a = next(o for o in activity_a.occurrences if o.starts_at > utcnow())
    with_signup = factories.activity(org_a, title="Läxhjälp", registration_required=True,
                                     default_capacity=8)
    signup_occurrence = next(o for o in with_signup.occurrences if o.starts_at > utcnow())
    _, signup_token = factories.signup(signup_occurrence)
    user_a = factories.user(email="a@example.se", organisation=org_a)
    user_b = factories.user(email="b@example.se", organisation=org_b)
    staff = factories.user(email="staff@example.se", role="staff")
    import_run = ImportRun(user_id=staff.id, filename="tom.csv", rows=[])
    db.session.add(import_run)
    db.session.commit()
    factories.user(email="taby@example.se", role="staff", municipality=org_a.municipality)
    factories.user(email="gbg@example.se", role="staff",
                   municipality=factories.municipality("goteborg"))
    partner = factories.partner("Arbetsförmedlingen")
    feed, token = factories.feed(partner, "Arbete", {"focus": ["arbete"]})
    booking_a = factories.booking(venue.rooms[0], org_a, starts_at=future_a.starts_at,
                                  ends_at=future_a.ends_at, series_key="series-a")
    factories.user(email="partner@example.se", role="partner", partner=partner)
    return {"org_a": org_a.slug, "org_b": org_b.slug, "org_b_id": org_b.id,
            "partner_id": partner.id, "feed_id": feed.id, "feed_token": token, "signup_occurrence": signup_occurrence.id,
            "signup_token": signup_token, "booking_a": booking_a.id, "series_a": "series-a",
            "room_id": venue.rooms[0].id, "user_b_id": user_b.id,
            "membership_a": user_a.memberships[0].id, "venue": venue.slug,
            "activity_a": activity_a.id, "activity_end": activity_end.id,
            "activity_a_uuid": activity_a.uuid, "venue_uuid": venue.uuid,
            "future_a": future_a.id, "import_run": import_run.id,
            "occurrence_a": activity_a.occurrences.first().id}


USERS = {"member_a": "a@example.se", "member_b": "b@example.se",
         "staff": "staff@example.se", "staff_here": "taby@example.se",
         "staff_elsewhere": "gbg@example.se", "partner": "partner@example.se"}


def test_every_route_has_an_entry(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = endpoints - set(MATRIX)
    assert not missing, f"routes without an authorization entry: {sorted(missing)}"
    stale = set(MATRIX) - endpoints
    assert not stale, f"entries for routes that no longer exist: {sorted(stale)}"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_answer(app, client, world, role, auth):
    if role != "anonymous":
        assert auth.login(USERS[role]).status_code == 303
    wrong = []
    # Every read first, then the changes (rotating a feed, logging out, cancelling …), so
    # no answer depends on what another route changed before it.
    for endpoint, (method, template, expected) in sorted(
            MATRIX.items(), key=lambda item: (item[1][0] not in ("GET", "HEAD"), item[0])):
        path = template.format(**world)
        response = client.open(path, method=method)
        if response.status_code != expected[role]:
            wrong.append(f"{method} {path}: {response.status_code}, expected {expected[role]}")
        if endpoint == "accounts.logout" and role != "anonymous":
            assert auth.login(USERS[role]).status_code == 303
    db.session.rollback()
    assert not wrong, "\n".join(wrong)
