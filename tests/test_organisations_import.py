"""Importing a register of organisations: the dry run changes nothing, the import
creates, a second import changes nothing, and every kind of bad input gets a message
per row or per file, never a 500."""

import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import text

from directory.extensions import db

HEADER_SV = ("Namn;Organisationsnummer;Typ;Kommun;Adress;E-post;Telefon;Webbplats;Språk;"
             "Fokusområden")


def csv_bytes(*lines, encoding="utf-8-sig"):
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def count(sql, **params):
    return db.session.execute(text(sql), params).scalar()


def organisations():
    return count("SELECT count(*) FROM organisation")


@pytest.fixture
def coordinator(factories, auth):
    taby = factories.municipality("taby")
    factories.user(email="samordnare@example.se", role="staff")
    auth.login("samordnare@example.se")
    return taby


def upload(client, data, filename="register.csv", status="pending"):
    return client.post("/staff/import", data={"file": (io.BytesIO(data), filename),
                                              "status": status},
                       content_type="multipart/form-data")


def dry_run(client, data, filename="register.csv", status="pending"):
    """Upload, follow to the dry run; (its page text, the run's path)."""
    response = upload(client, data, filename, status)
    assert response.status_code == 303, response.get_data(as_text=True)
    path = response.headers["Location"]
    page = client.get(path)
    assert page.status_code == 200
    return page.get_data(as_text=True), path


def confirm(client, path):
    response = client.post(path + "/confirm")
    assert response.status_code == 303
    return client.get(path).get_data(as_text=True)


TWO_ROWS = (HEADER_SV,
            "Föreningen Gårdsten;802000-1007;Förening;Täby;Storgatan 1, 183 79 Täby;"
            "info@gardsten.se;070-123 45 67;www.gardsten.se;svenska, arabiska;"
            "Arbete och egen försörjning",
            "Språkvänner;;Studieförbund;0160;;;;;sv;")


def test_dry_run_changes_nothing_then_import_creates_and_again_changes_nothing(
        client, coordinator):
    before = organisations()
    page, path = dry_run(client, csv_bytes(*TWO_ROWS))
    assert "Föreningen Gårdsten" in page and "New (2)" in page
    assert "nothing has been imported yet" in page
    assert organisations() == before

    page = confirm(client, path)
    assert organisations() == before + 2
    assert re.search(r"Created</th><td>2<", page)
    row = db.session.execute(text(
        "SELECT org_number, kind, street_address, postal_code, city, website, phone, "
        "language_codes, status FROM organisation WHERE name = 'Föreningen Gårdsten'")).one()
    assert tuple(row) == ("802000-1007", "forening", "Storgatan 1", "183 79", "Täby",
                          "https://www.gardsten.se", "070-123 45 67", ",sv,ar,", "pending")
    assert count("SELECT count(*) FROM organisation_focus_area") == 1
    assert count("SELECT count(*) FROM audit_event WHERE action = 'organisation.import'") == 1

    # The same file again: every row unchanged, nothing written but the run's summary.
    changed_at = count("SELECT max(updated_at) FROM organisation")
    page, path = dry_run(client, csv_bytes(*TWO_ROWS))
    assert "Unchanged (2)" in page and "New (0)" in page
    assert "There is nothing to import" in page
    client.post(path + "/confirm")
    assert organisations() == before + 2
    assert count("SELECT max(updated_at) FROM organisation") == changed_at
    assert count("SELECT count(*) FROM audit_event WHERE action = 'organisation.update'") == 0


def test_a_changed_field_updates_the_organisation_matched_by_number(client, coordinator,
                                                                    factories):
    factories.organisation(name="Föreningen Gårdsten", org_number="802000-1007",
                           phone="070-123 45 67", municipality=coordinator)
    lines = list(TWO_ROWS[:2])
    lines[1] = lines[1].replace("070-123 45 67", "08-123 456 78").replace(
        "Föreningen Gårdsten", "FÖRENINGEN GÅRDSTEN")
    page, path = dry_run(client, csv_bytes(*lines))
    assert "Changed (1)" in page and "Phone" in page
    confirm(client, path)
    assert count("SELECT phone FROM organisation WHERE org_number = '802000-1007'") \
        == "08-123 456 78"
    assert count("SELECT count(*) FROM organisation") == 1
    assert count("SELECT count(*) FROM audit_event WHERE action = 'organisation.update'") == 1


