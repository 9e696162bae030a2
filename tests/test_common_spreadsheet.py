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
