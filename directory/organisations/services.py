"""Organisation rules: finding public organisations (list filters resolved), scope and
who may edit, registering, changing and reviewing an organisation (its members:
members.py)."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.services import AccountError
from ..audit.services import record, snapshot
from ..common.db import id_batches
from ..common.errors import FieldError
from ..common.i18n import merge_translations
from ..common.listing import ListResult, counted_to, matches_text, speaks, tagged
from ..common.text import slugify
from ..common.time import utcnow
from ..common.validators import normal_org_number
from ..extensions import db
from ..geo.distance import nearest_first
from ..geo.services import place_missing, refine, resolve_near, within_rings
from ..taxonomy.models import FocusArea, Municipality, TargetGroup
from .freshness import stale
from .models import STATUSES, Membership, Organisation, organisation_focus_area
from .notices import tell_decision


@dataclass(frozen=True)
class ResolvedFilters:
    """The slugs of a ListFilters as ids, with a notice for each unknown one (dropped).
    None: not asked, or nothing known (the filter is left out)."""

    focus_ids: list | None = None
    target_ids: list | None = None
    municipality_ids: list | None = None
    organisation_ids: list | None = None
    notices: tuple = ()

    @property
    def asks_anything(self):
        """Whether any of these filters is asked (and known)."""
        return any(ids is not None for ids in (self.focus_ids, self.target_ids,
                                                self.municipality_ids, self.organisation_ids))

    def in_municipalities(self, column):
        """[SQL]: `column` (a municipality id) is one of the filter's municipalities;
        none when the filter leaves municipalities out."""
        if self.municipality_ids is None:
            return []
        return [column.in_(self.municipality_ids)]


def _ids_for(model, values, notices, message_for, *conditions):
    """The ids of the rows with these slugs (None when none is known); each unknown
    slug adds a notice."""
    if not values:
        return None
    found = dict(db.session.execute(
        select(model.slug, model.id).where(model.slug.in_(values), *conditions)).all())
    for value in values:
        if value not in found:
            notices.append(message_for(value))
    return list(found.values()) or None


def resolve_common_filters(filters):
    """Resolve focus, target, kommun and org slugs (org: a public organisation); each
    unknown one adds a notice to what is returned, never to `filters`."""
    notices = []
    focus_ids = _ids_for(FocusArea, filters.focus, notices,
                         lambda v: _l("There is no focus area “%(value)s”; "
                                      "it is ignored.", value=v))
    target_ids = _ids_for(TargetGroup, filters.target, notices,
                          lambda v: _l("There is no target group “%(value)s”; "
                                       "it is ignored.", value=v))
    municipality_ids = _ids_for(Municipality, [filters.kommun] if filters.kommun else [],
                                notices, lambda v: _l("There is no municipality “%(value)s”; "
                                                      "it is ignored.", value=v))
    # Organisation.is_public built only when asked: every list page resolves its
    # filters, and most name no organisation.
    organisation_ids = _ids_for(Organisation, [filters.org], notices,
                                lambda v: _l("There is no organisation “%(value)s”; it is "
                                             "ignored.", value=v),
                                Organisation.is_public) if filters.org else None
    return ResolvedFilters(focus_ids, target_ids, municipality_ids, organisation_ids,
                           tuple(notices))


def organisation_conditions(filters, resolved):
    """The list filters as conditions on Organisation (but `near`): text, focus areas,
    spoken language, municipality, changed since (`modified_after`)."""
    conditions = []
    if filters.q:
        conditions.append(matches_text(Organisation, filters.q))
    if resolved.focus_ids is not None:
        conditions.append(tagged(Organisation.id, organisation_focus_area.c.organisation_id,
                                 organisation_focus_area.c.focus_area_id, resolved.focus_ids))
    if filters.lang:
        conditions.append(speaks(Organisation, filters.lang))
    conditions += resolved.in_municipalities(Organisation.municipality_id)
    if filters.modified_after is not None:
        conditions.append(Organisation.updated_at >= filters.modified_after)
    return conditions


def _organisation_loading():
    return selectinload(Organisation.focus_areas), selectinload(Organisation.municipality)


def _organisations_by_id(ids):
    """The organisations with these ids, in the order given, loaded for a list."""
    found = {o.id: o for o in db.session.scalars(
        select(Organisation).where(Organisation.id.in_(ids))
        .options(*_organisation_loading()))} if ids else {}
    return [found[i] for i in ids if i in found]


def organisation_page(filters, page, per_page):
    """ListResult: page `page` (from 1) of public organisations matching `filters`, by
    name, counted only so far past the page (common.listing.counted_to); near a place
    (`filters.near`) nearest first, all counted, with the shown ones' distances."""
    resolved = resolve_common_filters(filters)
    where = [Organisation.is_public, *organisation_conditions(filters, resolved)]
    place, near_notice = resolve_near(filters.near)
    notices = filters.notices + resolved.notices + ((near_notice,) if near_notice else ())
    if place_missing(near_notice):
        return ListResult([], page, per_page, 0, notices=notices)
    if place is None:
        # By name (ix_organisation_name), counted only so far past the page.
        ids = db.session.scalars(select(Organisation.id).where(*where)
                                 .order_by(Organisation.name, Organisation.id)
                                 .limit(counted_to(page, per_page) + 1)).all()
        return ListResult.counted(ids, page, per_page, _organisations_by_id,
                                  notices=notices)
    # The places that meet the other filters (indexed box and the filters in one
    # query, then the distance), ring by ring until the page and the few counted past
    # it are found, sorted here: SQL neither sorts nor counts them.
    found, wanted = {}, counted_to(page, per_page) + 1
    for found_ring in within_rings(Organisation, place, filters.radius_km, *where):
        found.update(found_ring)
        if len(found) >= wanted:
            break
    ordered = nearest_first(found)
    items = _organisations_by_id(ordered[(page - 1) * per_page:page * per_page])
    near = dict(distances=refine(place, Organisation, {o.id for o in items}),
                notices=notices, near_place=place)
    if len(found) < wanted:  # every ring read: all of them
        return ListResult(items, page, per_page, len(found), **near)
    return ListResult.found(items, page, per_page, len(found), **near)


