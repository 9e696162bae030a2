"""The shape of a focus area or target group."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ..common.forms import Form


class TermForm(Form):
    kind = HiddenField()
    slug = StringField(_l("Short name in addresses (a–z, 0–9 and -)"), validators=[
        DataRequired(_l("Write a short name.")), Length(max=80),
        Regexp(r"^[a-z0-9-]+$", message=_l("Use only a–z, 0–9 and -."))])
    name = StringField(_l("Name in Swedish"), validators=[
        DataRequired(_l("Write a name.")), Length(max=120)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=120)])
    name_ar = StringField(_l("Name in Arabic"), validators=[Optional(), Length(max=120)])
