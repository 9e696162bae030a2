"""The public pages as a newcomer sees them."""

from directory.activities.models import Occurrence
from directory.extensions import db


def test_home_lists_coming_activities(client, factories):
    factories.activity(title="Läxhjälp")
    page = client.get("/")
    assert page.status_code == 200
    assert "Läxhjälp" in page.get_data(as_text=True)


def test_search_ignores_case_and_handles_swedish_letters(client, factories):
    factories.activity(title="Läxhjälp")
    factories.activity(title="Fotboll för unga")
    body = client.get("/activities?q=LÄXHJÄLP").get_data(as_text=True)
    assert "Läxhjälp" in body
    assert "Fotboll för unga" not in body
    assert "Läxhjälp" in client.get("/activities?q=läxhjälp").get_data(as_text=True)


def test_only_verified_organisations_are_public(client, factories):
    pending = factories.organisation(name="Ny förening", status="pending")
    factories.activity(pending, title="Hemlig aktivitet")
    assert client.get(f"/organisations/{pending.slug}").status_code == 404
    assert "Hemlig aktivitet" not in client.get("/activities").get_data(as_text=True)
    assert "Ny förening" not in client.get("/organisations").get_data(as_text=True)


def test_filters_by_focus_target_and_language(client, factories):
    factories.activity(title="Jobbcoachning", focus=["arbete"], targets=["vuxna"],
                       languages=["sv", "en"])
    factories.activity(title="Sagostund", focus=["barn-och-unga"], targets=["barn"],
                       languages=["sv", "uk"])
    body = client.get("/activities?focus=arbete").get_data(as_text=True)
    assert "Jobbcoachning" in body and "Sagostund" not in body
    body = client.get("/activities?target=barn").get_data(as_text=True)
    assert "Sagostund" in body and "Jobbcoachning" not in body
    body = client.get("/activities?lang=uk").get_data(as_text=True)
    assert "Sagostund" in body and "Jobbcoachning" not in body


def test_cancelled_date_stays_visible_as_cancelled(client, factories):
    activity = factories.activity()
    occ = db.session.scalars(db.select(Occurrence).where(
        Occurrence.activity_id == activity.id).order_by(Occurrence.starts_at.desc())).first()
    occ.status = "cancelled"
    occ.cancel_reason = "Höstlov"
    db.session.commit()
    body = client.get(f"/occurrences/{occ.id}").get_data(as_text=True)
    assert "Höstlov" in body


def test_venue_page_shows_rooms_and_hours(client, factories):
    venue = factories.venue(rooms=[("Barnrummet", 15), ("Köket", 12)])
    body = client.get(f"/venues/{venue.slug}").get_data(as_text=True)
    assert "Barnrummet" in body and "Köket" in body
    assert client.get("/venues").status_code == 200


def test_unknown_slugs_give_a_friendly_404_in_the_users_language(client):
    page = client.get("/organisations/finns-inte", headers={"Accept-Language": "sv"})
    assert page.status_code == 404
    assert "Sidan finns inte" in page.get_data(as_text=True)
    page = client.get("/venues/finns-inte?lang=en")
    assert page.status_code == 404 and "Page not found" in page.get_data(as_text=True)
    assert client.get("/activities/999999").status_code == 404


def test_junk_parameters_never_give_a_500(client, factories):
    factories.activity()
    for query in ("from=notadate", "page=-1", "per_page=100000", "focus=999999", "lang=xx",
                  "to=2026-13-45", "radius_km=abc", "page=abc&per_page=-5", "q=" + "x" * 5000,
                  "kommun=nowhere", "venue=nowhere", "org=nowhere", "q=%25_%5C"):
        for path in ("/activities", "/organisations", "/api/v1/occurrences",
                     "/api/v1/organizations"):
            assert client.get(f"{path}?{query}").status_code == 200, (path, query)


def test_bad_date_is_explained(client, factories):
    body = client.get("/activities?from=notadate&lang=en").get_data(as_text=True)
    assert "was not understood" in body


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


def test_kommun_and_venue_filters(client, factories):
    goteborg = factories.municipality("goteborg")
    org = factories.organisation(name="Gårdstens förening", municipality=goteborg)
    factories.activity(org, title="Språkcafé Gårdsten", municipality=goteborg)
    venue = factories.venue()
    factories.activity(title="Barnkul på Kemistvägen", room=venue.rooms[0])
    body = client.get("/activities?kommun=goteborg").get_data(as_text=True)
    assert "Språkcafé Gårdsten" in body and "Barnkul på Kemistvägen" not in body
    body = client.get("/activities?venue=kemistvagen").get_data(as_text=True)
    assert "Barnkul på Kemistvägen" in body and "Språkcafé Gårdsten" not in body
    body = client.get("/organisations?kommun=goteborg").get_data(as_text=True)
    assert "Gårdstens förening" in body


def test_organisation_filters_by_language_and_search(client, factories):
    factories.organisation(name="Ukrainska huset", languages=["uk", "sv"])
    factories.organisation(name="Somaliska föräldraföreningen", languages=["so", "sv"])
    body = client.get("/organisations?lang=uk").get_data(as_text=True)
    assert "Ukrainska huset" in body and "Somaliska" not in body
    body = client.get("/organisations?q=SOMALISKA").get_data(as_text=True)
    assert "Somaliska föräldraföreningen" in body and "Ukrainska huset" not in body


def test_activities_are_grouped_by_day_and_paginated(client, factories):
    factories.activity(title="Läxhjälp")
    first = client.get("/activities?per_page=3").get_data(as_text=True)
    assert first.count('class="day-heading"') == 3
    assert 'rel="next"' in first
    second = client.get("/activities?per_page=3&page=2").get_data(as_text=True)
    assert 'rel="prev"' in second
