"""Reading a register file of organisations (CSV or XLSX) into rows of text: the
encoding (UTF-8 with or without BOM, UTF-16, else Windows-1252) and the delimiter (`;`,
`,` or tab) found, the columns matched by their headers in Swedish or English. Pure: no
database; every value stays text, a formula included (never evaluated)."""

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from ..common.errors import FieldError

MAX_ROWS = 20_000
MAX_COLUMNS = 100
# What a header is called (folded: lower case, no accents, letters and digits only),
# for each field an organisation row has.
COLUMNS = {
    "name": ("namn", "name", "organisation", "organisationensnamn", "organisationsnamn",
             "foreningensnamn", "forening", "organisationname"),
    "org_number": ("organisationsnummer", "orgnr", "orgnummer", "organisationsnr",
                   "organisationnumber", "orgnumber", "orgno", "corporateidentitynumber"),
    "kind": ("typ", "kind", "type", "organisationstyp", "typavorganisation",
             "kindoforganisation"),
    "municipality": ("kommun", "municipality", "kommunkod", "municipalitycode",
                     "kommunnamn"),
    "street_address": ("adress", "address", "gatuadress", "streetaddress", "besoksadress"),
    "postal_code": ("postnummer", "postnr", "postalcode", "postcode", "zip", "zipcode"),
    "city": ("ort", "postort", "stad", "city", "town"),
    "email": ("epost", "epostadress", "email", "emailaddress", "mail", "mejl"),
    "phone": ("telefon", "telefonnummer", "tel", "phone", "phonenumber", "mobil",
              "mobile"),
    "website": ("webbplats", "webbadress", "hemsida", "webb", "website", "web", "url",
                "homepage"),
    "languages": ("sprak", "taladesprak", "languages", "language", "spokenlanguages"),
    "focus_areas": ("fokusomraden", "fokusomrade", "focusareas", "focusarea"),
    "description": ("beskrivning", "verksamhet", "description", "omoss"),
}
REQUIRED = ("name", "municipality")
_BY_HEADER = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
_DELIMITERS = (";", ",", "\t")
# Control characters no text keeps (tab and line breaks are white space).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ImportFileError(FieldError):
    """The file cannot be read as a register of organisations."""


@dataclass
class RegisterFile:
    """What a file holds: each row as {field: text} with its row number in the file
    ("row"), the header of each field found, and the headers not imported."""

    rows: list
    headers: dict
    ignored: list = field(default_factory=list)


def header_key(text):
    """A header as it is matched: lower case, accents dropped, letters and digits only
    ("E-post" → "epost", "Fokusområden" → "fokusomraden")."""
    plain = unicodedata.normalize("NFKD", str(text or "")).casefold()
    return "".join(c for c in plain if c.isalnum() and not unicodedata.combining(c))


def read_register(data, max_rows=MAX_ROWS):
    """The rows of a CSV or XLSX file (bytes); ImportFileError when it is empty, not a
    table we read, lacks a name or municipality column, or has more than `max_rows`."""
    if not data or not data.strip():
        raise ImportFileError("file", _l("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        table = _xlsx_rows(data, max_rows)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError("file", _l("This is an old Excel file (XLS). Save it as "
                                         "Excel (XLSX) or CSV and upload it again."))
    else:
        table = _csv_rows(_decode(data))
    return _register(table, max_rows)


def _decode(data):
    """The text of a CSV file: UTF-16 or UTF-8 by their BOM, else UTF-8, else
    Windows-1252 (what Excel on Windows saves as "CSV")."""
    not_text = ImportFileError("file", _l("This is not a CSV or Excel (XLSX) file. Save "
                                          "the register as one of them and upload it "
                                          "again."))
    try:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            text = data.decode("utf-16")
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise not_text from None
    if "\x00" in text:
        raise not_text
    return text


def _csv_rows(text):
    """The cells of a CSV text, split on the delimiter its header line uses most."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(_DELIMITERS, key=first.count)
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""),
                                          delimiter=delimiter)]
    except csv.Error as error:
        raise ImportFileError("file", _l("The CSV file cannot be read: %(problem)s",
                                         problem=str(error))) from None


def _xlsx_rows(data, max_rows):
    """The cells of the first sheet of an XLSX file, as written (a formula as its
    text); at most one row more than `max_rows` past the header is read."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportFileError("file", _l("This is not an Excel (XLSX) file we can read. "
                                         "Save it again as XLSX or CSV.")) from None
    try:
        rows = []
        for values in book.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True):
            if any(v not in (None, "") for v in values):
                rows.append([_cell_text(v) for v in values])
            if len(rows) > max_rows + 1:
                break
        return rows
    finally:
        book.close()


def _cell_text(value):
    """A spreadsheet value as the text it shows: whole numbers without a decimal part
    (an organisation number or a postcode typed as a number), dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() \
            else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _register(table, max_rows):
    """Rows of {field: text} from a table whose first non-empty row is the header."""
    numbered = [(n, row) for n, row in enumerate(table, start=1)
                if any((cell or "").strip() for cell in row)]
    if not numbered:
        raise ImportFileError("file", _l("The file is empty."))
    (_, header), body = numbered[0], numbered[1:]
    columns, headers, ignored = {}, {}, []
    for index, title in enumerate(header):
        name = _BY_HEADER.get(header_key(title))
        if name is None or name in headers:
            if (title or "").strip():
                ignored.append(title.strip())
            continue
        columns[index], headers[name] = name, title.strip()
    missing = [name for name in REQUIRED if name not in headers]
    if missing:
        raise ImportFileError("file", _l(
            "The file needs a column for the name (“Namn” or “Name”) and one for the "
            "municipality (“Kommun” or “Municipality”) in its first row. Found: "
            "%(found)s.", found=", ".join(c.strip() for c in header if c.strip()) or "–"))
    if len(body) > max_rows:
        raise ImportFileError("file", _l("The file has more than %(limit)s rows. Split it "
                                         "into files of at most %(limit)s rows.",
                                         limit=f"{max_rows:,}".replace(",", " ")))
    if not body:
        raise ImportFileError("file", _l("The file has a header but no organisations."))
    rows = []
    for number, cells in body:
        row = {"row": number}
        for index, name in columns.items():
            row[name] = _CONTROL.sub("", cells[index] if index < len(cells) else "").strip()
        rows.append(row)
    return RegisterFile(rows, headers, ignored)
