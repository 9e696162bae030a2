"""The activities that are not public: those of organisations that are not
(Activity.is_public, the one rule, read the other way round). Few, and read once per
data version and minute, so a list of every public date, or of the places near one,
leaves them out by id rather than looking up each date's organisation (the list of
every public date at --scale 10000: ~1 ms less on PostgreSQL)."""

from sqlalchemy import select

from ..common.caching import remembered
from ..extensions import db
from ..organisations.models import Organisation
from .models import Activity


def hidden_activity_ids():
    """frozenset of the ids of the activities of organisations that are not public."""
    return remembered("hidden activities", lambda: frozenset(db.session.scalars(
        select(Activity.id).where(Activity.organisation_id.in_(
            select(Organisation.id).where(Organisation.not_public()))))))
