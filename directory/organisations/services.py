"""Organisation rules: what is public, and finding organisations."""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..common.text import like_pattern
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
    """A select of verified organisations matching `filters`, by name."""
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
    return stmt.order_by(Organisation.name, Organisation.id).options(
        selectinload(Organisation.focus_areas), selectinload(Organisation.municipality))


def public_organisation(slug):
    """The verified organisation with this slug, or None."""
    return db.session.scalar(select(Organisation).where(
        Organisation.slug == slug, Organisation.status == "verified"))


def valid_org_number(value):
    """Whether a Swedish organisationsnummer (NNNNNN-NNNN) has a valid Luhn check digit."""
    digits = (value or "").replace("-", "").strip()
    if len(digits) == 12 and digits[:2] in ("16",):
        digits = digits[2:]
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(digits[:9]):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return (10 - total % 10) % 10 == int(digits[9])