def test_verified_on_request_and_matching_by_name_and_municipality(client, coordinator,
                                                                   factories):
    factories.organisation(name="Språkvänner", municipality=coordinator, status="pending")
    page, path = dry_run(client, csv_bytes("Name,Municipality,Kind", "språkvänner,Täby,",
                                           "Läxhjälpen,Täby kommun,Sports club"),
                         status="verified")
    assert "New (1)" in page and "Unchanged (1)" in page
    confirm(client, path)
    assert count("SELECT status FROM organisation WHERE name = 'Läxhjälpen'") == "verified"
    assert count("SELECT kind FROM organisation WHERE name = 'Läxhjälpen'") == "idrottsforening"
    # Organisations already in the register keep their status.
    assert count("SELECT status FROM organisation WHERE name = 'Språkvänner'") == "pending"


def test_xlsx_in_english_with_a_formula_kept_as_text(client, coordinator):
    data = xlsx_bytes([["Name", "Org.nr", "Municipality", "Email", "Focus areas"],
                       ['=HYPERLINK("http://evil.example","Klicka")', None, "0160", None,
                        None],
                       ["Kvinnojouren", 8020001007, 160, "kontakt@jouren.se",
                        "Health; Housing"]])
    page, path = dry_run(client, data, "register.xlsx")
    assert "starts like a formula; it is kept as text" in page
    confirm(client, path)
    assert count("SELECT count(*) FROM organisation WHERE name = :name",
                 name='=HYPERLINK("http://evil.example","Klicka")') == 1
    assert count("SELECT org_number FROM organisation WHERE name = 'Kvinnojouren'") \
        == "802000-1007"
    assert count("SELECT count(*) FROM organisation_focus_area") == 2


def test_a_windows_1252_file_comma_separated(client, coordinator):
    data = "Namn,Kommun,Ort\r\nFöreningen Gårdsten,Täby,Täby\r\n".encode("cp1252")
    page, path = dry_run(client, data)
    assert "Föreningen Gårdsten" in page
    confirm(client, path)
    assert count("SELECT count(*) FROM organisation WHERE name = 'Föreningen Gårdsten'") == 1


def test_rows_refused_with_their_reasons(client, coordinator, factories):
    factories.municipality("goteborg")
    db.session.execute(text("UPDATE municipality SET enabled = :no WHERE code = '1480'"),
                       {"no": False})
    db.session.commit()
    data = csv_bytes(
        "Namn;Organisationsnummer;Kommun;E-post;Webbplats",
        "Dubbel ett;802000-1007;Täby;;",
        "Dubbel två;8020001007;Täby;;",
        "Fel nummer;802000-1000;Täby;;",
        "Okänd kommun;;Atlantis;;",
        "Inte här;;Göteborg;;",
        ";;Täby;;",
        "Dålig post;;Täby;inte-en-adress;",
        "Dålig webb;;Täby;;javascript:alert(1)",
        "Bra;;Täby;;")
    before = organisations()
    page, path = dry_run(client, data)
    assert "The organisation number 802000-1007 is also on row 3." in page
    assert "also on row 2." in page
    assert "That is not a valid organisation number" in page
    assert "There is no municipality “Atlantis”." in page
    assert "Göteborg is not one of the municipalities this installation serves." in page
    assert "The name is missing." in page
    assert "That is not an e-mail address." in page
    assert "Write a whole web address" in page
    assert "Refused (8)" in page and "New (1)" in page
    confirm(client, path)
    assert organisations() == before + 1


