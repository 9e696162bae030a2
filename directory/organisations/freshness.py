"""Freshness: how long ago an organisation's details were last confirmed, and what follows.

One fact, `Organisation.confirmed_at`, set by a coordinator's decision or extension, by
its members (confirming, or saving the profile) and by an import that verifies. From
it, for a verified organisation:

- eleven months on, its owners are asked to confirm (once per period);
- twelve months on, it is on the coordinators' list of stale listings (`stale`);
- thirteen months on, and never sooner than two months after they were asked, it
  leaves the public lists (`lapsed_at`, part of `Organisation.is_public`) and the
  owners are told; confirming, or a coordinator extending it, brings it back.

The worker's daily `freshness` task runs `check_freshness`.
"""

from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from ..audit.services import record, snapshot
from ..common.errors import FieldError
from ..common.time import utcnow
from ..extensions import db
from .models import PUBLIC_STATUS, Membership, Organisation
from .notices import tell_owners

ASK_AFTER = relativedelta(months=11)
STALE_AFTER = relativedelta(months=12)
LAPSE_AFTER = relativedelta(months=13)
# The owners always have this long between the request and the listing leaving (a
# listing already old when freshness began is asked first, not hidden at once).
NOTICE = relativedelta(months=2)
FRESHNESS_FIELDS = ("confirmed_at", "confirm_asked_at", "lapsed_at")  # audited


def _verified():
    return Organisation.status == PUBLIC_STATUS


def stale(now):
    """SQL: a verified listing not confirmed for STALE_AFTER (lapsed ones included:
    the coordinator can extend them)."""
    return _verified() & (Organisation.confirmed_at <= now - STALE_AFTER)


def _to_ask(now):
    return (_verified(), Organisation.confirmed_at <= now - ASK_AFTER,
            Organisation.confirm_asked_at.is_(None))


def _to_lapse(now):
    return (_verified(), Organisation.lapsed_at.is_(None),
            Organisation.confirmed_at <= now - LAPSE_AFTER,
            Organisation.confirm_asked_at <= now - NOTICE)


def lapses_at(organisation):
    """When an unconfirmed listing leaves the public lists: thirteen months after its
    confirmation, or two months after its owners were asked, whichever is later."""
    asked = organisation.confirm_asked_at or organisation.confirmed_at + ASK_AFTER
    return max(organisation.confirmed_at + LAPSE_AFTER, asked + NOTICE)


@dataclass(frozen=True)
class Standing:
    """An organisation's freshness as its manage page shows it."""

    confirmed_at: object
    due: bool  # asked, or old enough to be asked: please confirm
    lapses_at: object
    lapsed: bool


def standing(organisation, now=None):
    """The Standing of an organisation (None unless verified: freshness is a public
    listing's)."""
    if organisation.status != PUBLIC_STATUS:
        return None
    now = now or utcnow()
    return Standing(organisation.confirmed_at,
                    organisation.confirmed_at <= now - ASK_AFTER
                    or organisation.confirm_asked_at is not None,
                    lapses_at(organisation), organisation.lapsed_at is not None)


def confirm_details(organisation, by_user, now=None):
    """Someone who may edit the organisation says its details are still right."""
    before = snapshot(organisation, FRESHNESS_FIELDS)
    organisation.confirm(now or utcnow())
    db.session.flush()
    record(by_user, "organisation.confirm", organisation, organisation.name, before,
           snapshot(organisation, FRESHNESS_FIELDS))


def extend_listing(organisation, by_user, now=None):
    """A coordinator keeps a verified listing for another year (confirmed now)."""
    if organisation.status != PUBLIC_STATUS:
        raise FieldError("status", _l("Only a verified listing can be extended."))
    before = snapshot(organisation, FRESHNESS_FIELDS)
    organisation.confirm(now or utcnow())
    db.session.flush()
    record(by_user, "organisation.extend", organisation, organisation.name, before,
           snapshot(organisation, FRESHNESS_FIELDS))


def check_freshness(now=None):
    """The daily work: ask the owners of listings eleven months old to confirm them,
    and take those still unconfirmed at thirteen months off the public lists, telling
    the owners. Each exactly once, however many workers run it. Returns (asked,
    lapsed)."""
    now = now or utcnow()
    # Asking changes nothing anyone sees: `updated_at` (the API's modified_after,
    # the feeds' validators) stays.
    asked = _claim(_to_ask(now), confirm_asked_at=now, updated_at=Organisation.updated_at)
    lapsed = _claim(_to_lapse(now), lapsed_at=now, updated_at=now)
    for organisation in _with_owners(asked):
        tell_owners(organisation, "confirm", lapses_at(organisation), now)
    for organisation in _with_owners(lapsed):
        record(None, "organisation.lapse", organisation, organisation.name)
        tell_owners(organisation, "lapsed", None, now)
    return len(asked), len(lapsed)


def _claim(conditions, **values):
    """The ids of the organisations meeting `conditions`, each claimed with a
    conditional UPDATE that repeats them: two workers never claim the same one, and
    one confirmed meanwhile is left alone."""
    claimed = []
    for organisation_id in db.session.scalars(
            select(Organisation.id).where(*conditions).order_by(Organisation.id)).all():
        if db.session.execute(update(Organisation).where(
                Organisation.id == organisation_id, *conditions).values(**values)
                .execution_options(synchronize_session=False)).rowcount == 1:
            claimed.append(organisation_id)
    return claimed


def _with_owners(ids):
    """The organisations as they are now, with their owners' accounts loaded."""
    if not ids:
        return []
    return db.session.scalars(
        select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.id)
        .options(selectinload(Organisation.memberships).selectinload(Membership.user))
        .execution_options(populate_existing=True)).all()
