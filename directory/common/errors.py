"""A broken rule that belongs beside one field of a form."""


class FieldError(Exception):
    """A rule was broken; `field` names the form field the message belongs beside.
    Each domain has its own subclass (AccountError, ActivityError, …) to catch."""

    def __init__(self, field, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


def put_error(form, error, fallback):
    """Show `error` beside its field of `form`, or beside the field named `fallback`
    when the form has no such field."""
    field = getattr(form, error.field, None) or getattr(form, fallback)
    field.errors = list(field.errors) + [error.message]
