"""Tables people download: CSV that Swedish Excel opens as columns, and never a formula."""

import csv
import io
import re

from flask import make_response

# Spreadsheets run a cell that starts with one of these as a formula (OWASP's list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A phone number in E.164 is a number to a spreadsheet, not a function: kept as it is.
_PHONE = re.compile(r"\+\d{6,15}")


def safe_cell(value):
    """The text of a cell that no spreadsheet runs: a value that would start a formula
    gets a leading apostrophe (OWASP's rule for CSV injection); line breaks become spaces."""
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    formula = text.startswith(_FORMULA_START) and not _PHONE.fullmatch(text)
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return "'" + text if formula else text


def csv_text(header, rows):
    """Semicolon-separated text with a byte-order mark: Excel set to Swedish opens it as
    columns with å, ä and ö intact."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return "\ufeff" + out.getvalue()


def data_csv_text(header, rows):
    """Plain CSV (commas, UTF-8 without a byte-order mark, RFC 4180) for data packages
    programs read (the HSDS export), with cells as safe as csv_text's."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def csv_response(filename, header, rows):
    """A download of `rows` as `filename`.csv, kept out of every cache."""
    response = make_response(csv_text(header, rows))
    response.mimetype = "text/csv"
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
