"""Seeding and reading the shared lists."""

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
