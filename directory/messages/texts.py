"""Message texts: a template under templates/messages/ with macros `subject`, `email`
and (optionally) `sms`, rendered in the recipient's language."""

from flask import current_app

from .outbox import in_language


def render(template, language, values):
    """(subject, e-mail text, SMS text or None) in `language`. `values` is a function
    that returns the template's values: it runs in that language too, so dates and
    names come out in it."""
    def write():
        module = current_app.jinja_env.get_template(template).make_module(values())
        sms = getattr(module, "sms", None)
        return (str(module.subject()).strip(), str(module.email()).strip() + "\n",
                str(sms()).strip() if sms else None)
    return in_language(language, write)
