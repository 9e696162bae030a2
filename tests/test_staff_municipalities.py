"""The county-wide coordinator's municipalities page (which ones are served, what belongs
to each, enabling and disabling) and the choice of a coordinator's municipality on the
accounts page; municipal coordinators get 404 and never widen a scope."""

import re

import pytest

from directory.accounts.models import User
from directory.accounts.services import AccountError
from directory.audit.models import AuditEvent
from directory.extensions import db
from directory.organisations.services import set_coordinator_municipality
from directory.taxonomy.models import Municipality



def by_code(code):
    return db.session.scalar(db.select(Municipality).filter_by(code=code))


def events(action):
    return db.session.scalars(db.select(AuditEvent).filter_by(action=action)).all()


def row(page, code):
    """The table row of one municipality, as text without tags."""
    found = re.search(rf'<tr id="m-{code}">(.*?)</tr>', page, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip() if found \
        else None


@pytest.fixture
def coordinators(factories):
    """A county-wide coordinator, one of Täby and one of Göteborg; an organisation and a
    meeting place in Täby."""
    taby, goteborg = factories.municipality("taby"), factories.municipality("goteborg")
    factories.organisation(name="Läxhjälpen", municipality=taby)
    factories.venue(municipality=taby)
    county = factories.user(email="lan@example.se", role="staff")
    here = factories.user(email="taby@example.se", role="staff", municipality=taby)
    elsewhere = factories.user(email="gbg@example.se", role="staff", municipality=goteborg)
    member = factories.user(email="medlem@example.se")
    db.session.commit()
    return {"county": county.id, "here": here.id, "elsewhere": elsewhere.id,
            "member": member.id, "taby": taby.id, "goteborg": goteborg.id}


# ------------------------------------------------------------------ municipalities page

def test_the_county_wide_coordinator_sees_every_municipality_by_county(client,
                                                                       coordinators, auth):
    auth.login("lan@example.se")
    assert 'href="/staff/municipalities"' in client.get("/account").get_data(as_text=True)
    page = client.get("/staff/municipalities").get_data(as_text=True)
    captions = re.findall(r"<caption>([^<]+)</caption>", page)
    assert len(captions) == 21 and captions[0] == "Stockholms län"
    assert row(page, "0160") == "0160 Täby Yes 1 1 Disable Täby"
    assert row(page, "1480") == "1480 Göteborg Yes 0 0 Disable Göteborg"
    assert row(page, "2584") == "2584 Kiruna No 0 0 Enable Kiruna"
    assert len(re.findall(r'<tr id="m-\d{4}">', page)) == 290
    stockholm = page.split("<caption>Stockholms län</caption>")[1].split("</table>")[0]
    assert 'id="m-0160"' in stockholm and 'id="m-1480"' not in stockholm
    assert '<th scope="row">Täby</th>' in page and '<th scope="col">Code</th>' in page


def test_the_filters_show_only_enabled_ones_or_one_county(client, coordinators, auth):
    auth.login("lan@example.se")
    page = client.get("/staff/municipalities?enabled=1").get_data(as_text=True)
    assert re.findall(r'<tr id="m-(\d{4})">', page) == ["0160", "1480"]
    assert re.findall(r"<caption>([^<]+)</caption>", page) == [
        "Stockholms län", "Västra Götalands län"]
    page = client.get("/staff/municipalities?county=14").get_data(as_text=True)
    assert re.findall(r"<caption>([^<]+)</caption>", page) == ["Västra Götalands län"]
    assert len(re.findall(r'<tr id="m-\d{4}">', page)) == 49
    assert '<option value="14" selected>' in page
    page = client.get("/staff/municipalities?county=14&enabled=1").get_data(as_text=True)
    assert re.findall(r'<tr id="m-(\d{4})">', page) == ["1480"]
    # Unknown filters are ignored.
    page = client.get("/staff/municipalities?county=99&enabled=x").get_data(as_text=True)
    assert len(re.findall(r'<tr id="m-\d{4}">', page)) == 290


def test_enabling_and_disabling_one_that_nothing_uses(client, coordinators, auth):
    auth.login("lan@example.se")
    answer = client.post("/staff/municipalities/1481/enable", data={"county": "14",
                                                                   "enabled": "1"})
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(
        "/staff/municipalities?enabled=1&county=14#m-1481")
    assert by_code("1481").enabled
    page = client.get("/staff/municipalities?county=14&enabled=1").get_data(as_text=True)
    assert "Mölndal: saved." in page
    assert re.findall(r'<tr id="m-(\d{4})">', page) == ["1480", "1481"]
    # Enabling twice changes nothing and audits nothing more.
    assert client.post("/staff/municipalities/1481/enable").status_code == 303
    [enabled] = events("municipality.enable")
    assert enabled.user_id == coordinators["county"] and enabled.after == {"enabled": True}
    assert client.post("/staff/municipalities/1480/disable").status_code == 303
    assert not by_code("1480").enabled
    [disabled] = events("municipality.disable")
    assert disabled.summary == "1480 Göteborg"


def test_one_still_in_use_is_not_disabled_and_the_page_says_why(client, coordinators, auth):
    auth.login("lan@example.se")
    answer = client.post("/staff/municipalities/0160/disable", data={"enabled": "1"})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    message = ("Täby (0160) still has organisations: 1, meeting places: 1. Move them to "
               "another municipality before disabling it.")
    assert f'<div class="notice" role="alert"><p>{message}</p></div>' in page
    assert f'<p class="error" id="m-0160-error">{message}</p>' in page
    assert 'aria-describedby="m-0160-error"' in page
    assert re.findall(r'<tr id="m-(\d{4})">', page) == ["0160", "1480"]
    assert by_code("0160").enabled and not events("municipality.disable")


def test_unknown_codes_are_not_there(client, coordinators, auth):
    auth.login("lan@example.se")
    for path in ("/staff/municipalities/9999/enable", "/staff/municipalities/abc/enable",
                 "/staff/municipalities/01600/disable"):
        assert client.post(path).status_code == 404, path
    assert db.session.scalar(db.select(db.func.count()).select_from(Municipality)) == 2


def test_a_municipal_coordinator_gets_404_and_changes_nothing(client, coordinators, auth):
    auth.login("taby@example.se")
    assert 'href="/staff/municipalities"' not in client.get("/account").get_data(
        as_text=True)
    assert client.get("/staff/municipalities").status_code == 404
    assert client.post("/staff/municipalities/1481/enable").status_code == 404
    assert client.post("/staff/municipalities/1480/disable").status_code == 404
    assert by_code("1481") is None and by_code("1480").enabled
    assert not events("municipality.enable") and not events("municipality.disable")


# ------------------------------------------------------------ a coordinator's municipality

def test_the_county_wide_coordinator_sets_another_coordinators_municipality(client,
                                                                            coordinators, auth):
    auth.login("lan@example.se")
    page = client.get("/staff/users").get_data(as_text=True)
    here, elsewhere = coordinators["here"], coordinators["elsewhere"]
    # A choice for the other coordinators; none for members or for oneself.
    assert set(re.findall(r'action="/staff/users/(\d+)/municipality"', page)) == {
        str(here), str(elsewhere)}
    assert f'<label for="scope-{here}" class="visually-hidden">Municipality of ' \
           "taby@example.se</label>" in page
    assert f'<option value="{coordinators["taby"]}" selected>Täby</option>' in page
    answer = client.post(f"/staff/users/{here}/municipality",
                         data={"municipality": str(coordinators["goteborg"])})
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/staff/users#account-{here}")
    assert db.session.get(User, here).municipality_id == coordinators["goteborg"]
    assert client.post(f"/staff/users/{elsewhere}/municipality",
                       data={"municipality": "county"}).status_code == 303
    assert db.session.get(User, elsewhere).municipality_id is None
    changes = sorted((e.object_id, e.before["municipality"], e.after["municipality"])
                     for e in events("account.municipality"))
    assert changes == sorted([(here, "0160", "1480"), (elsewhere, "1480", None)])
    # The newly county-wide coordinator reaches the county's pages at once.
    auth.logout()
    auth.login("gbg@example.se")
    assert client.get("/staff/municipalities").status_code == 200


@pytest.mark.parametrize("chosen, target, message", [
    ("disabled", "here", "Choose a municipality this installation serves, or the whole "
                         "county."),
    ("", "here", "Choose a municipality this installation serves, or the whole county."),
    ("99999999999999", "here", "Choose a municipality this installation serves, or the "
                               "whole county."),
    ("county", "member", "medlem@example.se is not a coordinator: only a coordinator has a "
                         "municipality."),
    ("taby", "county", "You cannot change your own municipality. Ask another county-wide "
                       "coordinator."),
])
def test_refused_choices_are_shown_beside_the_field(client, factories, coordinators,
                                                    chosen, target, message, auth):
    kiruna = Municipality(code="2584", slug="kiruna", name="Kiruna",
                          county="Norrbottens län", enabled=False)
    db.session.add(kiruna)
    db.session.commit()
    value = {"disabled": str(kiruna.id), "taby": str(coordinators["taby"])}.get(chosen,
                                                                                chosen)
    auth.login("lan@example.se")
    account = coordinators[target]
    answer = client.post(f"/staff/users/{account}/municipality",
                         data={"municipality": value} if value else {})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    if target != "county" and target != "member":
        assert f'aria-invalid="true" aria-describedby="scope-{account}-error"' in page
        assert f'<p class="error" id="scope-{account}-error">{message}</p>' in page
    else:
        assert message in page
    scopes = {key: db.session.get(User, coordinators[key]).municipality_id
              for key in ("county", "here", "elsewhere")}
    assert scopes == {"county": None, "here": coordinators["taby"],
                      "elsewhere": coordinators["goteborg"]}
    assert not events("account.municipality")


def test_a_municipal_coordinator_cannot_change_or_widen_any_scope(client, factories,
                                                                  coordinators, auth):
    colleague = factories.user(email="taby2@example.se", role="staff")
    colleague.municipality_id = coordinators["taby"]
    db.session.commit()
    auth.login("taby@example.se")
    page = client.get("/staff/users").get_data(as_text=True)
    assert "/municipality" not in page and "<select" not in page
    assert re.search(r"<td>\s*Täby</td>", page)
    for account in (coordinators["here"], colleague.id, coordinators["county"],
                    coordinators["elsewhere"]):
        for chosen in ("county", str(coordinators["goteborg"])):
            answer = client.post(f"/staff/users/{account}/municipality",
                                 data={"municipality": chosen})
            assert answer.status_code == 404, (account, chosen)
    assert db.session.get(User, coordinators["here"]).municipality_id == coordinators["taby"]
    assert db.session.get(User, colleague.id).municipality_id == coordinators["taby"]
    assert db.session.get(User, coordinators["county"]).municipality_id is None
    assert not events("account.municipality")


def test_the_service_refuses_without_http(app, factories, coordinators):
    county = db.session.get(User, coordinators["county"])
    here = db.session.get(User, coordinators["here"])
    elsewhere = db.session.get(User, coordinators["elsewhere"])
    member = db.session.get(User, coordinators["member"])
    for account, municipality_id, by_user in (
            (elsewhere, None, here),  # a municipal coordinator changes nobody's scope
            (here, None, here),  # nor widens their own
            (county, coordinators["taby"], county),  # nobody changes their own
            (member, coordinators["taby"], county)):  # only coordinators have one
        with pytest.raises(AccountError) as refused:
            set_coordinator_municipality(account, municipality_id, by_user)
        assert refused.value.field == "municipality"
    assert here.municipality_id == coordinators["taby"] and elsewhere.municipality_id
    # Unchanged is no change: nothing is audited.
    set_coordinator_municipality(here, coordinators["taby"], county)
    assert not events("account.municipality")
    set_coordinator_municipality(here, None, county)
    db.session.commit()
    assert db.session.get(User, here.id).municipality_id is None
    [event] = events("account.municipality")
    assert (event.user_id, event.before, event.after) == (
        county.id, {"municipality": "0160"}, {"municipality": None})
