"""Content in every configured language (translation fields follow the configured
interface languages; organisation and meeting-place names too, shown in the reader's
language else in Swedish, marked with `lang`), and spoken languages as a checklist of
names in the reader's language, stored as codes."""

import pytest

from directory.activities.models import Activity
from directory.extensions import db
from tests.conftest import AuthActions
from tests.test_activities_manage import weekly_form

TRANSLATED_INTO = ("en", "ar", "fa", "so", "ti", "uk")


def member_of(client, factories, **org):
    organisation = factories.organisation(**{"name": "Min förening", **org})
    factories.user(email="a@example.se", organisation=organisation)
    AuthActions(client).login("a@example.se")
    return organisation


def profile(organisation, **overrides):
    data = {"name": organisation.name, "kind": "forening", "description": "Vi ses.",
            "municipality": str(organisation.municipality_id), "languages": ["sv"]}
    data.update(overrides)
    return data


def test_the_profile_has_name_and_description_fields_per_configured_language(
        client, factories):
    organisation = member_of(client, factories)
    page = client.get(f"/manage/organisations/{organisation.slug}").get_data(as_text=True)
    for lang in TRANSLATED_INTO:
        assert f'name="name_{lang}"' in page and f'name="description_{lang}"' in page
    assert 'name="description_sv"' not in page
    assert "Name in Persian (optional)" in page and "What you do, in Tigrinya" in page
    assert '<textarea dir="rtl" id="description_ar" lang="ar"' in page
    assert '<input dir="ltr" id="name_uk" lang="uk"' in page

    response = client.post(f"/manage/organisations/{organisation.slug}", data=profile(
        organisation, name_ar="جمعيتي", description_fa="ما هر هفته همدیگر را می‌بینیم.",
        name_uk="Моя асоціація", description_en="   "))
    assert response.status_code == 303
    db.session.refresh(organisation)
    assert organisation.translations == {
        "ar": {"name": "جمعيتي"}, "fa": {"description": "ما هر هفته همدیگر را می‌بینیم."},
        "uk": {"name": "Моя асоціація"}}
    again = client.get(f"/manage/organisations/{organisation.slug}").get_data(as_text=True)
    assert 'value="Моя асоціація"' in again


@pytest.mark.app_config(LANGUAGES=("sv", "en", "ar"))
def test_the_fields_follow_the_configuration_and_keep_other_languages(client, factories):
    organisation = member_of(client, factories)
    organisation.translations = {"fa": {"name": "انجمن من"}}
    db.session.commit()
    page = client.get(f"/manage/organisations/{organisation.slug}").get_data(as_text=True)
    assert 'name="name_ar"' in page and 'name="name_fa"' not in page
    client.post(f"/manage/organisations/{organisation.slug}",
                data=profile(organisation, name_en="My association"))
    db.session.refresh(organisation)
    assert organisation.translations == {"fa": {"name": "انجمن من"},
                                         "en": {"name": "My association"}}


def test_an_activity_has_title_and_description_fields_per_language(client, factories):
    organisation = member_of(client, factories)
    form = client.get(f"/manage/organisations/{organisation.slug}/activities/new")
    page = form.get_data(as_text=True)
    for lang in TRANSLATED_INTO:
        assert f'name="title_{lang}"' in page and f'name="description_{lang}"' in page
    response = client.post(f"/manage/organisations/{organisation.slug}/activities/new",
                           data=weekly_form(title_so="Caawinta casharrada",
                                            description_ti="ሓገዝ ትምህርቲ"))
    assert response.status_code == 303
    activity = db.session.scalar(db.select(Activity))
    assert activity.translated("title", "so").text == "Caawinta casharrada"
    assert activity.translated("description", "ti").text == "ሓገዝ ትምህርቲ"
    assert activity.translated("title", "ar").text == "مساعدة في الواجبات"
    edit = client.get(f"/manage/activities/{activity.id}").get_data(as_text=True)
    assert 'value="Caawinta casharrada"' in edit and "ሓገዝ ትምህርቲ" in edit


def test_a_meeting_place_name_is_translated(client, factories):
    venue = factories.venue()
    factories.user(email="staff@example.se", role="staff")
    AuthActions(client).login("staff@example.se")
    page = client.get(f"/staff/venues/{venue.slug}").get_data(as_text=True)
    assert 'name="name_ti"' in page and 'name="description_uk"' in page
    response = client.post(f"/staff/venues/{venue.slug}", data={
        "name": venue.name, "street_address": venue.street_address, "city": venue.city,
        "municipality": str(venue.municipality_id), "latitude": "59.44",
        "longitude": "18.07", "name_ar": "ملتقى كيميستفيغن"})
    assert response.status_code == 303
    db.session.refresh(venue)
    assert venue.translations == {"ar": {"name": "ملتقى كيميستفيغن"}}
    client.get("/logout")
    arabic = client.get(f"/venues/{venue.slug}?lang=ar").get_data(as_text=True)
    assert "<h1>ملتقى كيميستفيغن</h1>" in arabic
    english = client.get(f"/venues/{venue.slug}?lang=en").get_data(as_text=True)
    assert '<h1><span lang="sv" dir="auto">Mötesplats Kemistvägen</span></h1>' in english


