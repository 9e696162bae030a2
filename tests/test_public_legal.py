"""The legal pages a Swedish public service must have: the accessibility statement, the
privacy notice for sign-ups and the contact page, linked from every page's footer."""

import pytest

LEGAL = ("/accessibility", "/privacy", "/contact")


@pytest.mark.parametrize("path", LEGAL)
@pytest.mark.parametrize("lang", ["sv", "en", "ar"])
def test_each_legal_page_answers_in_every_language(client, path, lang):
    page = client.get(f"{path}?lang={lang}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert f'<html lang="{lang}"' in body
    assert body.count("<h1>") == 1


@pytest.mark.parametrize("path", ["/", "/activities", "/organisations", "/venues", *LEGAL])
def test_every_page_footer_links_to_the_legal_pages_and_the_api(client, path):
    body = client.get(path).get_data(as_text=True)
    footer = body[body.index('<footer'):]
    for link, text in (("/accessibility", "Accessibility statement"),
                       ("/privacy", "Privacy notice"), ("/contact", "Contact"),
                       ("/api/v1/organizations", "Open data (JSON API)")):
        assert f'href="{link}"' in footer and text in footer, link


def test_footer_in_swedish(client):
    footer = client.get("/?lang=sv").get_data(as_text=True).split("<footer")[1]
    assert 'href="/accessibility"' in footer and 'href="/privacy"' in footer


@pytest.mark.app_config(SIGNUP_RETENTION_DAYS=45)
def test_privacy_notice_says_how_long_sign_ups_are_kept(client):
    body = client.get("/privacy").get_data(as_text=True)
    assert "deleted 45 days after the date" in body
    assert "30 days" not in body


def test_privacy_notice_keeps_the_default_of_thirty_days(client):
    body = client.get("/privacy").get_data(as_text=True)
    assert "deleted 30 days after the date" in body


def test_privacy_notice_says_what_is_stored_why_and_the_rights(client):
    body = client.get("/privacy").get_data(as_text=True)
    assert "Your first name" in body and "a mobile number or an e-mail address" in body
    assert "So that the organisation that runs the activity knows who is coming" in body
    assert "General Data Protection Regulation" in body and "imy.se" in body
    assert "Delete my name and contact details" in body


@pytest.mark.app_config(OPERATOR_NAME="Täby kommun", CONTACT_EMAIL="samverkan@taby.se",
                        CONTACT_PHONE="08-555 590 00", CONTACT_ADDRESS="Esplanaden 3, Täby",
                        DATA_PROTECTION_OFFICER_EMAIL="dataskydd@taby.se")
def test_the_operator_and_its_contact_come_from_the_configuration(client):
    privacy = client.get("/privacy").get_data(as_text=True)
    assert "Täby kommun is responsible for the personal data" in privacy
    assert 'href="mailto:dataskydd@taby.se"' in privacy
    contact = client.get("/contact").get_data(as_text=True)
    assert "Samverkan is run by Täby kommun." in contact
    assert 'href="mailto:samverkan@taby.se"' in contact
    assert 'href="tel:085555900' in contact and "08-555 590 00" in contact
    assert "Esplanaden 3, Täby" in contact
    statement = client.get("/accessibility").get_data(as_text=True)
    assert "Täby kommun is behind this website" in statement
    assert 'href="mailto:samverkan@taby.se"' in statement


@pytest.mark.app_config(DATA_PUBLISHER="Mölndals stad", DATA_CONTACT_EMAIL="data@molndal.se")
def test_without_operator_settings_the_open_data_publisher_is_named(client):
    body = client.get("/contact").get_data(as_text=True)
    assert "Samverkan is run by Mölndals stad." in body
    assert 'href="mailto:data@molndal.se"' in body


def test_without_any_contact_the_page_says_so_instead_of_an_empty_list(client):
    body = client.get("/contact").get_data(as_text=True)
    assert "Samverkan has not given its contact details here yet." in body


@pytest.mark.app_config(ACCESSIBILITY_STATEMENT_DATE="2026-11-27")
def test_accessibility_statement_follows_diggs_model(client):
    body = client.get("/accessibility").get_data(as_text=True)
    assert "partially compliant" in body
    assert "Content that is not accessible" in body
    assert "Report accessibility problems" in body
    assert "https://www.digg.se/tdosanmalan" in body
    assert "last updated on 27 November 2026" in body


@pytest.mark.app_config(ACCESSIBILITY_STATEMENT_DATE="not a date")
def test_a_statement_date_not_understood_is_left_out(client):
    page = client.get("/accessibility")
    assert page.status_code == 200
    assert "last updated on" not in page.get_data(as_text=True)
