"""Sending e-mail through MAIL_SERVER, when one is set up."""

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

from .text import one_line

log = logging.getLogger(__name__)


def mail_enabled():
    return bool(current_app.config.get("MAIL_SERVER"))


def send_mail(to, subject, body):
    """Send a plain-text message; True when the server took it.

    A mail server that is down never breaks the page: the caller shows the
    link instead. The log names no address (personal data stays out of logs).
    """
    if not mail_enabled():
        return False
    message = EmailMessage()
    message["From"] = current_app.config.get("MAIL_FROM", "samverkan@localhost")
    message["To"] = one_line(to)
    message["Subject"] = one_line(subject)  # a name with a line break never breaks a header
    message.set_content(body)
    try:
        with smtplib.SMTP(current_app.config["MAIL_SERVER"],
                          int(current_app.config.get("MAIL_PORT") or 25), timeout=10) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("mail not sent: %s", type(error).__name__)
        return False
    return True