def test_an_organisation_name_in_the_readers_language_else_swedish(client, factories):
    organisation = factories.organisation(
        name="Gårdstens kvinnoförening",
        translations={"ar": {"name": "جمعية نساء غوردستن"}})
    activity = factories.activity(organisation)
    page = f"/organisations/{organisation.slug}"
    arabic = client.get(f"{page}?lang=ar").get_data(as_text=True)
    assert "<h1>جمعية نساء غوردستن</h1>" in arabic
    assert "<title>جمعية نساء غوردستن" in arabic
    english = client.get(f"{page}?lang=en").get_data(as_text=True)
    assert '<h1><span lang="sv" dir="auto">Gårdstens kvinnoförening</span></h1>' in english
    dates = client.get("/activities").get_data(as_text=True)  # English still
    assert '<span lang="sv" dir="auto">Gårdstens kvinnoförening</span>' in dates

    listing = client.get("/organisations?lang=ar").get_data(as_text=True)
    assert "جمعية نساء غوردستن</a>" in listing
    occurrence = activity.occurrences[0]
    date_page = client.get(f"/occurrences/{occurrence.id}?lang=ar").get_data(as_text=True)
    assert "جمعية نساء غوردستن" in date_page

    api = client.get(f"/api/v1/organizations/{organisation.slug}",
                     headers={"Accept-Language": "ar"}).get_json()
    assert api["name"] == "جمعية نساء غوردستن"
    # Found by its name in any language.
    found = client.get("/organisations?q=غوردستن").get_data(as_text=True)
    assert organisation.slug in found


def test_spoken_languages_are_a_checklist_of_names_in_the_readers_language(client,
                                                                           factories):
    organisation = member_of(client, factories, languages=["sv"])
    swedish = client.get(f"/manage/organisations/{organisation.slug}?lang=sv")
    page = swedish.get_data(as_text=True)
    assert ('name="languages" type="checkbox" value="ar"> '
            '<label for="languages-2">arabiska') in page
    assert 'checked id="languages-0" name="languages" type="checkbox" value="sv"' in page
    assert ">dari</label>" in page and ">somaliska</label>" in page
    english = client.get(f"/manage/organisations/{organisation.slug}?lang=en")
    page = english.get_data(as_text=True)
    assert ">Arabic</label>" in page and ">Somali</label>" in page
    assert "Languages you speak" in page

    response = client.post(f"/manage/organisations/{organisation.slug}",
                           data=profile(organisation, languages=["ar", "so", "sv"]))
    assert response.status_code == 303
    db.session.refresh(organisation)
    assert organisation.languages == ["ar", "so", "sv"]
    page = client.get(f"/manage/organisations/{organisation.slug}").get_data(as_text=True)
    for n, code in ((0, "sv"), (2, "ar"), (5, "so")):
        assert (f'checked id="languages-{n}" name="languages" type="checkbox" '
                f'value="{code}"') in page


def test_an_unknown_language_code_is_refused_beside_the_field(client, factories):
    organisation = member_of(client, factories, languages=["sv"])
    response = client.post(f"/manage/organisations/{organisation.slug}", data=profile(
        organisation, description="Ny text som ska stå kvar.", languages=["ar", "xx"]))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="languages-error">Choose the languages from the list.' in page
    assert "Ny text som ska stå kvar." in page
    db.session.refresh(organisation)
    assert organisation.languages == ["sv"]
    assert organisation.description != "Ny text som ska stå kvar."

    typed = client.post(f"/manage/organisations/{organisation.slug}",
                        data=profile(organisation, languages="sv, ar"))
    assert typed.status_code == 422


def test_a_stored_code_the_list_lacks_is_kept(client, factories):
    """A language a register import named that the checklist does not offer (Finnish)
    is shown checked and stays when the profile is saved."""
    organisation = member_of(client, factories, languages=["sv", "fi"])
    page = client.get(f"/manage/organisations/{organisation.slug}?lang=sv")
    assert ">finska</label>" in page.get_data(as_text=True)
    client.post(f"/manage/organisations/{organisation.slug}",
                data=profile(organisation, languages=["sv", "fi"]))
    db.session.refresh(organisation)
    assert organisation.languages == ["sv", "fi"]


def test_the_activity_checklist_saves_codes(client, factories):
    organisation = member_of(client, factories)
    page = client.get(f"/manage/organisations/{organisation.slug}/activities/new?lang=sv")
    assert ">tigrinja</label>" in page.get_data(as_text=True)
    bad = client.post(f"/manage/organisations/{organisation.slug}/activities/new",
                      data=weekly_form(languages=["zz"]))
    assert bad.status_code == 422
    assert "Välj språken i listan." in bad.get_data(as_text=True)  # ?lang=sv is kept
    assert db.session.scalar(db.select(db.func.count()).select_from(Activity)) == 0
    client.post(f"/manage/organisations/{organisation.slug}/activities/new",
                data=weekly_form(languages=["ti", "sv"]))
    assert db.session.scalar(db.select(Activity)).languages == ["ti", "sv"]


def test_a_focus_area_is_named_in_every_configured_language(client, factories):
    factories.user(email="staff@example.se", role="staff")
    AuthActions(client).login("staff@example.se")
    assert 'name="name_fa"' in client.get("/staff/terms").get_data(as_text=True)
    response = client.post("/staff/terms", data={
        "kind": "focus", "slug": "kultur", "name": "Kultur", "name_so": "Dhaqan",
        "name_uk": "Культура"})
    assert response.status_code == 303
    assert '<option value="kultur">Dhaqan</option>' in client.get(
        "/organisations?lang=so").get_data(as_text=True)
