"""The read API v1 as a partner's program sees it."""

from directory.activities.models import Occurrence
from directory.common.time import utcnow
from directory.extensions import db

ENVELOPE = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page",
            "empty", "contents"}
ORG_FIELDS = {"id", "slug", "name", "description", "kind", "website", "email", "phone",
              "focus_areas", "languages", "status", "url"}
OCC_FIELDS = {"id", "activity_id", "title", "organization", "starts_at", "ends_at", "status",
              "place", "focus_areas", "target_groups", "languages", "registration_required",
              "capacity", "seats_left", "url"}


def test_organizations_list_uses_the_hsds_paging_envelope(client, factories):
    for i in range(3):
        factories.organisation(name=f"Förening {i}", focus=["arbete"])
    factories.organisation(name="Väntande", status="pending")
    body = client.get("/api/v1/organizations?per_page=2").get_json()
    assert ENVELOPE <= set(body)
    assert body["total_items"] == 3 and body["total_pages"] == 2
    assert body["page_number"] == 1 and body["size"] == 2
    assert body["first_page"] is True and body["last_page"] is False and not body["empty"]
    assert [o["name"] for o in body["contents"]] == ["Förening 0", "Förening 1"]
    assert ORG_FIELDS <= set(body["contents"][0])
    assert body["contents"][0]["focus_areas"] == ["arbete"]
    last = client.get("/api/v1/organizations?per_page=2&page=2").get_json()
    assert last["last_page"] is True and [o["name"] for o in last["contents"]] == ["Förening 2"]
    beyond = client.get("/api/v1/organizations?per_page=2&page=9").get_json()
    assert beyond["empty"] is True and beyond["contents"] == []


def test_organization_detail_and_unknown_slug(client, factories):
    org = factories.organisation(name="Läxhjälpen Gårdsten", website="https://example.se")
    body = client.get(f"/api/v1/organizations/{org.slug}").get_json()
    assert body["name"] == "Läxhjälpen Gårdsten" and body["slug"] == org.slug
    assert body["url"].endswith(f"/organisations/{org.slug}")
    missing = client.get("/api/v1/organizations/finns-inte")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"


def test_occurrences_have_every_field_with_the_stockholm_offset(client, factories):
    activity = factories.activity(registration_required=True, default_capacity=8,
                                  focus=["utbildning"], targets=["barn"])
    body = client.get("/api/v1/occurrences").get_json()
    now = utcnow()
    coming = [o for o in db.session.scalars(db.select(Occurrence)) if o.ends_at > now]
    assert body["total_items"] == len(coming) > 0
    first = body["contents"][0]
    assert OCC_FIELDS <= set(first)
    assert first["starts_at"][11:16] == "17:00"
    assert first["starts_at"][-6:] in ("+01:00", "+02:00")
    assert first["organization"]["slug"] == activity.organisation.slug
    assert first["capacity"] == 8 and first["seats_left"] == 8
    assert first["focus_areas"] == ["utbildning"] and first["target_groups"] == ["barn"]
    assert first["status"] == "scheduled"
    one = client.get(f"/api/v1/occurrences/{first['id']}").get_json()
    assert one["id"] == first["id"]
    assert client.get("/api/v1/occurrences/999999").status_code == 404


def test_occurrence_filters_from_to_and_org(client, factories):
    a = factories.activity(title="Läxhjälp")
    factories.activity(title="Fotboll")
    occs = db.session.scalars(db.select(Occurrence).where(
        Occurrence.activity_id == a.id).order_by(Occurrence.starts_at)).all()
    day = occs[3].starts_at.date().isoformat()
    body = client.get(f"/api/v1/occurrences?from={day}&to={day}&org={a.organisation.slug}")
    contents = body.get_json()["contents"]
    assert [c["id"] for c in contents] == [occs[3].id]
    body = client.get("/api/v1/occurrences?q=fotboll").get_json()
    assert {c["title"] for c in body["contents"]} == {"Fotboll"}


def test_an_org_filter_naming_an_organisation_not_shown_is_ignored_with_a_notice(
        client, factories):
    shown = factories.activity(title="Läxhjälp")
    pending = factories.organisation(name="Väntande", status="pending")
    every = client.get("/api/v1/occurrences?per_page=100").get_json()
    for slug in (pending.slug, "finns-inte"):
        body = client.get(f"/api/v1/occurrences?per_page=100&org={slug}").get_json()
        assert body["notices"] == [f"There is no organisation “{slug}”; it is ignored."]
        assert [c["id"] for c in body["contents"]] == [c["id"] for c in every["contents"]]
    body = client.get(f"/api/v1/occurrences?org={shown.organisation.slug}").get_json()
    assert "notices" not in body and body["total_items"] == every["total_items"] > 0


def test_per_page_is_clamped(client, factories):
    factories.activity()
    body = client.get("/api/v1/occurrences?per_page=100000&page=-1").get_json()
    assert body["size"] == 100 and body["page_number"] == 1


def test_api_errors_are_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    response = client.post("/api/v1/organizations")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
