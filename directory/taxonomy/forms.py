"""The shape of a focus area or target group."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from ..common.forms import Form, TranslatedFields
from ..common.i18n import N_


class TermForm(TranslatedFields, Form):
    """A focus area or target group. Build it with `TermForm.in_languages()`: a name
    per configured language."""

    TRANSLATED = {"name": (StringField, N_("Name in %(language)s (optional)"), 120)}
    kind = HiddenField()
    slug = StringField(_l("Short name in addresses (a–z, 0–9 and -)"), validators=[
        DataRequired(_l("Write a short name.")), Length(max=80),
        Regexp(r"^[a-z0-9-]+$", message=_l("Use only a–z, 0–9 and -."))])
    name = StringField(_l("Name in Swedish"), validators=[
        DataRequired(_l("Write a name.")), Length(max=120)])
