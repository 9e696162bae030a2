"""The shape of partner and feed input."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, URLField
from wtforms.validators import DataRequired, Length, Optional

from ..common.forms import Form
from ..common.validators import web_address
from ..organisations.forms import MultiCheckboxField


class PartnerForm(Form):
    name = StringField(_l("Name of the partner"), validators=[
        DataRequired(_l("Write a name.")), Length(max=200)])
    website = URLField(_l("Website"), validators=[Optional(), web_address, Length(max=300)])


class SubscriptionForm(Form):
    name = StringField(_l("Name of the feed"), validators=[
        DataRequired(_l("Write a name.")), Length(max=200)])
    focus = MultiCheckboxField(_l("Focus areas"))
    target = MultiCheckboxField(_l("Target groups"))
    venue = MultiCheckboxField(_l("Meeting places"))
    kommun = MultiCheckboxField(_l("Municipalities"))
    include_tentative = BooleanField(_l("Show requested room bookings as tentative"))
