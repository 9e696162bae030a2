"""The shape of an invitation and of a change of a member's role."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField
from wtforms.validators import DataRequired, Email, Length

from ..common.forms import Form


class InviteForm(Form):
    email = EmailField(_l("E-mail of the person to invite"), validators=[
        DataRequired(_l("Write an e-mail address.")),
        Email(_l("That is not an e-mail address.")), Length(max=254)])
    role = SelectField(_l("Role"), choices=[("editor", _l("Editor: keeps the page and "
                                                          "activities current")),
                                            ("owner", _l("Owner: can also invite others"))])


class MemberRoleForm(Form):
    """A member's new role; the service names a role it does not know."""

    role = SelectField(_l("Role"), choices=[("owner", _l("Owner")), ("editor", _l("Editor"))],
                       validate_choice=False)
