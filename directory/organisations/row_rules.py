"""The rules of one row of a register import: each cell checked as the organisation
form checks it (the same validators and messages), names of municipalities, kinds, focus
areas and languages matched in Swedish or English, and the organisation the row is,
from the register loaded once into dictionaries (`Lookups`)."""

import re
from dataclasses import dataclass
from types import SimpleNamespace

from babel import Locale
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms.validators import Email, ValidationError

from ..common.i18n import LANGUAGE_NAMES, SPOKEN_LANGUAGES
from ..common.text import fold, one_line
from ..common.validators import normal_org_number, org_number, phone, web_address
from ..extensions import db
from ..taxonomy.models import FocusArea, Municipality
from .import_files import header_key
from .models import KINDS, Organisation, organisation_focus_area

# The longest each text may be (the columns' sizes, the form's limits).
MAX_LENGTH = {"name": 200, "street_address": 200, "postal_code": 10, "city": 100,
              "website": 300, "email": 254, "phone": 40, "description": 5000}
# The fields an import compares and writes (besides languages and focus areas).
PLAIN_FIELDS = ("name", "org_number", "kind", "municipality_id", "street_address",
                "postal_code", "city", "email", "phone", "website", "description")
# "Storgatan 1, 183 79 Täby": one address cell with the postcode and town in it.
_WHOLE_ADDRESS = re.compile(r"^(?P<street>.+?),\s*(?P<postal>\d{3}\s?\d{2})\s+(?P<city>.+)$")
_FORMULA_START = ("=", "+", "-", "@")
_EMAIL = Email(_l("That is not an e-mail address."))
_LANGUAGE_CODES = _l("Write language codes separated by commas, e.g. sv, ar, so.")


def _problem(validator, value):
    """The message the form's validator gives for `value`, or None."""
    try:
        validator(None, SimpleNamespace(data=value, errors=[]))
    except ValidationError as error:
        return error.args[0]
    return None


@dataclass
class Lookups:
    """What rows are matched against, loaded once per plan."""

    scope: int | None
    municipalities: dict
    kinds: dict
    focus_areas: dict
    languages: dict
    by_number: dict
    by_name: dict
    focus_of: dict

    @classmethod
    def load(cls, scope):
        municipalities = {}
        for m in db.session.scalars(select(Municipality)):
            municipalities[m.code] = municipalities[header_key(m.name)] = m
        focus = {}
        for f in db.session.scalars(select(FocusArea)):
            for name in (f.slug, f.name, *(f.names or {}).values()):
                focus[header_key(name)] = f.id
        by_number, by_name = {}, {}
        for row in db.session.execute(select(Organisation.id, Organisation.language_codes,
                                             *(getattr(Organisation, n) for n in PLAIN_FIELDS))):
            found = dict(row._mapping)
            found["org_number"] = normal_org_number(found["org_number"]) or found["org_number"]
            if found["org_number"]:
                by_number.setdefault(found["org_number"], found)
            by_name.setdefault((fold(found["name"]), found["municipality_id"]), found)
        focus_of = {}
        for organisation_id, focus_id in db.session.execute(select(organisation_focus_area)):
            focus_of.setdefault(organisation_id, set()).add(focus_id)
        return cls(scope, municipalities, _kinds(), focus, _languages(), by_number,
                   by_name, focus_of)

    def find(self, values):
        """(the existing organisation a row is, or None; a reason it cannot be)."""
        number = values.get("org_number")
        if number and number in self.by_number:
            found = self.by_number[number]
            if self.scope is not None and found["municipality_id"] != self.scope:
                return None, _l("An organisation with this number is registered in "
                                "another municipality, outside your scope.")
            return found, None
        found = self.by_name.get((fold(values["name"]), values["municipality_id"]))
        if found is not None and number and found["org_number"] \
                and found["org_number"] != number:
            return None, _l("An organisation with this name in this municipality has "
                            "another organisation number (%(number)s).",
                            number=found["org_number"])
        return found, None

    def changes(self, existing, values):
        """The fields of `values` that differ from the organisation's (a name only in
        letter case does not)."""
        changed = []
        for name, value in values.items():
            if name == "languages":
                current = [c for c in (existing["language_codes"] or "").split(",") if c]
                differs = set(current) != set(value)
            elif name == "focus_area_ids":
                differs = self.focus_of.get(existing["id"], set()) != set(value)
            elif name == "name":  # matched ignoring case: the register's spelling stays
                differs = fold(existing[name]) != fold(value)
            else:
                differs = existing[name] != value
            if differs:
                changed.append(name)
        return tuple(changed)


def _kinds():
    """{folded code or name in Swedish or English: kind}."""
    found = {}
    for code, label in KINDS.items():
        found[header_key(code)] = code
        for lang in ("sv", "en"):
            with force_locale(lang):
                found[header_key(str(label))] = code
    return found


