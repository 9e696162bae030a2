"""What people signed up for a date are told, by SMS or e-mail, in their language.

Every message is written to the outbox in the transaction of the change (a sign-up, a
place from the waiting list, a cancelled or moved date, tomorrow's reminder) and sent
by the worker after commit. The personal link in a message is derived again from the
sign-up's nonce and the secret key; only its hash is stored.
"""

import base64
import hashlib
import hmac
from datetime import timedelta

from flask import current_app
from flask_babel import format_datetime
from sqlalchemy import select, update
from sqlalchemy.orm import contains_eager

from ..activities.models import Occurrence
from ..common.events import date_cancelled, date_moved
from ..common.i18n import interface_language_for, said
from ..common.time import to_local, utcnow
from ..common.tokens import hash_token
from ..common.urls import absolute_url
from ..extensions import db
from ..messages.outbox import queue, recipient_language
from ..messages.texts import render
from .models import Signup

REMIND_AHEAD = timedelta(hours=24)
REMIND_NOT_WITHIN = timedelta(hours=2)  # too close to the start to be of use


def link_token(nonce):
    """The personal link's token for a nonce (HMAC with the secret key)."""
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(),
                      b"signup-link:" + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()


def personal_token(signup):
    """The sign-up's token when it can be made again (None for a purged sign-up, or
    one made before links could be sent again, or after the secret key changed)."""
    if not signup.link_nonce:
        return None
    token = link_token(signup.link_nonce)
    return token if hash_token(token) == signup.token_hash else None


def message_language(signup):
    """The language the person chose (Persian for Dari) when the interface has it, else
    the one they signed up in."""
    return interface_language_for(signup.language) or recipient_language(
        signup.interface_language)


def tell(signup, kind, reason=None, position=None, now=None):
    """Write one message to a signed-up person (nothing when their contact is gone)."""
    if not signup.contact:
        return None
    occurrence = signup.occurrence
    token = personal_token(signup)
    link = absolute_url("signups.mine", token=token) if token else absolute_url(
        "activities.occurrence", occurrence_id=occurrence.id)
    language = message_language(signup)

    def values():
        start, end = to_local(occurrence.starts_at), to_local(occurrence.ends_at)
        return {"kind": kind, "name": signup.name or "",
                "title": str(occurrence.activity.translated("title")),
                "when": format_datetime(start, "EEEE d MMMM y, HH:mm") + "–"
                + end.strftime("%H:%M"),
                "when_short": format_datetime(start, "EEE d MMM HH:mm"),
                "where": occurrence.place_line, "link": link, "reason": said(reason),
                "position": position}
    subject, body, sms = render("messages/participant.txt", language, values)
    return queue(f"signup.{kind}", signup.contact, language, subject, body, sms=sms,
                 now=now, signup_id=signup.id, occurrence_id=occurrence.id)


def people_of(occurrence):
    """Those with a place or in the queue who can still be reached."""
    return db.session.scalars(select(Signup).where(
        Signup.occurrence_id == occurrence.id,
        Signup.status.in_(("confirmed", "waitlisted")),
        Signup.contact.is_not(None)).order_by(Signup.id)).all()


@date_cancelled.connect
def _date_cancelled(occurrence, **extra):
    if occurrence.ends_at > utcnow():
        for signup in people_of(occurrence):
            tell(signup, "cancelled", reason=occurrence.cancel_reason)


@date_moved.connect
def _date_moved(occurrence, series=False, **extra):
    if occurrence.ends_at > utcnow():
        for signup in people_of(occurrence):
            tell(signup, "series" if series else "moved")


def send_reminders(now=None):
    """Tomorrow's reminders: once per sign-up with a place, for dates starting within
    24 hours (not within two), unless turned off on the personal page or signed up
    in the last day (the confirmation is fresh). Returns how many were written."""
    now = now or utcnow()
    due = db.session.scalars(select(Signup).join(Signup.occurrence)
                             .options(contains_eager(Signup.occurrence)).where(
        Signup.status == "confirmed", Signup.reminders.is_(True),
        Signup.reminded_at.is_(None), Signup.contact.is_not(None),
        Occurrence.status == "scheduled",
        Occurrence.starts_at > now + REMIND_NOT_WITHIN,
        Occurrence.starts_at <= now + REMIND_AHEAD)).all()
    written = 0
    for signup in due:
        if signup.created_at > signup.occurrence.starts_at - REMIND_AHEAD:
            continue
        # Claimed by a conditional update: two workers never remind the same person twice.
        if db.session.execute(update(Signup).where(
                Signup.id == signup.id, Signup.reminded_at.is_(None))
                .values(reminded_at=now)
                .execution_options(synchronize_session=False)).rowcount == 1:
            tell(signup, "reminder", now=now)
            written += 1
    return written
