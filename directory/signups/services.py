"""Sign-up rules: capacity, the waiting list, personal links, and deleting data on time.

Capacity holds under any concurrency: the transaction starts as a writer (SQLite:
BEGIN IMMEDIATE) or locks the occurrence row (PostgreSQL: SELECT … FOR UPDATE), and the
seat is taken by a conditional UPDATE that only succeeds while seats are left.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy import func, select, update

from ..activities.editing import date_about
from ..activities.models import Activity, Occurrence
from ..audit.services import record
from ..common.db import begin_write, is_postgres
from ..common.errors import FieldError
from ..common.forms import ONE_LINE, has_line_break
from ..common.time import utcnow
from ..common.tokens import hash_token
from ..extensions import db
from ..messages.outbox import forget_for_signups
from ..organisations.models import Organisation
from .models import Signup
from .notices import link_token, tell

NAME_MAX = 80
CONTACT_MAX = 254


class SignupError(FieldError):
    """A sign-up was refused: 422 with messages by field, 409 when the date does not
    take it (`code` says why), 404 when there is no such date or link."""


def normal_contact(contact):
    """A phone number in E.164 or a lower-case e-mail address, or None."""
    contact = (contact or "").strip()
    if "@" in contact:
        try:
            return validate_email(contact, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            return None
    try:
        number = phonenumbers.parse(contact, "SE")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def contact_key(normalised):
    """A keyed hash of the contact: finds a double sign-up without storing it twice."""
    return hmac.new(current_app.config["SECRET_KEY"].encode(), normalised.encode(),
                    hashlib.sha256).hexdigest()


def check_input(name, contact, language):
    """Plain checks of the fields; raises SignupError (422) with messages by field."""
    fields = {}
    name = (name or "").strip()
    if not name:
        fields["name"] = _l("Write a first name or a name we can call you.")
    elif has_line_break(name):
        fields["name"] = ONE_LINE
    elif len(name) > NAME_MAX:
        fields["name"] = _ln("Use at most %(num)d character.",
                             "Use at most %(num)d characters.", NAME_MAX)
    normalised = None
    if not (contact or "").strip():
        fields["contact"] = _l("Write a phone number or an e-mail address.")
    elif len(contact) > CONTACT_MAX or (normalised := normal_contact(contact)) is None:
        fields["contact"] = _l("Write a phone number (e.g. 070-123 45 67) or an e-mail "
                               "address.")
    language = (language or "").strip().lower()
    if language and (len(language) > 8 or not language.replace("-", "").isalpha()):
        fields["language"] = _l("Choose a language from the list.")
    if fields:
        raise SignupError(message=_l("Some fields are not valid."), fields=fields)
    return name, normalised, language or None


def _open_occurrence(occurrence_id, lock):
    stmt = (select(Occurrence).join(Occurrence.activity).join(Activity.organisation)
            .where(Occurrence.id == occurrence_id, Organisation.is_public))
    if lock and is_postgres():
        stmt = stmt.with_for_update(of=Occurrence)
    occurrence = db.session.scalar(stmt)
    if occurrence is None:
        raise SignupError(message=_l("Not found."), status=404, code="not_found")
    return occurrence


def sign_up(occurrence_id, name, contact, language=None, now=None, interface_language=None):
    """A place if there is one, else a place in the queue. Returns (signup, token).

    The same contact signing up again for the same date gets no second place: the
    existing sign-up is returned with token None, and its personal link is sent to
    the contact again. A message confirms every new sign-up."""
    now = now or utcnow()
    name, normalised, language = check_input(name, contact, language)
    begin_write()
    occurrence = _open_occurrence(occurrence_id, lock=True)
    activity = occurrence.activity
    if not activity.registration_required:
        raise SignupError(message=_l("This activity needs no sign-up. Just come!"),
                          status=409, code="no_registration")
    if occurrence.is_cancelled:
        raise SignupError(message=_l("This date is cancelled."), status=409,
                          code="cancelled")
    if occurrence.starts_at <= now:
        raise SignupError(message=_l("This date has already started or passed."),
                          status=409, code="past")
    key = contact_key(normalised)
    existing = _signed_up(occurrence.id, key)
    if existing is not None:
        tell(existing, "link", now=now)
        return existing, None
    capacity = occurrence.effective_capacity or 0
    taken = db.session.execute(
        update(Occurrence)
        .where(Occurrence.id == occurrence.id, Occurrence.confirmed_count < capacity,
               Occurrence.waitlist_count == 0)
        .values(confirmed_count=Occurrence.confirmed_count + 1)
        .execution_options(synchronize_session=False)).rowcount == 1
    if not taken:
        db.session.execute(update(Occurrence).where(Occurrence.id == occurrence.id)
                           .values(waitlist_count=Occurrence.waitlist_count + 1)
                           .execution_options(synchronize_session=False))
    nonce = secrets.token_urlsafe(18)
    token = link_token(nonce)
    signup = Signup(occurrence_id=occurrence.id, name=name, contact=normalised,
                    contact_key=key, language=language,
                    interface_language=interface_language, link_nonce=nonce,
                    status="confirmed" if taken else "waitlisted",
                    token_hash=hash_token(token), created_at=now)
    db.session.add(signup)
    db.session.flush()
    db.session.expire(occurrence)
    tell(signup, signup.status, position=waitlist_position(signup), now=now)
    return signup, token


def _signed_up(occurrence_id, key):
    return db.session.scalar(select(Signup).where(
        Signup.occurrence_id == occurrence_id, Signup.contact_key == key,
        Signup.status != "cancelled"))


def send_link_again(occurrence_id, contact, now=None):
    """Send the personal link to `contact` when it is signed up for the date. Says
    nothing either way (the page answers the same), so it never tells who is signed
    up; returns whether a message was written, for tests."""
    normalised = normal_contact(contact) if contact and len(contact) <= CONTACT_MAX \
        else None
    if normalised is None:
        return False
    existing = _signed_up(occurrence_id, contact_key(normalised))
    if existing is None or existing.occurrence.ends_at <= (now or utcnow()):
        return False
    return tell(existing, "link", now=now) is not None


def set_reminders(token, wanted):
    """The participant turns the reminder the day before on or off."""
    signup = signup_for_token(token)
    if signup is None:
        raise SignupError(message=_l("This link is not valid."), status=404,
                          code="not_found")
    signup.reminders = bool(wanted)
    db.session.flush()
    return signup


def signup_for_token(token):
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Signup).where(Signup.token_hash == hash_token(token)))


def waitlist_position(signup):
    """1 for the first in the queue; None when not waiting."""
    if signup.status != "waitlisted":
        return None
    return db.session.scalar(select(func.count()).select_from(Signup).where(
        Signup.occurrence_id == signup.occurrence_id, Signup.status == "waitlisted",
        Signup.id <= signup.id))


def promote_from_waiting_list(occurrence, now=None):
    """Fill free seats from the queue, first come first served. Returns those promoted."""
    now = now or utcnow()
    capacity = occurrence.effective_capacity or 0
    promoted = []
    while True:
        taken = db.session.execute(
            update(Occurrence)
            .where(Occurrence.id == occurrence.id, Occurrence.confirmed_count < capacity,
                   Occurrence.waitlist_count > 0)
            .values(confirmed_count=Occurrence.confirmed_count + 1,
                    waitlist_count=Occurrence.waitlist_count - 1)
            .execution_options(synchronize_session=False)).rowcount == 1
        if not taken:
            break
        first = db.session.scalar(select(Signup).where(
            Signup.occurrence_id == occurrence.id, Signup.status == "waitlisted")
            .order_by(Signup.id).limit(1))
        first.status = "confirmed"
        first.promoted_at = now
        promoted.append(first)
        db.session.flush()
    db.session.expire(occurrence)
    for signup in promoted:
        tell(signup, "promoted", now=now)
    return promoted


def cancel_signup(token, now=None):
    """Give up the place (or the place in the queue); the next in the queue moves up."""
    now = now or utcnow()
    begin_write()
    signup = signup_for_token(token)
    if signup is None:
        raise SignupError(message=_l("This link is not valid."), status=404,
                          code="not_found")
    occurrence = _open_occurrence(signup.occurrence_id, lock=True)
    if signup.status == "cancelled":
        return signup
    if occurrence.ends_at <= now:
        raise SignupError(message=_l("This date has already started or passed."),
                          status=409, code="past")
    column = Occurrence.confirmed_count if signup.status == "confirmed" else \
        Occurrence.waitlist_count
    db.session.execute(update(Occurrence).where(Occurrence.id == occurrence.id)
                       .values({column: column - 1})
                       .execution_options(synchronize_session=False))
    was_confirmed = signup.status == "confirmed"
    signup.status = "cancelled"
    signup.cancelled_at = now
    db.session.flush()
    if was_confirmed:
        promote_from_waiting_list(occurrence, now)
    return signup


def delete_own_data(token, now=None):
    """The participant erases their name and contact (cancelling first if needed)."""
    now = now or utcnow()
    signup = signup_for_token(token)
    if signup is None:
        raise SignupError(message=_l("This link is not valid."), status=404,
                          code="not_found")
    if signup.status != "cancelled" and signup.occurrence.ends_at > now:
        cancel_signup(token, now)
    _erase(signup, now)
    forget_for_signups([signup.id])
    db.session.flush()


def _erase(signup, now):
    signup.name = None
    signup.contact = None
    signup.contact_key = None
    signup.link_nonce = None
    signup.purged_at = now


def set_capacity(occurrence, capacity, by_user):
    """Change one date's capacity; a larger one promotes from the queue at once."""
    begin_write()
    occurrence = _open_occurrence(occurrence.id, lock=True)
    before = occurrence.capacity
    occurrence.capacity = capacity
    db.session.flush()
    promoted = promote_from_waiting_list(occurrence)
    record(by_user, "occurrence.capacity", occurrence, occurrence.activity.title,
           {"capacity": before}, {"capacity": capacity}, about=date_about(occurrence))
    return promoted


