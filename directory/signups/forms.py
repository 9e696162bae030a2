"""The shape of a sign-up."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import NumberRange, Optional

from ..common.forms import Form


class SignupForm(Form):
    # Checked by the service, so the form and the API give the same messages.
    name = StringField(_l("First name (or a name we can call you)"),
                       render_kw={"autocomplete": "given-name", "maxlength": 80})
    contact = StringField(_l("Phone number or e-mail"),
                          render_kw={"autocomplete": "tel", "maxlength": 254,
                                     "inputmode": "email"})
    language = SelectField(_l("Language you prefer (optional)"), validate_choice=False)
    # A field people never see: bots fill it in.
    website = StringField(_l("Leave this empty"),
                          render_kw={"autocomplete": "off", "tabindex": "-1"})


class ResendForm(Form):
    contact = StringField(_l("Phone number or e-mail you signed up with"),
                          render_kw={"autocomplete": "tel", "maxlength": 254,
                                     "inputmode": "email"})


class CapacityForm(Form):
    capacity = IntegerField(_l("Places on this date"), validators=[
        NumberRange(min=0, max=1000, message=_l("Write a number from 0 to 1000."))])


class AttendanceForm(Form):
    """How many came: a total written at once, or (`form=came`) the ticked sign-ups
    (fields `came-<sign-up id>`, read by the view) and the walk-ins."""
    attended = IntegerField(_l("How many came"), validators=[
        Optional(), NumberRange(min=0, max=10000, message=_l("Write a number from 0 to 10000."))])
    walk_ins = IntegerField(_l("Came without signing up"), validators=[
        Optional(), NumberRange(min=0, max=10000, message=_l("Write a number from 0 to 10000."))])
