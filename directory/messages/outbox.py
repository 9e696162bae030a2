"""Writing messages: in the transaction of the change that causes them.

`queue()` adds a row to the outbox in the caller's transaction. When that transaction
commits, the task worker is woken to deliver it; when it rolls back, the row was never
there and nothing is sent. The worker's sweep every minute delivers anything a wake-up
missed, so a message written is a message delivered (or given up with a status).
"""

from flask import current_app, has_app_context
from flask_babel import force_locale
from sqlalchemy import event, or_, update
from sqlalchemy.orm import Session

from ..common.i18n import interface_language_for
from ..common.text import one_line
from ..common.time import utcnow
from ..extensions import db
from .models import Message
from .sms import fit_sms


def channel_for(contact):
    """E-mail for an address with @, SMS for a phone number (E.164)."""
    return "email" if "@" in contact else "sms"


def queue(kind, recipient, language, subject, body, sms=None, now=None, **about):
    """Write one message to the outbox (nothing when there is no recipient).

    `body` is the e-mail text; `sms` the short text for a phone (the e-mail text when
    not given), trimmed to two SMS segments. `about` names what it concerns:
    signup_id, occurrence_id, organisation_id, user_id."""
    if not recipient:
        return None
    channel = channel_for(recipient)
    text = fit_sms(sms if sms is not None else body) if channel == "sms" else body
    message = Message(kind=kind, channel=channel, recipient=recipient, language=language,
                      subject=one_line(subject)[:300] if subject else None, body=text,
                      status="pending", next_attempt_at=now or utcnow(), **about)
    db.session.add(message)
    db.session.info["outbox"] = True
    return message


def in_language(language, write):
    """Run `write()` with the interface strings in `language` (the recipient's)."""
    with force_locale(recipient_language(language)):
        return write()


def recipient_language(language):
    """The language a message is written in: the one asked for when the interface has
    it (Persian for Dari), else Swedish."""
    return interface_language_for(language) or current_app.config["BABEL_DEFAULT_LOCALE"]


def forget_for_signups(signup_ids):
    """The purge: messages to these sign-ups lose their recipient and text."""
    if signup_ids:
        db.session.execute(update(Message).where(Message.signup_id.in_(signup_ids))
                           .values(recipient=None, subject=None, body=None)
                           .execution_options(synchronize_session=False))


def forget_older_than(moment):
    """The purge: every message written before `moment` keeps only its status."""
    db.session.execute(update(Message).where(
        Message.created_at < moment,
        or_(Message.recipient.is_not(None), Message.body.is_not(None)))
        .values(recipient=None, subject=None, body=None)
        .execution_options(synchronize_session=False))


@event.listens_for(Session, "after_commit")
def _wake_worker(session):
    if session.info.pop("outbox", False) and has_app_context():
        wake = current_app.extensions.get("wake_worker")
        if wake is not None:
            try:
                wake()
            except Exception:  # noqa: BLE001 - the minute sweep delivers it anyway
                current_app.logger.warning("task queue not reachable; the sweep delivers")


@event.listens_for(Session, "after_soft_rollback")
def _nothing_to_wake(session, previous_transaction):
    session.info.pop("outbox", None)
