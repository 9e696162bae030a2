"""What became of the messages, for coordinators: counts by status and the messages
being retried or given up, in the coordinator's scope. Never the words or the
address: a kind, a channel, a status, a reason."""

from sqlalchemy import func, or_, select

from ..activities.models import Activity, Occurrence
from ..extensions import db
from ..messages.models import Message
from ..organisations.models import Organisation

TROUBLE = or_(Message.status == "failed",
              (Message.status == "pending") & (Message.attempts > 0))


def _in_scope(query, municipality_id):
    """A municipal coordinator sees the messages about their municipality's dates and
    organisations."""
    if municipality_id is None:
        return query
    return (query.outerjoin(Occurrence, Occurrence.id == Message.occurrence_id)
            .outerjoin(Activity, Activity.id == Occurrence.activity_id)
            .outerjoin(Organisation, Organisation.id == Message.organisation_id)
            .where(or_(Activity.municipality_id == municipality_id,
                       Organisation.municipality_id == municipality_id)))


def outbox_summary(municipality_id, limit=100):
    """({status: count}, [(message, the date it is about or None)]): the messages being
    retried or given up, newest first."""
    counts = dict(db.session.execute(_in_scope(
        select(Message.status, func.count(Message.id)), municipality_id)
        .group_by(Message.status)).all())
    troubles = db.session.scalars(_in_scope(select(Message), municipality_id)
                                  .where(TROUBLE).order_by(Message.id.desc())
                                  .limit(limit)).all()
    ids = {m.occurrence_id for m in troubles if m.occurrence_id}
    occurrences = {o.id: o for o in db.session.scalars(
        select(Occurrence).where(Occurrence.id.in_(ids)))} if ids else {}
    return counts, [(m, occurrences.get(m.occurrence_id)) for m in troubles]
