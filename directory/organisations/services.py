"""Organisation rules: what is public, and finding organisations."""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..common.errors import FieldError
from ..common.text import like_pattern
from ..common.validators import normal_org_number
from ..extensions import db
from ..taxonomy.models import FocusArea, Municipality, TargetGroup
from .models import Organisation, organisation_focus_area


@dataclass
class ResolvedFilters:
    """Slugs of a ListFilters turned into ids; unknown ones dropped."""

    focus_ids: list = field(default_factory=list)
    target_ids: list = field(default_factory=list)
    municipality_id: int | None = None
    organisation_id: int | None = None


def _ids_for(model, values, notices, message_for):
    if not values:
        return []
    found = dict(db.session.execute(
        select(model.slug, model.id).where(model.slug.in_(values))).all())
    for value in values:
        if value not in found:
            notices.append(message_for(value))
    return list(found.values())


def resolve_common_filters(filters):
    """Resolve focus, target, kommun and org slugs; each unknown one adds a notice."""
    resolved = ResolvedFilters()
    resolved.focus_ids = _ids_for(FocusArea, filters.focus, filters.notices,
                                  lambda v: _l("There is no focus area “%(value)s”; "
                                               "it is ignored.", value=v))
    resolved.target_ids = _ids_for(TargetGroup, filters.target, filters.notices,
                                   lambda v: _l("There is no target group “%(value)s”; "
                                                "it is ignored.", value=v))
    if filters.kommun:
        ids = _ids_for(Municipality, [filters.kommun], filters.notices,
                       lambda v: _l("There is no municipality “%(value)s”; "
                                    "it is ignored.", value=v))
        resolved.municipality_id = ids[0] if ids else None
    if filters.org:
        org_id = db.session.scalar(select(Organisation.id).where(
            Organisation.slug == filters.org, Organisation.status == "verified"))
        if org_id is None:
            filters.notices.append(_l("There is no organisation “%(value)s”; it is ignored.",
                                      value=filters.org))
        resolved.organisation_id = org_id
    return resolved


def public_organisations(filters):
    """A select of verified organisations matching `filters` (but `near`), by name."""
    resolved = resolve_common_filters(filters)
    stmt = select(Organisation).where(Organisation.status == "verified")
    if filters.q:
        stmt = stmt.where(Organisation.search_text.like(like_pattern(filters.q), escape="\\"))
    if resolved.focus_ids:
        stmt = stmt.where(Organisation.id.in_(
            select(organisation_focus_area.c.organisation_id)
            .where(organisation_focus_area.c.focus_area_id.in_(resolved.focus_ids))))
    if filters.lang:
        stmt = stmt.where(Organisation.language_codes.like(
            Organisation.language_pattern(filters.lang)))
    if resolved.municipality_id:
        stmt = stmt.where(Organisation.municipality_id == resolved.municipality_id)
    return stmt.order_by(Organisation.name, Organisation.id).options(*_organisation_loading())


def _organisation_loading():
    return selectinload(Organisation.focus_areas), selectinload(Organisation.municipality)


def organisation_page(filters, page, per_page):
    """Page `page` of public organisations matching `filters`: by name, or nearest first
    near a place (`filters.near`), with their distances in `filters.distances`."""
    from ..geo.distance import nearest_first
    from ..geo.services import resolve_near, within
    stmt = public_organisations(filters)
    place = resolve_near(filters) if filters.near else None
    if place is None:
        return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)
    filters.near_place = place
    # The places within the radius that meet the other filters (indexed box and the
    # filters in one query, then the distance), sorted here: SQL neither sorts nor
    # counts them again.
    filters.distances = within(Organisation, place, filters.radius_km, stmt.whereclause)
    return _OrderedPage(page=page, per_page=per_page, max_per_page=None, error_out=False,
                        ids=nearest_first(filters.distances))


class _OrderedPage(Pagination):
    """A page of organisations whose ids are already in order."""

    def _query_items(self):
        start = (self.page - 1) * self.per_page
        wanted = self._query_args["ids"][start:start + self.per_page]
        if not wanted:
            return []
        found = {o.id: o for o in db.session.scalars(
            select(Organisation).where(Organisation.id.in_(wanted))
            .options(*_organisation_loading()))}
        return [found[i] for i in wanted if i in found]

    def _query_count(self):
        return len(self._query_args["ids"])


