"""The activities that are not public: those of organisations that are not
(Activity.is_public, the one rule, read the other way round). Few, and read once per
data version and minute, so a list of every public date, or of the places near one,
leaves them out by id rather than looking up each date's organisation (the list of
every public date at --scale 10000: ~1 ms less on PostgreSQL)."""

from sqlalchemy import select, true

from ..common.db import in_ids
from ..common.remembered import remembered
from ..extensions import db
from ..organisations.models import Organisation
from .models import Activity

# At most this many are left out by id (more: each date's organisation looked up).
HIDDEN_BY_ID = 500


def hidden_activity_ids():
    """frozenset of the ids of the activities of organisations that are not public."""
    return remembered("hidden activities", lambda: frozenset(db.session.scalars(
        select(Activity.id).where(Activity.organisation_id.in_(
            select(Organisation.id).where(Organisation.not_public()))))))


def hidden_by_id():
    """The ids of the activities not public (hidden_activity_ids) when they are few
    enough to be left out by id (at most HIDDEN_BY_ID), else None."""
    hidden = hidden_activity_ids()
    return hidden if len(hidden) <= HIDDEN_BY_ID else None


def shown_activity():
    """SQL: the activity is public: those not public left out by id when few (a broad
    search at --scale 100000 hashed every organisation to tell), else each one's
    organisation looked up."""
    hidden = hidden_by_id()
    return (Activity.is_public if hidden is None else
            ~in_ids(Activity.id, sorted(hidden)) if hidden else true())
