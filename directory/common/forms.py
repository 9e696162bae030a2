"""The form every page's form is: Flask-WTF's (CSRF included), plus one rule for every
one-line field: it holds one line."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

ONE_LINE = _l("Write this on one line.")


def has_line_break(value):
    """Whether a text holds a line break (a name, a title or a header cannot)."""
    return isinstance(value, str) and ("\n" in value or "\r" in value)


class Form(FlaskForm):
    """Flask-WTF's form; a one-line field (any text field but a text area) that holds a
    line break gets a message beside it, so a name or a title never carries one into a
    feed, an e-mail header or a CSV."""

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for field in self:
            if (isinstance(field, StringField) and not isinstance(field, TextAreaField)
                    and has_line_break(field.data)):
                field.errors = list(field.errors) + [ONE_LINE]
                valid = False
        return valid
