"""WTForms validators for Swedish data (phone numbers, organisationsnummer) and web
addresses."""

from urllib.parse import urlsplit

import phonenumbers
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError


def luhn_ok(digits):
    total = 0
    for i, ch in enumerate(digits[:-1]):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return (10 - total % 10) % 10 == int(digits[-1])


def normal_org_number(value):
    """NNNNNN-NNNN when `value` is a valid organisationsnummer, else None."""
    digits = (value or "").replace("-", "").replace(" ", "").strip()
    if len(digits) == 12 and digits.startswith("16"):
        digits = digits[2:]
    if len(digits) != 10 or not digits.isdigit() or not luhn_ok(digits):
        return None
    return f"{digits[:6]}-{digits[6:]}"


def org_number(form, field):
    """An organisationsnummer with a valid check digit (empty is allowed)."""
    if field.data and normal_org_number(field.data) is None:
        raise ValidationError(_l("That is not a valid organisation number. Write it as "
                                 "NNNNNN-NNNN."))


def phone(form, field):
    """A Swedish (07x…, 08-…) or international (+…) phone number (empty is allowed)."""
    if not field.data:
        return
    try:
        number = phonenumbers.parse(field.data, "SE")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(_l("That is not a phone number we can call. Example: "
                                 "070-123 45 67 or +46 70 123 45 67."))


_NOT_IN_ADDRESS = set(" \t\"'<>\\^`{|}")


def is_web_address(value):
    """Whether `value` is a whole http(s) address with a host name and no character that
    could leave an attribute or a tag (quotes, <, >, spaces)."""
    try:
        parts = urlsplit(value or "")
        host = parts.hostname or ""
    except ValueError:
        return False
    return (parts.scheme in ("http", "https") and "." in host
            and not _NOT_IN_ADDRESS & set(value))


def web_address(form, field):
    """The form's rule for a website: what the pages link to and the API hands on."""
    value = (field.data or "").strip()
    if not value:
        return
    if not is_web_address(value):
        raise ValidationError(_l("Write a whole web address, e.g. https://example.se"))
    field.data = value
