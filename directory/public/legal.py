"""What the legal pages (privacy notice, accessibility statement, contact) say about
this installation: who runs it and how to reach them, from the configuration."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Operator:
    """The municipality or operator behind the service, as the legal pages name it."""

    name: str
    email: str | None
    phone: str | None
    address: str | None
    protection_officer: str | None
    retention_days: int
    statement_date: date | None
    site: str | None

    @property
    def reachable(self):
        """Whether the configuration gives any way to reach the operator."""
        return bool(self.email or self.phone or self.address)


def operator_from(config):
    """The operator as configured: OPERATOR_NAME (else DATA_PUBLISHER), CONTACT_EMAIL
    (else DATA_CONTACT_EMAIL), CONTACT_PHONE, CONTACT_ADDRESS,
    DATA_PROTECTION_OFFICER_EMAIL, SIGNUP_RETENTION_DAYS and the accessibility
    statement's date (a value that is not a date is left out rather than shown)."""
    return Operator(
        name=config.get("OPERATOR_NAME") or config.get("DATA_PUBLISHER") or "Samverkan",
        email=config.get("CONTACT_EMAIL") or config.get("DATA_CONTACT_EMAIL"),
        phone=config.get("CONTACT_PHONE"),
        address=config.get("CONTACT_ADDRESS"),
        protection_officer=config.get("DATA_PROTECTION_OFFICER_EMAIL"),
        retention_days=int(config.get("SIGNUP_RETENTION_DAYS") or 30),
        statement_date=_date(config.get("ACCESSIBILITY_STATEMENT_DATE")),
        site=config.get("PUBLIC_BASE_URL"))


def _date(value):
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None