def _languages():
    """{folded name of a language in Swedish, English or itself: its code}."""
    found = {}
    for code in dict.fromkeys((*SPOKEN_LANGUAGES, *LANGUAGE_NAMES)):
        for names in (Locale("sv").languages, Locale("en").languages):
            if code in names:
                found[header_key(names[code])] = code
        if code in LANGUAGE_NAMES:
            found[header_key(LANGUAGE_NAMES[code])] = code
    return found


def clean_row(raw, lookups):
    """(the row's values to write, the reasons it is refused, notes): only the cells
    with something in them give a value; every value is plain text as written."""
    values, reasons, notes = {}, [], []
    text = {name: (one_line(value) if name != "description" else value.strip())
            for name, value in raw.items() if name != "row" and value}
    for name, value in text.items():
        if value.startswith(_FORMULA_START) and name != "phone":
            notes.append(_l("“%(value)s” starts like a formula; it is kept as text.",
                            value=value[:60]))
        if len(value) > MAX_LENGTH.get(name, 1000):
            reasons.append(_l("“%(value)s…” is longer than %(max)s characters.",
                              value=value[:30], max=MAX_LENGTH.get(name, 1000)))
    if "name" in text:
        values["name"] = text["name"]
    else:
        reasons.append(_l("The name is missing."))
    _municipality(text.get("municipality"), lookups, values, reasons)
    _contact(text, values, reasons)
    _terms(text, lookups, values, reasons)
    if "description" in text:
        values["description"] = text["description"]
    return values, reasons, notes


def _municipality(value, lookups, values, reasons):
    """A kommunkod (four digits; Excel may have dropped the leading zero) or a name
    ("Täby", "Täby kommun"), enabled and within the coordinator's scope."""
    if not value:
        reasons.append(_l("The municipality is missing."))
        return
    key = value.zfill(4) if value.isdigit() else header_key(value)
    found = lookups.municipalities.get(key)
    if found is None and key.endswith("kommun"):
        key = key[:-len("kommun")]
        found = lookups.municipalities.get(key) or lookups.municipalities.get(
            key[:-1] if key.endswith("s") else None)
    if found is None:
        reasons.append(_l("There is no municipality “%(value)s”.", value=value))
    elif not found.enabled:
        reasons.append(_l("%(name)s is not one of the municipalities this installation "
                          "serves.", name=found.name))
    elif lookups.scope is not None and found.id != lookups.scope:
        reasons.append(_l("%(name)s is outside your municipality.", name=found.name))
    else:
        values["municipality_id"] = found.id


def _contact(text, values, reasons):
    """Organisation number, address, e-mail, phone and website, as the form checks them."""
    if "org_number" in text:
        problem = _problem(org_number, text["org_number"])
        if problem:
            reasons.append(problem)
        else:
            values["org_number"] = normal_org_number(text["org_number"])
    street = text.get("street_address")
    whole = _WHOLE_ADDRESS.match(street or "")
    if whole and "postal_code" not in text and "city" not in text:
        street = whole["street"].strip()
        text = {**text, "postal_code": whole["postal"], "city": whole["city"].strip()}
    for name, value in (("street_address", street), ("postal_code", text.get("postal_code")),
                        ("city", text.get("city"))):
        if value:
            values[name] = value
    website = text.get("website")
    if website and "://" not in website:
        website = "https://" + website
    for name, value, validator in (("email", text.get("email"), _EMAIL),
                                   ("phone", text.get("phone"), phone),
                                   ("website", website, web_address)):
        if value:
            problem = _problem(validator, value)
            if problem:
                reasons.append(problem)
            else:
                values[name] = value


def _split(value):
    return [part.strip() for part in re.split(r"[,;/]", value or "") if part.strip()]


def _terms(text, lookups, values, reasons):
    """Kind, languages and focus areas by code or name, in Swedish or English."""
    if "kind" in text:
        kind = lookups.kinds.get(header_key(text["kind"]))
        if kind is None:
            reasons.append(_l("Unknown kind of organisation “%(value)s”.",
                              value=text["kind"]))
        else:
            values["kind"] = kind
    if "languages" in text:
        codes = []
        for part in _split(text["languages"].replace(" och ", ",").replace(" and ", ",")):
            code = lookups.languages.get(header_key(part))
            if code is None and 2 <= len(part) <= 3 and part.isalpha():
                code = part.lower()
            if code is None:
                reasons.append(_LANGUAGE_CODES)
                break
            codes.append(code)
        else:
            values["languages"] = list(dict.fromkeys(codes))
    if "focus_areas" in text:
        ids = []
        for part in _split(text["focus_areas"]):
            found = lookups.focus_areas.get(header_key(part))
            if found is None:
                reasons.append(_l("There is no focus area “%(value)s”.", value=part))
            else:
                ids.append(found)
        values["focus_area_ids"] = sorted(set(ids))
