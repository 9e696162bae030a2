"""The one error a rule raises: messages by form field, an HTTP status and a code.

A service raises it (or a domain's subclass, to be caught by name); a page puts it on
its form with `put_error` (or `form_work` around the call), the API answers it with
`api.errors.error_response`.
"""

from ..extensions import db


class FieldError(Exception):
    """A rule was broken. `fields` maps form fields to the message each shows; `message`
    says it for the whole (for one field, that field's message). `status` is the HTTP
    answer (422 unless the class or the raise says otherwise: 409 for a conflict with the
    current state, 404 for something not there) and `code` the API's machine name for it
    (None: the status's own, e.g. "invalid").

    `FieldError(field, message)` is one field's error;
    `FieldError(message=…, fields={…}, status=…, code=…)` the general form. Each domain
    has its own subclass (AccountError, ActivityError, …) to catch."""

    status = 422
    code = None

    def __init__(self, field=None, message=None, *, fields=None, status=None, code=None):
        self.fields = dict(fields or {})
        if field is not None:
            self.fields[field] = message
        if message is None and len(self.fields) == 1:
            message = next(iter(self.fields.values()))
        super().__init__(str(message) if message is not None else "")
        self.message = message
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code

    @property
    def field(self):
        """The first field named, or None when the error is about the whole."""
        return next(iter(self.fields), None)


def put_error(form, error, fallback=None, rename=None):
    """Show `error` on `form`: each field's message beside that field (its name first
    translated through `rename` when the form calls it otherwise). A message for a field
    the form lacks, or the error's message when it names no field, goes beside the
    field named `fallback`, or among the form's own errors when `fallback` is None."""
    rename = rename or {}
    placed = error.fields.items() if error.fields else [(None, error.message)]
    for name, message in placed:
        name = rename.get(name, name)
        field = form[name] if name and name in form else None
        if field is None and fallback is not None:
            field = form[fallback]
        if field is None:
            form.form_errors.append(message)
        else:
            field.errors = list(field.errors) + [message]


class form_work:
    """A page's unit of work around one service call, in FlaskBB's shape: when the call
    raises a FieldError the transaction is rolled back and the error goes on `form` (with
    `put_error`); otherwise it is committed. `ok` says which.

        with form_work(form, "name") as work:
            partner = create_partner(...)
        if work.ok:
            return redirect(...)
    """

    def __init__(self, form, fallback=None, rename=None):
        self.form, self.fallback, self.rename = form, fallback, rename
        self.ok = False

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if kind is None:
            db.session.commit()
            self.ok = True
            return False
        if isinstance(error, FieldError):
            db.session.rollback()
            put_error(self.form, error, self.fallback, self.rename)
            return True
        return False
