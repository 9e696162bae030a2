"""The shape of organisation input: the profile, and registering a new one."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, EmailField, PasswordField, RadioField, SelectField,
                     SelectMultipleField, StringField, TextAreaField, URLField)
from wtforms.validators import (DataRequired, Email, EqualTo, Length, Optional,
                                ValidationError)
from wtforms.widgets import CheckboxInput, ListWidget

from ..common.forms import Form, TranslatedFields
from ..common.i18n import N_, SPOKEN_LANGUAGES, spoken_language_name
from ..common.validators import org_number, phone, web_address
from ..geo.forms import PlaceFields
from .models import KINDS


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def spoken_choices():
    """The spoken languages a checklist offers, named in the reader's language."""
    return [(code, spoken_language_name(code)) for code in SPOKEN_LANGUAGES]


class SpokenLanguagesField(MultiCheckboxField):
    """The languages spoken, as a checklist of their names in the reader's language;
    the data are their codes. A code not offered is refused with a message."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, choices=spoken_choices, **kwargs)

    def offer(self, codes):
        """Offer codes already stored that the list lacks too, so saving keeps them."""
        offered = {code for code, _name in self.choices}
        self.choices = list(self.choices) + [(code, spoken_language_name(code))
                                             for code in codes if code not in offered]

    def pre_validate(self, form):
        offered = {code for code, _name in self.choices}
        if any(code not in offered for code in self.data or ()):
            raise ValidationError(_l("Choose the languages from the list."))


class OrganisationForm(TranslatedFields, PlaceFields, Form):
    """An organisation's profile. Build it with `OrganisationForm.in_languages()`."""

    TRANSLATED = {
        "name": (StringField, N_("Name in %(language)s (optional)"), 200),
        "description": (TextAreaField, N_("What you do, in %(language)s (optional)"), 5000),
    }

    name = StringField(_l("Name of the organisation"), validators=[
        DataRequired(_l("Write the organisation's name.")), Length(max=200)])
    kind = SelectField(_l("Kind of organisation"),
                       choices=list(KINDS.items()))
    org_number = StringField(_l("Organisation number (optional)"),
                             validators=[Optional(), org_number, Length(max=13)])
    description = TextAreaField(_l("What you do (in Swedish)"), validators=[
        DataRequired(_l("Describe what you do.")), Length(max=5000)])
    municipality = SelectField(_l("Municipality"), coerce=int, validate_choice=True)
    street_address = StringField(_l("Street address"), validators=[Optional(),
                                                                   Length(max=200)])
    postal_code = StringField(_l("Postcode"), validators=[Optional(), Length(max=10)])
    city = StringField(_l("Town"), validators=[Optional(), Length(max=100)])
    website = URLField(_l("Website"), validators=[Optional(), web_address, Length(max=300)])
    email = EmailField(_l("E-mail"), validators=[
        Optional(), Email(_l("That is not an e-mail address.")), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), phone, Length(max=40)])
    focus_areas = MultiCheckboxField(_l("Focus areas"), coerce=int, validate_choice=True)
    languages = SpokenLanguagesField(_l("Languages you speak"))
    # Messages to the organisation (room decisions, reminders to confirm its details).
    preferred_language = SelectField(_l("Language of our messages"), validate_choice=True,
                                     validators=[Optional()])
    signup_digest = BooleanField(_l("Send us an e-mail each morning with the new "
                                    "sign-ups to our dates"))


class RegistrationForm(OrganisationForm):
    owner_name = StringField(_l("Your name"), validators=[
        DataRequired(_l("Write your name.")), Length(max=120)])
    owner_email = EmailField(_l("Your e-mail"), validators=[
        DataRequired(_l("Write your e-mail address.")),
        Email(_l("That is not an e-mail address.")), Length(max=254)])
    password = PasswordField(_l("Choose a password"), validators=[
        DataRequired(_l("Write a password.")), Length(max=200)])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(_l("Repeat the password.")),
        EqualTo("password", _l("The passwords are not the same."))])


class DecisionForm(Form):
    reason = TextAreaField(_l("Reason (the organisation sees it)"),
                           validators=[Optional(), Length(max=1000)])


class ImportForm(Form):
    """A register file to import, and the status its new organisations get."""

    file = FileField(_l("The register file (CSV or Excel XLSX)"), validators=[
        FileRequired(_l("Choose a file."))])
    status = RadioField(_l("New organisations are"), default="pending", choices=[
        ("pending", _l("Waiting for review (a coordinator verifies each)")),
        ("verified", _l("Verified at once (shown publicly)"))])
