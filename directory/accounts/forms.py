"""The shape of account input: log in, set a password."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from ..common.forms import Form


class LoginForm(Form):
    email = EmailField(_l("E-mail"), validators=[
        DataRequired(_l("Write your e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Write your password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"})
    next = StringField(render_kw={"hidden": True})


class SetPasswordForm(Form):
    password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Write a password.")), Length(max=200)],
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(_l("Repeat the password.")),
        EqualTo("password", _l("The passwords are not the same."))],
        render_kw={"autocomplete": "new-password"})


class ResetRequestForm(Form):
    email = EmailField(_l("E-mail"), validators=[
        DataRequired(_l("Write your e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "username"})
