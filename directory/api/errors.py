"""JSON errors: {"error": {"code", "message", "fields"}}, built here and nowhere else."""

from flask import jsonify, request
from flask_babel import gettext as _


def N_(text):
    """Marks a string for the catalogues; it is translated where it is used."""
    return text


MESSAGES = {
    400: N_("The request could not be understood."),
    404: N_("Not found."),
    405: N_("That method is not allowed here."),
    409: N_("That is not possible in the current state."),
    413: N_("What was sent is larger than this service accepts."),
    422: N_("Some fields are not valid."),
    429: N_("Too many requests. Wait a moment and try again."),
    500: N_("Something went wrong on our side."),
}
CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 409: "conflict",
         413: "too_large", 422: "invalid", 429: "rate_limited", 500: "server_error"}


def wants_json():
    """Whether this request is for the API, so errors answer in JSON."""
    return request.path.startswith("/api/")


def error_body(status, message=None, fields=None, code=None):
    """The body of every JSON error: `code` and `message` default to the status's own."""
    return {"error": {"code": code or CODES.get(status, str(status)),
                      "message": str(message or _(MESSAGES.get(status, MESSAGES[400]))),
                      "fields": {name: str(text) for name, text in (fields or {}).items()}}}


def api_error_response(status, error=None, message=None, fields=None, code=None):
    """A JSON error answer with this status. `error` is what an error handler was given
    (unused: the body never shows internals)."""
    response = jsonify(error_body(status, message, fields, code))
    response.status_code = status
    return response


def error_response(error):
    """A FieldError (or SignupError, …) as the API's answer: its status, code, message
    and messages by field."""
    return api_error_response(error.status, message=error.message, fields=error.fields,
                              code=error.code)
