"""How often anyone may sign up: limits shared by the sign-up page and the API."""

from flask import request

from ..extensions import limiter
from .services import normal_contact

# A meeting place's Wi-Fi with fifty people signing up shares one address: the address
# limit is generous; one contact and one date are what a flood aims at.
SIGNUP_PER_ADDRESS = "300 per hour"
SIGNUP_PER_CONTACT = "10 per hour"
SIGNUP_PER_DATE = "200 per hour"


def _contact_key():
    data = request.get_json(silent=True) if request.is_json else request.form
    contact = data.get("contact") if hasattr(data, "get") else None
    return "contact:" + ((normal_contact(contact) if isinstance(contact, str) else None) or
                         "none")


def _date_key():
    return f"date:{(request.view_args or {}).get('occurrence_id')}"


def signup_limits(view):
    """The sign-up limits, shared by the page and the API: per address, per contact and
    per date, counted together however the sign-up arrives."""
    for limit in (limiter.shared_limit(SIGNUP_PER_DATE, scope="signup-date",
                                       key_func=_date_key, methods=["POST"]),
                  limiter.shared_limit(SIGNUP_PER_CONTACT, scope="signup-contact",
                                       key_func=_contact_key, methods=["POST"]),
                  limiter.shared_limit(SIGNUP_PER_ADDRESS, scope="signup-address",
                                       methods=["POST"])):
        view = limit(view)
    return view
