"""Recording who changed what, and reading the log back."""

from datetime import date, datetime, time

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import joinedload

from ..common.listing import ListResult
from ..common.time import local_day_bounds
from ..extensions import db
from .models import AuditEvent


# The key of `after` that holds what a sentence needs besides the change (see record).
ABOUT = "about"


def _plain(value):
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def snapshot(obj, fields):
    """The named fields of an object as plain JSON values, for before → after."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def record(user, action, obj, summary="", before=None, after=None, about=None):
    """Write one AuditEvent; only fields that changed are kept of before and after.
    `about`: what the log's sentence names besides the object's label (its
    organisation, room, times: plain values), kept in `after` as "about"."""
    if before is not None and after is not None:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in sorted(changed)}
        after = {k: after.get(k) for k in sorted(changed)}
    if about:
        after = {**(after or {}), ABOUT: {k: _plain(v) for k, v in about.items()}}
    event = AuditEvent(user_id=getattr(user, "id", None), action=action,
                       object_type=type(obj).__name__, object_id=getattr(obj, "id", None),
                       summary=summary[:300], before=before, after=after)
    db.session.add(event)
    return event


def event_page(page=1, per_page=50, user_id=None, user_ids=None, prefixes=None,
               objects=None, day_from=None, day_to=None):
    """One page (common.listing.ListResult) of the newest events first, with their
    accounts: by `user_id`; only what `user_ids` did (a coordinator's scope); actions
    starting with one of `prefixes`; about one of `objects` ([(object type, ids or a
    select of ids)]); between two local days."""
    conditions = []
    if user_id:
        conditions.append(AuditEvent.user_id == user_id)
    if user_ids is not None:
        conditions.append(AuditEvent.user_id.in_(list(user_ids) or [-1]))
    if prefixes is not None:
        conditions.append(or_(false(), *(AuditEvent.action.startswith(p, autoescape=True)
                                         for p in prefixes)))
    if objects is not None:
        conditions.append(or_(false(), *(and_(AuditEvent.object_type == kind,
                                              AuditEvent.object_id.in_(ids))
                                         for kind, ids in objects)))
    if day_from:
        conditions.append(AuditEvent.at >= local_day_bounds(day_from)[0])
    if day_to:
        conditions.append(AuditEvent.at < local_day_bounds(day_to)[1])
    total = db.session.scalar(select(func.count(AuditEvent.id)).where(*conditions))
    events = db.session.scalars(
        select(AuditEvent).where(*conditions).options(joinedload(AuditEvent.user))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * per_page).limit(per_page)).all()
    return ListResult(events, page, per_page, total)