def public_organisation_batches(size):
    """Every public organisation, as the list finds them with no filter, `size` at a
    time by id, loaded to be serialised (the open-data export: common.db.id_batches)."""
    return id_batches(Organisation.id, [Organisation.is_public], size,
                      _organisations_by_id)


def public_organisation(slug):
    """The public organisation with this slug, or None."""
    return db.session.scalar(select(Organisation).where(
        Organisation.slug == slug, Organisation.is_public))


def public_organisation_by_uuid(value):
    """The public organisation with this UUID (its HSDS id), or None."""
    return db.session.scalar(select(Organisation).where(
        Organisation.uuid == value, Organisation.is_public))


def valid_org_number(value):
    """Whether a Swedish organisationsnummer (NNNNNN-NNNN) has a valid Luhn check digit."""
    return normal_org_number(value) is not None


# ------------------------------------------------------------ changing organisations

PROFILE_FIELDS = ("name", "kind", "org_number", "description", "translations",
                  "municipality_id", "street_address", "postal_code", "city", "latitude",
                  "longitude", "website", "email", "phone", "language_codes", "status",
                  "status_reason")
RESERVED_SLUGS = {"register", "new", "edit", "calendar", "manage"}


class OrganisationError(FieldError):
    """An organisation rule was broken."""


def in_scope(user, municipality_id):
    """The coordinator's scope, one rule: a county-wide coordinator (no municipality)
    reaches every municipality, a municipal one only their own."""
    return getattr(user, "is_staff", False) and user.municipality_id in (None,
                                                                          municipality_id)


def may_edit(user, organisation):
    """Staff may edit any organisation (of their municipality, when limited);
    members only their own."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff:
        return in_scope(user, organisation.municipality_id)
    return any(m.organisation_id == organisation.id for m in user.memberships)


def may_act_on_account(coordinator, account):
    """Whether a coordinator may act on an account (a password link, and whatever
    changes an account): a county-wide coordinator on any; one limited to a
    municipality only on accounts that reach no further than it: coordinators of the
    same municipality, and members whose organisations are all in it. Never on a
    county-wide coordinator or a partner's account."""
    if coordinator is None or not getattr(coordinator, "is_staff", False):
        return False
    scope = coordinator.municipality_id
    if scope is None:
        return True
    if account.role == "staff":
        return account.municipality_id == scope
    if account.role == "partner":
        return False
    return all(m.organisation.municipality_id == scope for m in account.memberships)


def set_coordinator_municipality(account, municipality_id, by_user):
    """Limit a coordinator's account to one enabled municipality, or give it the whole
    county (`municipality_id` None). Only a county-wide coordinator changes a scope, and
    never their own (nobody widens their own scope, nor narrows away the last way back).
    The change is audited; sessions stay, as the scope is read on every request."""
    if by_user is not None and not (getattr(by_user, "is_staff", False)
                                    and by_user.municipality_id is None):
        raise AccountError("municipality", _l("Only a county-wide coordinator can change "
                                              "a coordinator's municipality."))
    if by_user is not None and account.id == by_user.id:
        raise AccountError("municipality", _l("You cannot change your own municipality. "
                                              "Ask another county-wide coordinator."))
    if not account.is_staff:
        raise AccountError("municipality", _l("%(email)s is not a coordinator: only a "
                                              "coordinator has a municipality.",
                                              email=account.email))
    if municipality_id == account.municipality_id:
        return  # unchanged, even when its municipality has since been disabled
    municipality = None
    if municipality_id is not None:
        municipality = db.session.get(Municipality, municipality_id)
        if municipality is None or not municipality.enabled:
            raise AccountError("municipality", _l("Choose a municipality this installation "
                                                  "serves, or the whole county."))
    before = account.municipality.code if account.municipality is not None else None
    after = municipality.code if municipality is not None else None
    account.municipality = municipality
    db.session.flush()
    record(by_user, "account.municipality", account, account.email,
           {"municipality": before}, {"municipality": after},
           about={"municipality": municipality.name} if municipality is not None else None)