def public_organisation(slug):
    """The verified organisation with this slug, or None."""
    return db.session.scalar(select(Organisation).where(
        Organisation.slug == slug, Organisation.status == "verified"))


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
    from ..accounts.services import AccountError
    from ..audit.services import record
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
           {"municipality": before}, {"municipality": after})


def unique_slug(name):
    from ..common.text import slugify
    base = slugify(name)[:100]
    slug, n = base, 1
    while slug in RESERVED_SLUGS or db.session.scalar(
            select(Organisation.id).where(Organisation.slug == slug)):
        n += 1
        slug = f"{base}-{n}"
    return slug


def apply_profile(organisation, data):
    """Copy profile data (a plain dict) onto an organisation."""
    from ..taxonomy.models import FocusArea
    organisation.name = data["name"].strip()
    organisation.kind = data["kind"]
    organisation.org_number = normal_org_number(data.get("org_number")) if data.get(
        "org_number") else None
    organisation.description = data["description"].strip()
    translations = {}
    for lang in ("en", "ar"):
        text = (data.get(f"description_{lang}") or "").strip()
        if text:
            translations[lang] = {"description": text}
    organisation.translations = translations
    organisation.municipality_id = data["municipality"]
    for name in ("street_address", "postal_code", "city", "website", "email", "phone"):
        setattr(organisation, name, (data.get(name) or "").strip() or None)
    organisation.latitude = data.get("latitude")
    organisation.longitude = data.get("longitude")
    organisation.languages = [c.strip().lower() for c in (data.get("languages") or "")
                              .replace(" ", ",").split(",") if c.strip()]
    organisation.focus_areas = list(db.session.scalars(
        select(FocusArea).where(FocusArea.id.in_(data.get("focus_areas") or []))))


def register_organisation(data, owner):
    """A new organisation, pending review, with `owner` as its first owner."""
    from .models import Membership
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
    """Save profile changes; staff changes (and all others) go to the audit log."""
    from ..audit.services import record, snapshot
    before = snapshot(organisation, PROFILE_FIELDS)
    apply_profile(organisation, data)
    db.session.flush()
    record(by_user, "organisation.update", organisation, organisation.name, before,
           snapshot(organisation, PROFILE_FIELDS))


def decide(organisation, status, reason, by_user):
    """Verify, reject or archive an organisation, with a reason the applicant sees."""
    from ..audit.services import record, snapshot
    from ..common.time import utcnow
    if status not in ("verified", "rejected", "archived"):
        raise OrganisationError("status", _l("Unknown decision."))
    if status == "rejected" and not (reason or "").strip():
        raise OrganisationError("reason", _l("Say why, so the organisation can put it "
                                             "right."))
    before = snapshot(organisation, ("status", "status_reason"))
    organisation.status = status
    organisation.status_reason = (reason or "").strip() or None
    organisation.reviewed_at = utcnow()
    if status == "verified":
        organisation.verified_at = organisation.reviewed_at
    db.session.flush()
    record(by_user, f"organisation.{status}", organisation, organisation.name, before,
           snapshot(organisation, ("status", "status_reason")))


def organisations_with_status(status, municipality_id=None):
    stmt = select(Organisation).where(Organisation.status == status)
    if municipality_id:
        stmt = stmt.where(Organisation.municipality_id == municipality_id)
    return db.session.scalars(stmt.order_by(Organisation.created_at)).all()


# ------------------------------------------------------------------- members

