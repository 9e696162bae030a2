"""The one CSV writer: semicolons, a byte-order mark, no formulas, one line per row."""

import csv
import io

from directory.common.spreadsheet import csv_text, safe_cell


def test_cells_that_would_start_a_formula_are_neutralised():
    for dangerous in ("=1+1", "+cmd|x", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
        assert safe_cell(dangerous).startswith("'")
    assert safe_cell("+46701234567") == "+46701234567"  # a phone number stays a number
    assert safe_cell("Språkcafé") == "Språkcafé" and safe_cell(None) == "" and safe_cell(3) == 3


def test_line_breaks_in_a_value_do_not_split_the_row():
    text = csv_text(["a", "b"], [["rad ett\nrad två", "x"]])
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows == [["a", "b"], ["rad ett rad två", "x"]]
    assert text.startswith("\ufeff") and "\r\n" in text


def test_xlsx_and_csv_come_from_one_writer_and_run_no_formula():
    from datetime import datetime, timezone

    from openpyxl import load_workbook

    from directory.common.spreadsheet import xlsx_bytes
    header = ["Namn", "Andel", "När"]
    rows = [['=HYPERLINK("http://x","klicka")', 0.25, datetime(2026, 7, 1, 15, 0,
                                                                 tzinfo=timezone.utc)],
            ["Språkcafé", 3, None]]
    sheet = load_workbook(io.BytesIO(xlsx_bytes(header, rows, "Test"))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == header
    assert values[1][0] == '\'=HYPERLINK("http://x","klicka")'
    assert sheet["A2"].data_type == "s"
    assert values[1][1] == 0.25 and values[1][2] == datetime(2026, 7, 1, 17, 0)  # local
    assert values[2] == ["Språkcafé", 3, None]
    text = csv_text(header, rows)
    parsed = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert parsed[1] == ['\'=HYPERLINK("http://x","klicka")', "0,25", "2026-07-01 17:00"]