@pytest.mark.parametrize("data, filename, message", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "bild.png",
     "This is not a CSV or Excel (XLSX) file"),
    (b"", "tom.csv", "The file is empty."),
    (b"   \r\n", "tom.csv", "The file is empty."),
    (b"PK\x03\x04 not really a zip", "trasig.xlsx", "not an Excel (XLSX) file we can read"),
    ("Förening;Ort\r\nA;B\r\n".encode(), "fel.csv", "needs a column for the name"),
    (b"Namn;Kommun\r\n", "bara-rubrik.csv", "has a header but no organisations"),
])
def test_a_file_that_cannot_be_read_gets_a_message(client, coordinator, data, filename,
                                                   message):
    response = upload(client, data, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count("SELECT count(*) FROM import_run") == 0


def test_no_file_chosen(client, coordinator):
    response = client.post("/staff/import", data={"status": "pending"})
    assert response.status_code == 422
    assert "Choose a file." in response.get_data(as_text=True)


def test_too_many_rows(client, coordinator):
    """Past the 2 MB other forms may send (this path takes more), the rows are counted."""
    data = csv_bytes("Namn;Kommun;Beskrivning",
                     *(f"Förening {n};Täby;{'Språkcafé varje vecka. ' * 4}"
                       for n in range(20_001)))
    assert len(data) > 2 * 1024 * 1024
    response = upload(client, data)
    assert response.status_code == 422
    assert "more than 20" in response.get_data(as_text=True)


def test_a_municipal_coordinator_imports_only_into_their_municipality(client, factories,
                                                                      auth):
    taby = factories.municipality("taby")
    factories.municipality("goteborg")
    factories.organisation(name="Göteborgsföreningen", org_number="802000-1007",
                           municipality=factories.municipality("goteborg"))
    factories.user(email="taby@example.se", role="staff", municipality=taby)
    auth.login("taby@example.se")
    page, path = dry_run(client, csv_bytes("Namn;Organisationsnummer;Kommun",
                                           "Ny i Göteborg;;Göteborg",
                                           "Göteborgsföreningen;802000-1007;Täby",
                                           "Ny i Täby;;Täby"))
    assert "Göteborg is outside your municipality." in page
    assert "registered in another municipality, outside your scope" in page
    assert "New (1)" in page
    confirm(client, path)
    assert count("SELECT count(*) FROM organisation WHERE municipality_id = :m",
                 m=taby.id) == 1
    assert count("SELECT name FROM organisation WHERE org_number = '802000-1007'") \
        == "Göteborgsföreningen"


def test_another_coordinators_run_is_not_there(client, coordinator, factories, auth):
    _, path = dry_run(client, csv_bytes(*TWO_ROWS))
    factories.user(email="annan@example.se", role="staff")
    auth.logout()
    auth.login("annan@example.se")
    assert client.get(path).status_code == 404
    assert client.post(path + "/confirm").status_code == 404
    assert organisations() == 0


def test_the_progress_bar_while_running(client, coordinator):
    _, path = dry_run(client, csv_bytes(*TWO_ROWS))
    db.session.execute(text("UPDATE import_run SET state = 'running', rows_done = 1"))
    db.session.commit()
    page = client.get(path).get_data(as_text=True)
    assert '<meta http-equiv="refresh"' in page
    assert re.search(r'<progress id="import-progress" max="2" value="1">', page)
    # A run already started is not started again.
    client.post(path + "/confirm")
    assert organisations() == 0


def test_the_command_line(app, factories, tmp_path):
    factories.municipality("taby")
    path = tmp_path / "register.csv"
    path.write_bytes(csv_bytes(*TWO_ROWS, "Fel;123;;Täby;;;;;;"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-organisations", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "row 2: Föreningen Gårdsten: New" in result.output
    assert "row 4: Fel: Refused: That is not a valid organisation number" in result.output
    assert "2 new, 0 changed, 0 unchanged, 1 refused. Nothing imported." in result.output
    assert organisations() == 0 and count("SELECT count(*) FROM import_run") == 0

    result = runner.invoke(args=["import-organisations", str(path), "--status", "verified"])
    assert result.exit_code == 0, result.output
    assert "2 created, 0 updated, 0 unchanged, 1 refused" in result.output
    assert count("SELECT count(*) FROM organisation WHERE status = 'verified'") == 2

    result = runner.invoke(args=["import-organisations", str(path)])
    assert "0 created, 0 updated, 2 unchanged, 1 refused" in result.output

    bad = tmp_path / "bild.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = runner.invoke(args=["import-organisations", str(bad)])
    assert result.exit_code == 1
    assert "not a CSV or Excel" in result.output
