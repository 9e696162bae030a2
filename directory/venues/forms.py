"""The shape of venue, room, opening-hours and closure input."""

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, IntegerField, SelectField, StringField,
                     TextAreaField, TimeField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..common.forms import Form, TranslatedFields
from ..common.i18n import N_
from ..geo.forms import PlaceFields
from ..organisations.forms import MultiCheckboxField


class VenueForm(TranslatedFields, PlaceFields, Form):
    """A meeting place. Build it with `VenueForm.in_languages()`."""

    TRANSLATED = {
        "name": (StringField, N_("Name in %(language)s (optional)"), 200),
        "description": (TextAreaField, N_("Description in %(language)s (optional)"), 5000),
    }
    name = StringField(_l("Name"), validators=[DataRequired(_l("Write a name.")),
                                               Length(max=200)])
    street_address = StringField(_l("Street address"), validators=[
        DataRequired(_l("Write the street address.")), Length(max=200)])
    postal_code = StringField(_l("Postcode"), validators=[Optional(), Length(max=10)])
    city = StringField(_l("Town"), validators=[DataRequired(_l("Write the town.")),
                                               Length(max=100)])
    municipality = SelectField(_l("Municipality"), coerce=int, validate_choice=True)
    operator_name = StringField(_l("Run by"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Description (in Swedish)"), validators=[
        Optional(), Length(max=5000)])
    accessibility = TextAreaField(_l("Accessibility"), validators=[Optional(),
                                                                   Length(max=2000)])


class RoomForm(Form):
    name = StringField(_l("Name of the room"), validators=[DataRequired(_l("Write a name.")),
                                                           Length(max=120)])
    capacity = IntegerField(_l("How many people"), validators=[
        NumberRange(min=1, max=2000, message=_l("Write a number from 1 to 2000."))])
    features = MultiCheckboxField(_l("Features"))
    requires_approval = BooleanField(_l("A coordinator approves each booking"),
                                     default=True)
    min_notice_hours = IntegerField(_l("Book at least this many hours ahead"), default=24,
                                    validators=[NumberRange(min=0, max=24 * 60)])
    max_advance_days = IntegerField(_l("Book at most this many days ahead"), default=365,
                                    validators=[NumberRange(min=1, max=730)])
    max_duration_minutes = IntegerField(_l("Longest booking in minutes"), default=240,
                                        validators=[NumberRange(min=15, max=24 * 60)])
    buffer_minutes = IntegerField(_l("Minutes between bookings"), default=0,
                                  validators=[NumberRange(min=0, max=240)])


class HoursForm(Form):
    weekday = SelectField(_l("Day"), coerce=int, validate_choice=True)
    opens = TimeField(_l("Opens"), validators=[DataRequired(_l("Write a time as HH:MM."))])
    closes = TimeField(_l("Closes"), validators=[DataRequired(_l("Write a time as HH:MM."))])

    def validate_closes(self, field):
        if self.opens.data and field.data and field.data <= self.opens.data:
            raise ValidationError(_l("The end must be after the start."))


class ClosureForm(Form):
    starts_on = DateField(_l("First closed day"), validators=[
        DataRequired(_l("Write a date as YYYY-MM-DD."))])
    ends_on = DateField(_l("Last closed day"), validators=[
        DataRequired(_l("Write a date as YYYY-MM-DD."))])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last date must be after the first."))
