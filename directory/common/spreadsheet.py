"""Tables people download, one writer for both forms: CSV that Swedish Excel opens as
columns (semicolons, decimal comma, a byte-order mark) and XLSX; local times, and never a
formula in either."""

import csv
import io
import re
from datetime import date, datetime

from flask import make_response
from openpyxl import Workbook
from openpyxl.styles import Font

from .time import to_local

# Spreadsheets run a cell that starts with one of these as a formula (OWASP's list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A phone number in E.164 is a number to a spreadsheet, not a function: kept as it is.
_PHONE = re.compile(r"\+\d{6,15}")
FORMATS = ("csv", "xlsx")
_XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """The text of a cell that no spreadsheet runs: a value that would start a formula
    gets a leading apostrophe (OWASP's rule for CSV injection); line breaks become spaces."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    formula = text.startswith(_FORMULA_START) and not _PHONE.fullmatch(text)
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return "'" + text if formula else text


def _local(value):
    """A stored moment as naive Stockholm time (what a spreadsheet shows); dates as
    they are."""
    if isinstance(value, datetime):
        return to_local(value).replace(tzinfo=None)
    return value


def _csv_cell(value):
    """A cell as Swedish Excel reads it: decimal comma, local time without seconds."""
    value = _local(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",") or "0"
    return safe_cell(value)


def csv_text(header, rows):
    """Semicolon-separated text with a byte-order mark: Excel set to Swedish opens it as
    columns with å, ä and ö intact."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return "\ufeff" + out.getvalue()


def xlsx_bytes(header, rows, title="Samverkan"):
    """One sheet: the header in bold, numbers as numbers, local times as dates; every
    text cell stored as text (never a formula) and neutralised as in the CSV."""
    book = Workbook()
    sheet = book.active
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", str(title))[:31] or "Samverkan"
    sheet.append([str(safe_cell(h)) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    # Cell by cell by its place (sheet.max_row would scan every cell for every row).
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=column, value=_xlsx_value(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, whatever it starts with
            elif isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(value):
    value = _local(value)
    if isinstance(value, (datetime, date)) and not isinstance(value, bool):
        return value
    cell = safe_cell(value)
    return None if cell == "" else cell


def _download(body, mimetype, filename):
    response = make_response(body)
    response.mimetype = mimetype
    if mimetype == "text/csv":
        response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


class DataCsv:
    """Plain CSV (commas, UTF-8 without a byte-order mark, RFC 4180) for data packages
    programs read (the HSDS export), with cells as safe as csv_text's, written row by
    row into a text file `out`."""

    def __init__(self, out):
        self.writer = csv.writer(out, lineterminator="\r\n")

    def row(self, cells):
        self.writer.writerow([safe_cell(cell) for cell in cells])


def csv_response(filename, header, rows):
    """A download of `rows` as `filename`.csv, kept out of every cache."""
    return _download(csv_text(header, rows), "text/csv", f"{filename}.csv")


def table_response(file_format, filename, header, rows, title="Samverkan"):
    """A download of `rows` as `filename`.csv or .xlsx (`file_format`, one of FORMATS)."""
    if file_format == "xlsx":
        return _download(xlsx_bytes(header, list(rows), title), _XLSX_TYPE,
                         f"{filename}.xlsx")
    return csv_response(filename, header, rows)
