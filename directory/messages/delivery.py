"""Delivering the outbox: what the task worker runs after a commit and every minute.

Each message is claimed by one conditional UPDATE (pending and due → sending, with a
lease), so two workers never send the same message; the claim is committed before the
network is touched, and no transaction is open while a server is slow. A server that
is down puts the message back with a later attempt (backoff); after the last attempt,
or when the address is refused, it is `failed` with a reason a coordinator can read.
A worker that dies while sending leaves a lease that runs out: the message is tried
again (at least once, never lost).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from ..common.time import utcnow
from ..extensions import db
from .channels import GiveUp, TryLater, send
from .models import Message

BACKOFF_MINUTES = (1, 2, 5, 15, 30, 60, 120, 240, 480, 720)  # then given up (~20 h)
LEASE = timedelta(minutes=5)
BATCH = 200


@dataclass
class Delivered:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    reasons: list = field(default_factory=list)


def deliver_due(now=None, limit=BATCH):
    """Send every message that is due; returns the counts."""
    now = now or utcnow()
    _release_stale(now)
    due = db.session.scalars(select(Message.id).where(
        Message.status == "pending", Message.next_attempt_at <= now)
        .order_by(Message.id).limit(limit)).all()
    db.session.commit()
    outcome = Delivered()
    for message_id in due:
        message = _claim(message_id, now)
        if message is not None:
            _deliver(message, now, outcome)
    return outcome


def _release_stale(now):
    db.session.execute(update(Message).where(
        Message.status == "sending", Message.locked_until < now)
        .values(status="pending", locked_until=None)
        .execution_options(synchronize_session=False))
    db.session.commit()


def _claim(message_id, now):
    claimed = db.session.execute(update(Message).where(
        Message.id == message_id, Message.status == "pending",
        Message.next_attempt_at <= now)
        .values(status="sending", attempts=Message.attempts + 1, locked_until=now + LEASE)
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.commit()
    return db.session.get(Message, message_id) if claimed else None


def _deliver(message, now, outcome):
    if not message.recipient:
        _finish(message, "failed", "recipient deleted")
        outcome.failed += 1
        return
    try:
        send(current_app.config, message)
    except GiveUp as error:
        _finish(message, "failed", str(error))
        outcome.failed += 1
        outcome.reasons.append(str(error))
    except TryLater as error:
        if message.attempts >= len(BACKOFF_MINUTES):
            _finish(message, "failed", f"gave up: {error}")
            outcome.failed += 1
        else:
            message.status = "pending"
            message.locked_until = None
            message.last_error = str(error)[:80]
            message.next_attempt_at = now + timedelta(
                minutes=BACKOFF_MINUTES[message.attempts - 1])
            db.session.commit()
            outcome.retrying += 1
        outcome.reasons.append(str(error))
    else:
        _finish(message, "sent", None, sent_at=utcnow())
        outcome.sent += 1


def _finish(message, status, reason, sent_at=None):
    message.status = status
    message.locked_until = None
    message.last_error = reason[:80] if reason else None
    message.sent_at = sent_at
    if status == "sent":
        # Sent: the words and the address are no longer kept.
        message.recipient = message.subject = message.body = None
    db.session.commit()

