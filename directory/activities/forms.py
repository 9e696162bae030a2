"""The shape of activity input: the activity and its schedule, one date's changes."""

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, IntegerField, RadioField, SelectField,
                     StringField, TextAreaField, TimeField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..common.forms import Form, TranslatedFields
from ..common.i18n import N_
from ..geo.forms import PlaceFields
from ..organisations.forms import MultiCheckboxField, SpokenLanguagesField

WEEKDAYS = [(0, _l("Monday")), (1, _l("Tuesday")), (2, _l("Wednesday")),
            (3, _l("Thursday")), (4, _l("Friday")), (5, _l("Saturday")), (6, _l("Sunday"))]


class ActivityForm(TranslatedFields, PlaceFields, Form):
    """An activity and its schedule. Build it with `ActivityForm.in_languages()`."""

    TRANSLATED = {
        "title": (StringField, N_("Title in %(language)s (optional)"), 200),
        "description": (TextAreaField, N_("Description in %(language)s (optional)"), 5000),
    }
    title = StringField(_l("Title (in Swedish)"), validators=[
        DataRequired(_l("Write a title.")), Length(max=200)])
    description = TextAreaField(_l("Description (in Swedish)"), validators=[
        Optional(), Length(max=5000)])
    focus_areas = MultiCheckboxField(_l("Focus areas"), coerce=int)
    target_groups = MultiCheckboxField(_l("For whom"), coerce=int)
    languages = SpokenLanguagesField(_l("Languages spoken"))
    cost = StringField(_l("Cost (leave empty if free)"), validators=[Optional(),
                                                                     Length(max=200)])
    registration_required = BooleanField(_l("Sign-up required"))
    default_capacity = IntegerField(_l("Places per date"), validators=[
        Optional(), NumberRange(min=1, max=1000, message=_l("Write a number from 1 to 1000."))])
    # The choices are the rooms this user may choose; the rule itself is checked when
    # saving (activities.editing.chosen_room), so a room sent that is not offered is
    # refused there with a message.
    room_id = SelectField(_l("Room at a meeting place"), coerce=int, default=0,
                          validate_choice=False)
    street_address = StringField(_l("Street address"), validators=[Optional(),
                                                                   Length(max=200)])
    postal_code = StringField(_l("Postcode"), validators=[Optional(), Length(max=10)])
    city = StringField(_l("Town"), validators=[Optional(), Length(max=100)])
    recurrence = RadioField(_l("How often"), default="weekly", choices=[
        ("once", _l("Once")), ("weekly", _l("Every week or every few weeks"))])
    starts_on = DateField(_l("First date"), validators=[
        DataRequired(_l("Write a date as YYYY-MM-DD."))])
    start_time = TimeField(_l("Starts at"), validators=[
        DataRequired(_l("Write a time as HH:MM."))])
    end_time = TimeField(_l("Ends at"), validators=[DataRequired(_l("Write a time as HH:MM."))])
    interval = IntegerField(_l("Every how many weeks"), default=1, validators=[
        Optional(), NumberRange(min=1, max=8, message=_l("Write a number from 1 to 8."))])
    weekdays = MultiCheckboxField(_l("Weekdays"), coerce=int, choices=WEEKDAYS)
    until = DateField(_l("Last date"), validators=[Optional()])
    count = IntegerField(_l("Or: number of times"), validators=[
        Optional(), NumberRange(min=1, max=120, message=_l("Write a number from 1 to 120."))])
    confirm = BooleanField(_l("I have read what will happen to the changed dates"))

    def validate_end_time(self, field):
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError(_l("The end must be after the start."))

    def validate_until(self, field):
        if field.data and self.starts_on.data and field.data <= self.starts_on.data:
            raise ValidationError(_l("The last date must be after the first."))

    def validate_weekdays(self, field):
        if self.recurrence.data == "weekly" and not field.data:
            raise ValidationError(_l("Choose at least one weekday."))

    def plain_data(self):
        """The form's values as the editing rules take them."""
        data = dict(self.data)
        data["interval"] = self.interval.data or 1
        if self.room_id.raw_data:  # a form without the field keeps the room as it is
            data["room_id"] = self.room_id.data or None
        else:
            data.pop("room_id", None)
        return data


class CancelDateForm(Form):
    reason = StringField(_l("Reason (shown publicly)"), validators=[
        DataRequired(_l("Say why, so people know.")), Length(max=500)])


class MoveDateForm(Form):
    day = DateField(_l("New date"), validators=[DataRequired(_l("Write a date as YYYY-MM-DD."))])
    start_time = TimeField(_l("Starts at"), validators=[
        DataRequired(_l("Write a time as HH:MM."))])
    end_time = TimeField(_l("Ends at"), validators=[DataRequired(_l("Write a time as HH:MM."))])
