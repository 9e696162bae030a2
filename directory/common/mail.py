"""Whether e-mail is set up (MAIL_SERVER). Messages themselves go through the outbox
(directory/messages): written in a transaction, sent by the task worker."""

from flask import current_app


def mail_enabled():
    return bool(current_app.config.get("MAIL_SERVER"))
