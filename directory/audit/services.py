"""Recording who changed what, and reading the log back."""

from datetime import date, datetime, time

from sqlalchemy import select

from ..common.time import local_day_bounds
from ..extensions import db
from .models import AuditEvent


def _plain(value):
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def snapshot(obj, fields):
    """The named fields of an object as plain JSON values, for before → after."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def record(user, action, obj, summary="", before=None, after=None):
    """Write one AuditEvent; only fields that changed are kept of before and after."""
    if before is not None and after is not None:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in sorted(changed)}
        after = {k: after.get(k) for k in sorted(changed)}
    event = AuditEvent(user_id=getattr(user, "id", None), action=action,
                       object_type=type(obj).__name__, object_id=getattr(obj, "id", None),
                       summary=summary[:300], before=before, after=after)
    db.session.add(event)
    return event


def find_events(action=None, object_type=None, user_id=None, day_from=None, day_to=None,
                limit=200, user_ids=None):
    """The newest events first, filtered; `user_ids`: only what these accounts did."""
    stmt = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if user_id:
        stmt = stmt.where(AuditEvent.user_id == user_id)
    if user_ids is not None:
        stmt = stmt.where(AuditEvent.user_id.in_(list(user_ids) or [-1]))
    if day_from:
        stmt = stmt.where(AuditEvent.at >= local_day_bounds(day_from)[0])
    if day_to:
        stmt = stmt.where(AuditEvent.at < local_day_bounds(day_to)[1])
    return db.session.scalars(stmt.limit(limit)).all()