def record_attendance(occurrence, came_ids, walk_ins, by_user):
    """Who came: the ticked sign-ups (of this date, not cancelled) are marked as come,
    the others as not; the walk-ins are counted; the date's attendance is both together.
    The marks and counts stay when the purge erases names."""
    came_ids = {int(i) for i in came_ids}
    ticked = 0
    for signup in signups_of(occurrence):
        if signup.status == "cancelled":
            continue
        signup.attended = signup.id in came_ids
        ticked += signup.attended
    before = {"attended": occurrence.attended_count, "walk_ins": occurrence.walk_in_count}
    occurrence.walk_in_count = walk_ins or 0
    occurrence.attended_count = ticked + occurrence.walk_in_count
    record(by_user, "occurrence.attendance", occurrence, occurrence.activity.title, before,
           {"attended": occurrence.attended_count, "walk_ins": occurrence.walk_in_count},
           about=date_about(occurrence))
    db.session.flush()
    return occurrence.attended_count


def purge_personal_data(retention_days, now=None):
    """Erase names and contacts of sign-ups whose date ended more than `retention_days`
    ago. Counts stay. Safe to run again. Returns how many were erased."""
    now = now or utcnow()
    cutoff = now - timedelta(days=retention_days)
    stale = db.session.scalars(
        select(Signup).join(Signup.occurrence)
        .where(Occurrence.ends_at < cutoff, Signup.purged_at.is_(None))).all()
    for signup in stale:
        _erase(signup, now)
    forget_for_signups([signup.id for signup in stale])
    db.session.flush()
    return len(stale)


def signups_of(occurrence):
    return db.session.scalars(select(Signup).where(Signup.occurrence_id == occurrence.id)
                              .order_by(Signup.id)).all()