def may_manage_members(user, organisation):
    """Owners of the organisation and staff may invite members."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff:
        return may_edit(user, organisation)
    return any(m.organisation_id == organisation.id and m.role == "owner"
               for m in user.memberships)


def invite_member(organisation, email, role, by_user):
    """Add someone to an organisation. Returns (user, is_new): a new account has no
    password yet, and gets a signed single-use link (48 h) to choose one."""
    from ..accounts.services import create_user, find_user
    from ..audit.services import record
    from .models import Membership
    if role not in ("owner", "editor"):
        raise OrganisationError("role", _l("Unknown role."))
    user = find_user(email)
    is_new = user is None
    if is_new:
        user = create_user(email, "member")
    elif user.role != "member":
        raise OrganisationError("email", _l("That account cannot be a member of an "
                                            "organisation."))
    elif any(m.organisation_id == organisation.id for m in user.memberships):
        raise OrganisationError("email", _l("That person is already a member."))
    db.session.add(Membership(user=user, organisation=organisation, role=role))
    db.session.flush()
    record(by_user, "membership.invite", organisation, f"{role}")
    return user, is_new


MEMBER_ROLES = ("owner", "editor")


def membership_of(organisation, membership_id):
    """The membership with this id in this organisation, or None (another
    organisation's membership is as unknown as a missing one)."""
    from .models import Membership
    return db.session.scalar(select(Membership).where(
        Membership.id == membership_id, Membership.organisation_id == organisation.id))


def _lock_members(organisation):
    """One change of an organisation's members at a time, then its memberships as they
    are now: two owners demoting each other at once cannot leave it without an owner.
    SQLite: BEGIN IMMEDIATE; PostgreSQL: the organisation's row is locked."""
    from ..common.db import begin_write, is_postgres
    from .models import Membership
    begin_write()
    if is_postgres():
        db.session.execute(select(Organisation.id).where(Organisation.id == organisation.id)
                           .with_for_update())
    return db.session.scalars(
        select(Membership).where(Membership.organisation_id == organisation.id)
        .order_by(Membership.id).execution_options(populate_existing=True)).all()


def _locked(organisation, membership):
    """The organisation's memberships, locked, with `membership` still among them."""
    members = _lock_members(organisation)
    if membership not in members:  # taken out by someone else a moment ago
        raise OrganisationError("member", _l("%(email)s is no longer a member.",
                                             email=membership.user.email))
    return members


def _refuse_last_owner(members, membership, field):
    """An organisation always keeps an owner: the last one is never removed or demoted."""
    if membership.role == "owner" and sum(m.role == "owner" for m in members) == 1:
        raise OrganisationError(field, _l("%(email)s is the last owner. Make another "
                                          "member owner first.",
                                          email=membership.user.email))


def remove_member(organisation, membership, by_user):
    """Take a member out of the organisation (an owner or coordinator does it, or the
    member leaves). Access ends at once: every page checks the memberships per request,
    and a removed member's sessions end."""
    from ..audit.services import record
    _refuse_last_owner(_locked(organisation, membership), membership, "member")
    email, role = membership.user.email, membership.role
    leaving = by_user is not None and membership.user_id == by_user.id
    if not leaving:
        membership.user.end_sessions()  # a removed member's open sessions end too
    db.session.delete(membership)
    db.session.flush()
    record(by_user, "membership.leave" if leaving else "membership.remove", organisation,
           email, {"member": email, "role": role}, {})


def change_member_role(organisation, membership, role, by_user):
    """Make a member owner or editor; an owner may step down while another owner stays."""
    from ..audit.services import record
    if role not in MEMBER_ROLES:
        raise OrganisationError("role", _l("Unknown role."))
    members = _locked(organisation, membership)
    if role == membership.role:
        return
    if role == "editor":
        _refuse_last_owner(members, membership, "role")
    before = membership.role
    membership.role = role
    db.session.flush()
    record(by_user, "membership.role", organisation, membership.user.email,
           {"member": membership.user.email, "role": before},
           {"member": membership.user.email, "role": role})


def transfer_ownership(organisation, membership, by_user):
    """Hand the organisation over: the member becomes owner and `by_user`, when one of
    its owners, becomes an editor (and may leave afterwards)."""
    from ..audit.services import record
    members = _locked(organisation, membership)
    by_id = getattr(by_user, "id", None)
    if membership.user_id == by_id:
        raise OrganisationError("member", _l("Choose another member to hand the "
                                             "organisation over to."))
    if membership.role == "owner":
        raise OrganisationError("member", _l("%(email)s is already an owner.",
                                             email=membership.user.email))
    membership.role = "owner"
    mine = next((m for m in members if m.user_id == by_id), None)
    if mine is not None:
        mine.role = "editor"
    db.session.flush()
    record(by_user, "membership.transfer", organisation, membership.user.email,
           {"owner": mine.user.email if mine is not None else None},
           {"owner": membership.user.email})
