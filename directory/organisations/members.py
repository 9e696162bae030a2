"""An organisation's members: who may manage them, inviting, removing, changing a role,
handing over ownership; never without an owner, one change at a time."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.services import create_user, find_user
from ..audit.services import record
from ..common.db import begin_write, is_postgres
from ..extensions import db
from .models import Membership, Organisation
from .services import OrganisationError, may_edit


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
    record(by_user, "membership.invite", organisation, f"{role}",
           about={"member": user.email, "role": role,
                  "organisation": organisation.name})
    return user, is_new


MEMBER_ROLES = ("owner", "editor")


def _lock_members(organisation):
    """One change of an organisation's members at a time, then its memberships as they
    are now: two owners demoting each other at once cannot leave it without an owner.
    SQLite: BEGIN IMMEDIATE; PostgreSQL: the organisation's row is locked."""
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
    _refuse_last_owner(_locked(organisation, membership), membership, "member")
    email, role = membership.user.email, membership.role
    leaving = by_user is not None and membership.user_id == by_user.id
    if not leaving:
        membership.user.end_sessions()  # a removed member's open sessions end too
    db.session.delete(membership)
    db.session.flush()
    record(by_user, "membership.leave" if leaving else "membership.remove", organisation,
           email, {"member": email, "role": role}, {},
           about={"organisation": organisation.name})


def change_member_role(organisation, membership, role, by_user):
    """Make a member owner or editor; an owner may step down while another owner stays."""
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
           {"member": membership.user.email, "role": role},
           about={"organisation": organisation.name})


def transfer_ownership(organisation, membership, by_user):
    """Hand the organisation over: the member becomes owner and `by_user`, when one of
    its owners, becomes an editor (and may leave afterwards)."""
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
           {"owner": membership.user.email}, about={"organisation": organisation.name})
