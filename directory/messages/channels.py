"""The two ways out: e-mail by SMTP, SMS through the provider's HTTP API.

A send either works, or raises `TryLater` (the server is down, busy or timing out:
the worker tries again later) or `GiveUp` (the address or number is refused: trying
again would not help). Errors carry a short reason without the recipient or the text.
"""

import smtplib
import socket
import urllib.error
import urllib.parse
import urllib.request
from base64 import b64encode
from email.message import EmailMessage
from email.utils import make_msgid

from ..common.text import one_line


class TryLater(Exception):
    """Not delivered now; may work later."""


class GiveUp(Exception):
    """Refused for good."""


TIMEOUT = 10  # seconds


def send_email(config, recipient, subject, body):
    if not config.get("MAIL_SERVER"):
        raise TryLater("no mail server set up")
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM") or "samverkan@localhost"
    message["To"] = one_line(recipient)
    message["Subject"] = one_line(subject or "")
    message["Message-ID"] = make_msgid(domain="samverkan")
    message.set_content(body or "")
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25),
                          timeout=TIMEOUT) as smtp:
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            raise GiveUp(f"address refused ({codes[0]})") from None
        raise TryLater(f"address deferred ({codes[0] if codes else '?'})") from None
    except smtplib.SMTPResponseException as error:
        if 500 <= error.smtp_code < 600:
            raise GiveUp(f"mail refused ({error.smtp_code})") from None
        raise TryLater(f"mail deferred ({error.smtp_code})") from None
    except (OSError, smtplib.SMTPException) as error:
        raise TryLater(f"mail server: {type(error).__name__}") from None


def send_sms(config, recipient, body):
    """A form POST of from, to and message with basic auth (the common shape of Swedish
    SMS providers' APIs)."""
    if not config.get("SMS_URL"):
        raise TryLater("no SMS provider set up")
    data = urllib.parse.urlencode({"from": config.get("SMS_FROM") or "Samverkan",
                                   "to": recipient, "message": body}).encode()
    request = urllib.request.Request(config["SMS_URL"], data=data, method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    if config.get("SMS_USER"):
        secret = f"{config['SMS_USER']}:{config.get('SMS_PASSWORD') or ''}"
        request.add_header("Authorization", "Basic " + b64encode(secret.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            answer.read(1024)
    except urllib.error.HTTPError as error:
        if error.code in (408, 425, 429) or error.code >= 500:
            raise TryLater(f"SMS provider answered {error.code}") from None
        raise GiveUp(f"SMS provider refused ({error.code})") from None
    except (urllib.error.URLError, socket.timeout, OSError) as error:
        raise TryLater(f"SMS provider: {type(error).__name__}") from None


def send(config, message):
    """Deliver one outbox message by its channel."""
    if message.channel == "sms":
        send_sms(config, message.recipient, message.body)
    else:
        send_email(config, message.recipient, message.subject, message.body)
