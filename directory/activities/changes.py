"""What changed since a moment (`modified_after`): the conditions a partner system's
incremental sync reads, for dates (occurrences) and series (activities) alike."""

from sqlalchemy import or_, select

from ..organisations.models import Organisation
from .models import Activity, Occurrence


def activity_changed_since(moment):
    """SQL on Activity: it or its organisation changed at or after `moment` (what an
    HSDS service is made of), for `modified_after`."""
    return or_(Activity.updated_at >= moment, Activity.organisation_id.in_(
        select(Organisation.id).where(Organisation.updated_at >= moment)))


def occurrence_changed_since(moment):
    """[conditions on Occurrence] for `modified_after` (none when None): the date, its
    activity or its organisation changed at or after `moment`."""
    if moment is None:
        return []
    return [or_(Occurrence.updated_at >= moment, Occurrence.activity_id.in_(
        select(Activity.id).where(activity_changed_since(moment))))]
