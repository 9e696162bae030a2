"""Registering an organisation, review by a coordinator, and editing one's own."""

from directory.audit.models import AuditEvent
from directory.extensions import db
from directory.organisations.models import Organisation



def registration(**overrides):
    data = {"name": "Nya Språkvänner", "kind": "forening", "org_number": "802000-1908",
            "description": "Vi ordnar språkcafé varje vecka.", "municipality": "1",
            "website": "https://nya.example.se", "email": "info@nya.example.se",
            "phone": "070-123 45 67", "focus_areas": ["2"], "languages": ["sv", "ar"],
            "owner_name": "Amina", "owner_email": "amina@example.se",
            "password": "ett långt lösenord", "confirm": "ett långt lösenord"}
    data.update(overrides)
    return data


def test_register_review_and_publish(client, factories, auth):
    factories.municipality()
    response = client.post("/organisations/register", data=registration())
    assert response.status_code == 303
    org = db.session.scalar(db.select(Organisation).filter_by(name="Nya Språkvänner"))
    assert org.status == "pending" and org.org_number == "802000-1908"
    assert [m.user.email for m in org.memberships] == ["amina@example.se"]
    assert client.get(f"/organisations/{org.slug}").status_code == 404
    assert "Waiting for review" in client.get("/account").get_data(as_text=True)
    auth.logout()

    factories.user(email="staff@example.se", role="staff")
    auth.login("staff@example.se")
    queue = client.get("/staff/organisations").get_data(as_text=True)
    assert "Nya Språkvänner" in queue
    refused = client.post(f"/staff/organisations/{org.id}/rejected", data={"reason": ""})
    assert refused.status_code == 303
    db.session.refresh(org)
    assert org.status == "pending"  # a rejection needs a reason
    client.post(f"/staff/organisations/{org.id}/rejected",
                data={"reason": "Organisationsnumret hör till en annan förening."})
    db.session.refresh(org)
    assert org.status == "rejected"
    client.post(f"/staff/organisations/{org.id}/verified", data={"reason": ""})
    auth.logout()
    assert client.get(f"/organisations/{org.slug}").status_code == 200

    events = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["organisation.rejected", "organisation.verified"]
    assert events[0].before == {"status": "pending", "status_reason": None}
    assert events[1].after["status"] == "verified"
    auth.login("staff@example.se")
    log = client.get("/staff/audit?action=organisation.rejected").get_data(as_text=True)
    assert f"refused the registration of {org.name}" in log
    assert f"verified {org.name}" not in log


def test_bad_registration_keeps_what_was_typed_and_saves_nothing(client, factories):
    factories.municipality()
    bad = registration(org_number="802000-1907", phone="12", website="not a url",
                       email="nope", password="kort", confirm="kort", name="")
    response = client.post("/organisations/register", data=bad)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "not a valid organisation number" in body
    assert "not a phone number" in body
    assert "Write a whole web address" in body
    assert "not an e-mail address" in body
    assert "Write the organisation" in body
    assert 'value="802000-1907"' in body and 'value="Amina"' in body
    weak = client.post("/organisations/register", data=registration(password="kort",
                                                                   confirm="kort"))
    assert "at least 10 characters" in weak.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Organisation)) == 0
    from directory.accounts.models import User
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_members_edit_their_own_organisation_only(client, factories, auth):
    mine = factories.organisation(name="Min förening")
    theirs = factories.organisation(name="Deras förening")
    factories.user(email="a@example.se", organisation=mine)
    auth.login("a@example.se")
    form = client.get(f"/manage/organisations/{mine.slug}").get_data(as_text=True)
    assert 'value="Min förening"' in form
    data = {"name": "Min förening", "kind": "forening", "description": "Ny text.",
            "municipality": str(mine.municipality_id), "languages": ["sv", "so"],
            "description_ar": "نص جديد"}
    assert client.post(f"/manage/organisations/{mine.slug}", data=data).status_code == 303
    db.session.refresh(mine)
    assert mine.description == "Ny text." and mine.languages == ["sv", "so"]
    assert mine.translated("description", "ar").text == "نص جديد"
    response = client.post(f"/manage/organisations/{theirs.slug}",
                           data={**data, "name": "Kapad"})
    assert response.status_code == 404
    db.session.refresh(theirs)
    assert theirs.name == "Deras förening"


def test_coordinator_adds_a_focus_area_in_three_languages(client, factories, auth):
    factories.user(email="staff@example.se", role="staff")
    auth.login("staff@example.se")
    response = client.post("/staff/terms", data={"kind": "focus", "slug": "kultur",
                                                 "name": "Kultur", "name_en": "Culture",
                                                 "name_ar": "الثقافة"})
    assert response.status_code == 303
    assert "Culture" in client.get("/activities?lang=en").get_data(as_text=True)
    clash = client.post("/staff/terms", data={"kind": "focus", "slug": "kultur",
                                              "name": "Kultur igen"})
    assert clash.status_code == 422 and "taken" in clash.get_data(as_text=True)
    bad = client.post("/staff/terms", data={"kind": "target", "slug": "Äldre!",
                                            "name": "Äldre"})
    assert bad.status_code == 422 and 'value="Äldre!"' in bad.get_data(as_text=True)
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="term.create"))


def test_coordinator_renames_a_target_group(client, factories, auth):
    from directory.taxonomy.models import TargetGroup
    factories.user(email="staff@example.se", role="staff")
    auth.login("staff@example.se")
    group = db.session.scalar(db.select(TargetGroup).filter_by(slug="unga"))
    form = client.get(f"/staff/terms?kind=target&id={group.id}").get_data(as_text=True)
    assert 'value="Unga"' in form
    response = client.post(f"/staff/terms?kind=target&id={group.id}",
                           data={"kind": "target", "slug": "unga", "name": "Ungdomar",
                                 "name_en": "Young people", "name_ar": "الشباب"})
    assert response.status_code == 303
    db.session.refresh(group)
    assert group.name == "Ungdomar"
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="term.update"))
    assert event.before["name"] == "Unga" and event.after["name"] == "Ungdomar"
