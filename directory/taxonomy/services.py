"""Seeding and reading the shared lists."""

from ..common.errors import FieldError
from ..extensions import db
from .models import (DEFAULT_FOCUS_AREAS, DEFAULT_TARGET_GROUPS, FocusArea,
                     Municipality, TargetGroup)


def ensure_default_terms():
    """Create the default focus areas and target groups that are missing; safe to repeat."""
    for model, defaults in ((FocusArea, DEFAULT_FOCUS_AREAS),
                            (TargetGroup, DEFAULT_TARGET_GROUPS)):
        existing = {t.slug for t in db.session.scalars(db.select(model))}
        for position, (slug, name, names) in enumerate(defaults):
            if slug not in existing:
                db.session.add(model(slug=slug, name=name, names=names, position=position))
    db.session.flush()


def get_or_create_municipality(code, slug, name, county):
    """The municipality with this code, created when missing."""
    found = db.session.scalar(db.select(Municipality).filter_by(code=code))
    if found is None:
        found = Municipality(code=code, slug=slug, name=name, county=county)
        db.session.add(found)
        db.session.flush()
    return found


def all_focus_areas():
    return db.session.scalars(db.select(FocusArea).order_by(FocusArea.position)).all()


def all_target_groups():
    return db.session.scalars(db.select(TargetGroup).order_by(TargetGroup.position)).all()


def all_municipalities():
    return db.session.scalars(db.select(Municipality).order_by(Municipality.name)).all()


class TermError(FieldError):
    """A focus-area or target-group rule was broken."""


def term_model(kind):
    return {"focus": FocusArea, "target": TargetGroup}.get(kind)


def save_term(kind, data, by_user, term=None):
    """Create or rename a focus area or target group; the change is audited."""
    from flask_babel import lazy_gettext as _l

    from ..audit.services import record, snapshot
    model = term_model(kind)
    clash = db.session.scalar(db.select(model).filter_by(slug=data["slug"]))
    if clash is not None and clash is not term:
        raise TermError("slug", _l("That short name is taken."))
    before = snapshot(term, ("slug", "name", "names")) if term else None
    if term is None:
        position = (db.session.scalar(db.select(db.func.max(model.position))) or 0) + 1
        term = model(position=position)
        db.session.add(term)
    term.slug = data["slug"]
    term.name = data["name"].strip()
    term.names = {lang: data[f"name_{lang}"].strip() for lang in ("en", "ar")
                  if (data.get(f"name_{lang}") or "").strip()}
    db.session.flush()
    record(by_user, "term.update" if before else "term.create", term, term.name, before,
           snapshot(term, ("slug", "name", "names")))
    return term