def unique_slug(name, taken=None):
    """A slug for a new organisation named `name` that no organisation has: its name's
    slug, else with -2, -3 …. `taken`: the slugs in use, as a set (an import of many
    asks once, and the slug given is added to it); without it the database is asked."""
    base = slugify(name)[:100]
    slug, n = base, 1
    while slug in RESERVED_SLUGS or (slug in taken if taken is not None else db.session.scalar(
            select(Organisation.id).where(Organisation.slug == slug))):
        n += 1
        slug = f"{base}-{n}"
    if taken is not None:
        taken.add(slug)
    return slug


def apply_profile(organisation, data):
    """Copy profile data (a plain dict) onto an organisation."""
    organisation.name = data["name"].strip()
    organisation.kind = data["kind"]
    organisation.org_number = normal_org_number(data.get("org_number")) if data.get(
        "org_number") else None
    organisation.description = data["description"].strip()
    organisation.translations = merge_translations(organisation.translations,
                                                   data.get("translations"))
    organisation.municipality_id = data["municipality"]
    for name in ("street_address", "postal_code", "city", "website", "email", "phone"):
        setattr(organisation, name, (data.get(name) or "").strip() or None)
    organisation.latitude = data.get("latitude")
    organisation.longitude = data.get("longitude")
    organisation.languages = data.get("languages") or []
    organisation.focus_areas = list(db.session.scalars(
        select(FocusArea).where(FocusArea.id.in_(data.get("focus_areas") or []))))
    if "preferred_language" in data:  # the profile form's, not an import's
        organisation.preferred_language = data["preferred_language"] or None
        organisation.signup_digest = bool(data.get("signup_digest"))


def register_organisation(data, owner):
    """A new organisation, pending review, with `owner` as its first owner."""
    if db.session.scalar(select(Organisation.id).where(
            func.lower(Organisation.name) == data["name"].strip().lower())):
        raise OrganisationError("name", _l("An organisation with that name is already "
                                           "registered."))
    organisation = Organisation(slug=unique_slug(data["name"]), status="pending")
    apply_profile(organisation, data)
    db.session.add(organisation)
    db.session.add(Membership(user=owner, organisation=organisation, role="owner"))
    db.session.flush()
    return organisation


def update_profile(organisation, data, by_user):
    """Save profile changes; staff changes (and all others) go to the audit log.
    Saving the profile confirms its details (freshness)."""
    before = snapshot(organisation, PROFILE_FIELDS)
    apply_profile(organisation, data)
    organisation.confirm(utcnow())
    db.session.flush()
    record(by_user, "organisation.update", organisation, organisation.name, before,
           snapshot(organisation, PROFILE_FIELDS))


def decide(organisation, status, reason, by_user):
    """Verify, reject or archive an organisation, with a reason the applicant sees."""
    if status not in STATUSES or status == "pending":  # a decision, not a new review
        raise OrganisationError("status", _l("Unknown decision."))
    if status == "rejected" and not (reason or "").strip():
        raise OrganisationError("reason", _l("Say why, so the organisation can put it "
                                             "right."))
    before = snapshot(organisation, ("status", "status_reason"))
    organisation.status = status
    organisation.status_reason = (reason or "").strip() or None
    organisation.reviewed_at = utcnow()
    organisation.confirm(organisation.reviewed_at)  # a review confirms its details
    if status == "verified":
        organisation.verified_at = organisation.reviewed_at
    db.session.flush()
    record(by_user, f"organisation.{status}", organisation, organisation.name, before,
           snapshot(organisation, ("status", "status_reason")))
    tell_decision(organisation)


def organisations_with_status(status, municipality_id=None, stale_at=None):
    """Organisations with a status, oldest first; only those stale at `stale_at` (a
    moment, freshness.stale) when given, least recently confirmed first."""
    stmt = select(Organisation).where(Organisation.status == status)
    if municipality_id:
        stmt = stmt.where(Organisation.municipality_id == municipality_id)
    if stale_at is not None:
        stmt = stmt.where(stale(stale_at)).order_by(Organisation.confirmed_at)
    return db.session.scalars(stmt.order_by(Organisation.created_at)).all()
