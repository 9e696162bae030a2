"""The shape of a room request."""

from flask_babel import lazy_gettext as _l
from wtforms import (DateField, IntegerField, SelectField, StringField, TextAreaField,
                     TimeField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..activities.forms import WEEKDAYS
from ..common.forms import Form
from ..organisations.forms import MultiCheckboxField


class BookingRequestForm(Form):
    room = SelectField(_l("Room"), coerce=int, validate_choice=True)
    day = DateField(_l("Date"), validators=[DataRequired(_l("Write a date as YYYY-MM-DD."))])
    start_time = TimeField(_l("Starts at"), validators=[
        DataRequired(_l("Write a time as HH:MM."))])
    end_time = TimeField(_l("Ends at"), validators=[DataRequired(_l("Write a time as HH:MM."))])
    repeat_until = DateField(_l("Repeat until (optional)"), validators=[Optional()])
    count = IntegerField(_l("Or: number of times"), validators=[
        Optional(), NumberRange(min=1, max=60, message=_l("Write a number from 1 to 60."))])
    interval = IntegerField(_l("Every how many weeks"), default=1, validators=[
        Optional(), NumberRange(min=1, max=8, message=_l("Write a number from 1 to 8."))])
    weekdays = MultiCheckboxField(_l("Weekdays (the date's own weekday if none)"),
                                  coerce=int, choices=WEEKDAYS)
    activity = SelectField(_l("For the activity (optional)"), coerce=int,
                           validate_choice=True)
    purpose = StringField(_l("Purpose"), validators=[Length(max=300)])

    def validate_end_time(self, field):
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError(_l("The end must be after the start."))

    def validate_repeat_until(self, field):
        if field.data and self.day.data:
            if field.data <= self.day.data:
                raise ValidationError(_l("The last date must be after the first."))
            if (field.data - self.day.data).days > 366:
                raise ValidationError(_l("A series can last at most one year."))


class DecisionForm(Form):
    reason = TextAreaField(_l("Reason (the organisation sees it)"),
                           validators=[Optional(), Length(max=500)])


class SeriesChangeForm(Form):
    """New times for every coming date of a series, and optionally another room (0: the
    room it has)."""

    start_time = TimeField(_l("New start"), validators=[
        DataRequired(_l("Write a time as HH:MM."))])
    end_time = TimeField(_l("New end"), validators=[DataRequired(_l("Write a time as HH:MM."))])
    room = SelectField(_l("Room"), coerce=int, default=0, validate_choice=True)

    def validate_end_time(self, field):
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError(_l("The end must be after the start."))
