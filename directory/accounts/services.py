"""Account rules: passwords, logging in, and signed single-use links."""

import os

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from ..audit.services import record
from ..common.errors import FieldError
from ..common.time import utcnow
from ..common.tokens import hash_token
from ..extensions import db
from ..messages.outbox import in_language, queue, recipient_language
from .models import ROLES, User

PASSWORD_MIN_LENGTH = 10
LINK_MAX_AGE = 48 * 3600  # invitations and password links expire after 48 hours
ZXCVBN_MAX = 72
_COMMON_FILE = os.path.join(os.path.dirname(__file__), "common_passwords.txt")
# Checked against when the user is unknown, so both answers take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


class AccountError(FieldError):
    """An account rule was broken."""


def _common_passwords():
    cache = getattr(_common_passwords, "cache", None)
    if cache is None:
        with open(_COMMON_FILE, encoding="utf-8") as fh:
            cache = {line.strip().casefold() for line in fh if line.strip()}
        _common_passwords.cache = cache
    return cache


def check_password_rules(password, personal=()):
    """A password is at least 10 characters and hard to guess: not a well-known one,
    and zxcvbn's estimate at least 10⁸ guesses (score 3), with its lists of common
    passwords and words, our Swedish ones, and the person's own e-mail and name."""
    if len(password or "") < PASSWORD_MIN_LENGTH:
        raise AccountError("password", _ln("Use at least %(num)d character.",
                                           "Use at least %(num)d characters.",
                                           PASSWORD_MIN_LENGTH))
    if password.casefold() in _common_passwords():
        raise AccountError("password", _l("That password is too common. Choose another."))
    words = [*sorted(_common_passwords()), "samverkan",
             *(p for p in personal if p), *(p.split("@")[0] for p in personal if p)]
    # zxcvbn takes at most 72 characters; the start of a longer one is judged.
    if zxcvbn(password[:ZXCVBN_MAX], user_inputs=words)["score"] < 3:
        raise AccountError("password", _l("That password is easy to guess. A few words in "
                                          "a row are easy to remember and hard to guess."))


def set_password(user, password):
    """Store a memory-hard (scrypt) hash of a new password that passes the rules. Every
    session of the account ends: whoever knew the old password is logged out (the view
    logs the person who changed it in again)."""
    check_password_rules(password, (user.email, user.name))
    user.password_hash = generate_password_hash(password, method="scrypt")
    user.end_sessions()


def normalise_email(email):
    return (email or "").strip().lower()


def find_user(email):
    return db.session.scalar(select(User).where(func.lower(User.email) ==
                                                normalise_email(email)))


def authenticate(email, password, language=None):
    """The active user with this e-mail and password, or None; same work either way.
    `language` (the interface language used to log in) is what their messages are
    written in from now on."""
    user = find_user(email)
    if user is None or not user.password_hash or not user.active:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    user.last_login_at = utcnow()
    user.language = language or user.language
    return user


def send_password_link(user, link):
    """A link to choose a new password, by e-mail, in the account's language."""
    language = recipient_language(user.language)

    def write():
        return (str(_l("Choose a new password")),
                str(_l("Choose a new password within 48 hours: %(link)s", link=link)) + "\n")
    subject, body = in_language(language, write)
    return queue("account.password", user.email, language, subject, body, user_id=user.id)


def create_user(email, role, name="", municipality=None):
    """A new account without a password; the set-password link gives it one."""
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError("role", _l("Unknown role."))
    if find_user(email) is not None:
        raise AccountError("email", _l("There is already an account with that e-mail."))
    user = User(email=email, role=role, name=name, municipality=municipality)
    db.session.add(user)
    db.session.flush()
    return user


def deactivate(account, by_user):
    """The account can no longer log in, and every session it has ends at once (on its
    next request). Nobody deactivates their own account. Who may deactivate whom is the
    caller's check (organisations.services.may_act_on_account for coordinators)."""
    if by_user is not None and account.id == by_user.id:
        raise AccountError("account", _l("You cannot deactivate your own account."))
    if not account.active:
        raise AccountError("account", _l("That account is already deactivated."))
    account.active = False
    account.end_sessions()
    db.session.flush()
    record(by_user, "account.deactivate", account, account.email, {"active": True},
           {"active": False})


def reactivate(account, by_user):
    """The account can log in again, with its password; its old sessions stay ended."""
    if account.active:
        raise AccountError("account", _l("That account is already active."))
    account.active = True
    db.session.flush()
    record(by_user, "account.reactivate", account, account.email, {"active": False},
           {"active": True})


def end_sessions(account, by_user):
    """Log the account out everywhere (every browser, every remember cookie)."""
    account.end_sessions()
    db.session.flush()
    record(by_user, "account.end_sessions", account, account.email)


# --------------------------------------------------------------- signed links

def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="account-link")


def _fingerprint(user):
    """Changes when the password does, so a link works once."""
    return hash_token(user.password_hash or "unset")[:16]


def make_password_token(user, purpose="set-password"):
    """A signed link token for setting a password; single-use and valid for 48 hours."""
    return _serializer().dumps({"u": user.id, "f": _fingerprint(user), "p": purpose})


def user_for_password_token(token, purpose="set-password"):
    """The user a still-valid, unused token belongs to; else AccountError."""
    try:
        data = _serializer().loads(token, max_age=LINK_MAX_AGE)
    except SignatureExpired:
        raise AccountError("token", _l("This link has expired. Ask for a new one.")) from None
    except BadSignature:
        raise AccountError("token", _l("This link is not valid.")) from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or data.get("p") != purpose or data.get("f") != _fingerprint(user):
        raise AccountError("token", _l("This link has already been used or is not valid."))
    return user


def all_accounts():
    """Every account, by e-mail."""
    return db.session.scalars(select(User).order_by(User.email)).all()
