"""The place-on-the-map fields shared by the organisation, meeting-place and activity
forms: latitude and longitude, typed or filled by the pin map (static/js/pin.js)."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import FloatField
from wtforms.widgets import TextInput
from wtforms.validators import NumberRange, Optional, StopValidation

from .geocoder import NUMBER_PAIR

# One number, with a decimal point or a Swedish decimal comma ("57,7970").
ONE_NUMBER = re.compile(r"^[-+]?\d+(?:[.,]\d+)?$")


class CoordinateField(FloatField):
    """A decimal number with a point or a comma. A pair pasted whole ("57.7970,
    12.0430", as maps copy it) is kept in `pair` for the form to split."""

    widget = TextInput()  # not type=number: that refuses commas and pasted pairs
    pair = None

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        self.pair = None
        raw = (valuelist[0] if valuelist else "").strip()
        if not raw:
            self.data = None
        elif ONE_NUMBER.match(raw):
            self.data = float(raw.replace(",", "."))
        elif NUMBER_PAIR.match(raw):
            match = NUMBER_PAIR.match(raw)
            self.pair = (float(match.group(1)), float(match.group(2)))
            self.data = self.pair[0]
        else:
            self.data = None
            raise ValueError(_l("Write a number, like 57.7970."))

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # "write a number" says it all


class PlaceFields:
    """Mixed into a FlaskForm (before it): optional coordinates, both or neither."""

    latitude = CoordinateField(_l("Latitude"), validators=[
        Optional(), NumberRange(min=55, max=70, message=_l("A latitude in Sweden, 55–70."))])
    longitude = CoordinateField(_l("Longitude"), validators=[
        Optional(), NumberRange(min=10, max=25, message=_l("A longitude in Sweden, 10–25."))])

    def validate(self, extra_validators=None):
        latitude, longitude = self.latitude, self.longitude
        if latitude.pair is not None and longitude.data is None and not longitude.errors:
            longitude.data = latitude.pair[1]
            longitude.raw_data = [str(latitude.pair[1])]
        valid = super().validate(extra_validators)
        if (not latitude.errors and not longitude.errors
                and (latitude.data is None) != (longitude.data is None)):
            missing = latitude if latitude.data is None else longitude
            missing.errors.append(_l("Give both the latitude and the longitude, or neither."))
            valid = False
        return valid
