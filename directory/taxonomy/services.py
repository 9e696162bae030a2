"""Seeding and reading the shared lists."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..audit.services import record, snapshot
from ..common.remembered import remembered
from ..common.errors import FieldError
from ..common.i18n import SPOKEN_LANGUAGES, merge_translations
from ..extensions import db
from .models import (DEFAULT_FOCUS_AREAS, DEFAULT_TARGET_GROUPS, FocusArea,
                     Municipality, NamedTermMixin, TargetGroup)
from .reference import reference_municipality


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
    """The municipality with this code, created when missing, and enabled: whoever asks
    for it (the demo, tests) means to serve it."""
    found = db.session.scalar(db.select(Municipality).filter_by(code=code))
    if found is None:
        found = Municipality(code=code, slug=slug, name=name, county=county)
        db.session.add(found)
    found.enabled = True
    db.session.flush()
    return found


def all_focus_areas():
    return db.session.scalars(db.select(FocusArea).order_by(FocusArea.position)).all()


def all_target_groups():
    return db.session.scalars(db.select(TargetGroup).order_by(TargetGroup.position)).all()


def all_municipalities():
    return db.session.scalars(db.select(Municipality).order_by(Municipality.name)).all()


def enabled_municipalities():
    """The municipalities this installation serves, by name: what registration and the
    filters offer."""
    return db.session.scalars(db.select(Municipality).where(Municipality.enabled)
                              .order_by(Municipality.name)).all()


class MunicipalityError(FieldError):
    """A municipality could not be found, enabled or disabled."""


def municipality_by_code(code, create=False):
    """The municipality with this kommunkod, or None. With `create`, one the reference
    list knows but the table lacks (a schema built without the migration) is added,
    not enabled."""
    code = (code or "").strip()
    found = db.session.scalar(db.select(Municipality).filter_by(code=code))
    if found is None and create:
        entry = reference_municipality(code)
        if entry is not None:
            slug = entry["slug"]
            if db.session.scalar(db.select(Municipality.id).filter_by(slug=slug)):
                slug = f"{slug}-{code}"
            found = Municipality(code=code, slug=slug, name=entry["name"],
                                 county=entry["county"], enabled=False)
            db.session.add(found)
            db.session.flush()
    return found


def municipality_usage(municipality_ids=None):
    """{municipality id: {"organisations": n, "venues": n}}: what belongs to each.

    Read from the tables by name: taxonomy sits below organisations and venues and
    does not import them."""
    tables = {"organisations": db.metadata.tables["organisation"],
              "venues": db.metadata.tables["venue"]}
    usage = {}
    for key, table in tables.items():
        stmt = db.select(table.c.municipality_id, db.func.count()).group_by(
            table.c.municipality_id)
        if municipality_ids is not None:
            stmt = stmt.where(table.c.municipality_id.in_(list(municipality_ids)))
        for municipality_id, count in db.session.execute(stmt):
            usage.setdefault(municipality_id, {"organisations": 0, "venues": 0})[key] = count
    return usage


def _by_codes(codes, create):
    """The municipalities of these codes, in order; MunicipalityError naming every
    code that is not a Swedish kommunkod."""
    found = [(code, municipality_by_code(code, create=create)) for code in codes]
    unknown = [code for code, municipality in found if municipality is None]
    if unknown:
        raise MunicipalityError("code", _l(
            "No municipality has the code %(codes)s. A kommunkod has four digits, "
            "e.g. 0160 for Täby.", codes=", ".join(unknown)))
    return [municipality for _code, municipality in found]


def enable_municipalities(codes, by_user=None):
    """Serve these municipalities. All codes are checked before anything changes.
    Returns (enabled now, already enabled)."""
    municipalities = _by_codes(codes, create=True)
    changed = [m for m in dict.fromkeys(municipalities) if not m.enabled]
    for municipality in changed:
        municipality.enabled = True
        record(by_user, "municipality.enable", municipality,
               f"{municipality.code} {municipality.name}",
               {"enabled": False}, {"enabled": True})
    db.session.flush()
    return changed, [m for m in dict.fromkeys(municipalities) if m not in changed]


def disable_municipalities(codes, by_user=None):
    """Stop serving these municipalities. Refused, with nothing changed, while any of
    them still has organisations or meeting places (they would vanish from the filters
    and registration while still shown). Returns (disabled now, already disabled)."""
    municipalities = list(dict.fromkeys(_by_codes(codes, create=False)))
    usage = municipality_usage([m.id for m in municipalities])
    for municipality in municipalities:
        used = usage.get(municipality.id)
        if used:
            raise MunicipalityError("code", _l(
                "%(name)s (%(code)s) still has organisations: %(organisations)s, meeting "
                "places: %(venues)s. Move them to another municipality before disabling it.",
                name=municipality.name, code=municipality.code, **used))
    changed = [m for m in municipalities if m.enabled]
    for municipality in changed:
        municipality.enabled = False
        record(by_user, "municipality.disable", municipality,
               f"{municipality.code} {municipality.name}",
               {"enabled": True}, {"enabled": False})
    db.session.flush()
    return changed, [m for m in municipalities if m not in changed]


class TermError(FieldError):
    """A focus-area or target-group rule was broken."""


def term_model(kind):
    return {"focus": FocusArea, "target": TargetGroup}.get(kind)


def save_term(kind, data, by_user, term=None):
    """Create or rename a focus area or target group; the change is audited."""
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
    given = {lang: {"name": entry.get("name")}
             for lang, entry in (data.get("translations") or {}).items()}
    term.names = {lang: entry["name"] for lang, entry in merge_translations(
        {lang: {"name": name} for lang, name in (term.names or {}).items()}, given).items()}
    db.session.flush()
    record(by_user, "term.update" if before else "term.create", term, term.name, before,
           snapshot(term, ("slug", "name", "names")))
    return term


@dataclass(frozen=True)
class Choice(NamedTermMixin):
    """A term or a municipality as a filter offers it: a plain value, kept between
    requests (NamedTermMixin.label: its name in the reader's language)."""

    id: int
    slug: str
    name: str
    names: dict = None


def filter_choices():
    """What the list filters offer (the activity and organisation lists, the home page,
    the coordinators' map), as template values: read once per data version and minute
    in each process (the lists change only with the data)."""
    focus_areas, target_groups, municipalities = remembered("filter_choices", lambda: tuple(
        tuple(Choice(t.id, t.slug, t.name, getattr(t, "names", None)) for t in terms)
        for terms in (all_focus_areas(), all_target_groups(), enabled_municipalities())))
    return {"focus_areas": focus_areas, "target_groups": target_groups,
            "municipalities": municipalities, "filter_languages": SPOKEN_LANGUAGES}
