"""Importing a register of organisations: each row of a file (import_files.py) checked
and matched (by organisationsnummer, else name and municipality) into a plan — create,
update (which fields), unchanged or refused and why — shown as a dry run; then, once the
coordinator confirms, `run_import` carries the plan out in one transaction, in chunks,
audited. Importing the same file again changes nothing. The rules of a row: row_rules.py."""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from ..audit.services import record
from ..common.db import begin_write, in_ids, is_postgres
from ..common.errors import FieldError
from ..common.text import fold, one_line
from ..common.time import utcnow
from ..extensions import db
from ..taxonomy.models import FocusArea
from .import_files import read_register
from .models import ImportRun, Organisation
from .row_rules import Lookups, clean_row
from .services import unique_slug

CHUNK = 500
ORGANISATION_STATUSES = ("pending", "verified")
ACTIONS = ("create", "update", "unchanged", "refuse")
ACTION_LABELS = {"create": _l("New"), "update": _l("Changed"),
                 "unchanged": _l("Unchanged"), "refuse": _l("Refused")}
# What a changed field is called on the report.
FIELD_LABELS = {"name": _l("Name"), "org_number": _l("Organisation number"),
                "kind": _l("Kind"), "municipality_id": _l("Municipality"),
                "street_address": _l("Street address"), "postal_code": _l("Postal code"),
                "city": _l("City"), "email": _l("E-mail"), "phone": _l("Phone"),
                "website": _l("Website"), "languages": _l("Languages"),
                "focus_area_ids": _l("Focus areas"), "description": _l("Description")}


class ImportRunError(FieldError):
    """An import cannot start (a file we cannot read, a status we do not offer)."""


@dataclass
class RowPlan:
    """What the import does with one row of the file."""

    row: int
    name: str
    action: str = "refuse"
    reasons: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    changes: tuple = ()
    values: dict = field(default_factory=dict)
    organisation_id: int | None = None


# ------------------------------------------------------------------ the plan

def plan_import(rows, scope_municipality_id=None):
    """The plan for every row, in the file's order, against the register as it is now,
    for a coordinator whose scope is `scope_municipality_id` (None: every municipality)."""
    lookups = Lookups.load(scope_municipality_id)
    plans = []
    for raw in rows:
        values, reasons, notes = clean_row(raw, lookups)
        plans.append(RowPlan(raw["row"], one_line(raw.get("name")), reasons=reasons,
                             notes=notes, values=values))
    _refuse_duplicates(plans)
    claimed = {}
    for plan in plans:
        if not plan.reasons:
            _match(plan, lookups, claimed)
        if plan.reasons:
            plan.action, plan.changes, plan.organisation_id = "refuse", (), None
    return plans


def _refuse_duplicates(plans):
    """Rows of the file that name the same organisation (the same organisationsnummer,
    or without one the same name and municipality) are all refused: which one is right
    is the coordinator's to say."""
    by_number, by_name = {}, {}
    for plan in plans:
        number = plan.values.get("org_number")
        if number:
            by_number.setdefault(number, []).append(plan)
        elif "name" in plan.values and "municipality_id" in plan.values:
            key = (fold(plan.values["name"]), plan.values["municipality_id"])
            by_name.setdefault(key, []).append(plan)
    messages = (
        (by_number, lambda plan, rows: _l("The organisation number %(number)s is also on "
                                          "row %(rows)s.", number=plan.values["org_number"],
                                          rows=rows)),
        (by_name, lambda plan, rows: _l("The same name and municipality are also on row "
                                        "%(rows)s.", rows=rows)))
    for group, message in messages:
        for same in group.values():
            for plan in same if len(same) > 1 else ():
                plan.reasons.append(message(plan, ", ".join(
                    str(p.row) for p in same if p is not plan)))


def _match(plan, lookups, claimed):
    """The organisation a checked row is (by organisationsnummer, else name and
    municipality), and what would change; reasons when it cannot be imported."""
    values = plan.values
    existing, reason = lookups.find(values)
    if reason is not None:
        plan.reasons.append(reason)
        return
    if existing is None:
        plan.action = "create"
        return
    if existing["id"] in claimed:
        plan.reasons.append(_l("Row %(row)s changes the same organisation.",
                               row=claimed[existing["id"]]))
        return
    claimed[existing["id"]] = plan.row
    plan.organisation_id = existing["id"]
    plan.changes = lookups.changes(existing, values)
    plan.action = "update" if plan.changes else "unchanged"


def counts(plans):
    """{action: how many rows}."""
    found = dict.fromkeys(ACTIONS, 0)
    for plan in plans:
        found[plan.action] += 1
    return found


# ------------------------------------------------------------------ the dry run

def create_run(data, filename, user, organisation_status):
    """Read an uploaded file and keep its rows as an import run (nothing imported):
    (the run, its plan). ImportFileError when the file cannot be read."""
    if organisation_status not in ORGANISATION_STATUSES:
        raise ImportRunError("status", _l("Choose whether the organisations are verified or "
                                        "wait for review."))
    register = read_register(data)
    plans = plan_import(register.rows, getattr(user, "municipality_id", None))
    found = counts(plans)
    run = ImportRun(user_id=getattr(user, "id", None), filename=one_line(filename)[:200],
                    state="ready", organisation_status=organisation_status,
                    rows=register.rows, headers=register.headers, ignored=register.ignored,
                    total=len(plans), rows_done=0, created=found["create"],
                    updated=found["update"], unchanged=found["unchanged"],
                    refused=found["refuse"])
    db.session.add(run)
    db.session.flush()
    return run, plans


def run_plan(run):
    """The plan of a run that has not been imported, against the register as it is now."""
    return plan_import(run.rows, getattr(run.user, "municipality_id", None))


# ------------------------------------------------------------------ the import

def run_import(run_id, chunk_size=CHUNK):
    """Import a run that is ready: a unit of work of its own (what a background worker
    calls), so it commits. The run is first marked running (committed: a second call
    finds it taken and does nothing); then every row is planned again against the
    register as it is now and carried out in one transaction, `chunk_size` rows at a
    time, `rows_done` following (on PostgreSQL visible to other sessions as it goes);
    all or nothing. Returns the run: done, or failed with nothing imported."""
    claimed = db.session.execute(update(ImportRun).where(
        ImportRun.id == run_id, ImportRun.state == "ready").values(
        state="running", rows_done=0)).rowcount
    db.session.commit()
    run = db.session.get(ImportRun, run_id)
    if not claimed:
        return run
    try:
        begin_write()
        plans = run_plan(run)
        _carry_out(run, plans, chunk_size)
        found = counts(plans)
        run.state, run.finished_at, run.rows_done = "done", utcnow(), run.total
        run.created, run.updated = found["create"], found["update"]
        run.unchanged, run.refused = found["unchanged"], found["refuse"]
        record(run.user, "organisation.import", run,
               f"{run.filename}: {found['create']} created, {found['update']} updated, "
               f"{found['unchanged']} unchanged, {found['refuse']} refused",
               None, {**found, "status": run.organisation_status, "file": run.filename})
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        db.session.execute(update(ImportRun).where(ImportRun.id == run_id).values(
            state="failed", finished_at=utcnow()))
        db.session.commit()
    return db.session.get(ImportRun, run_id)


def _carry_out(run, plans, chunk_size):
    """Create and update, a chunk at a time (the organisations to update loaded once
    per chunk, new slugs checked against all slugs loaded once)."""
    taken = set(db.session.scalars(select(Organisation.slug)))
    focus = {f.id: f for f in db.session.scalars(select(FocusArea))}
    now = utcnow()
    for start in range(0, len(plans), chunk_size):
        chunk = plans[start:start + chunk_size]
        ids = [p.organisation_id for p in chunk if p.action == "update"]
        loaded = {o.id: o for o in db.session.scalars(
            select(Organisation).where(in_ids(Organisation.id, ids))
            .options(selectinload(Organisation.focus_areas)))} if ids else {}
        for plan in chunk:
            if plan.action == "create":
                db.session.add(_new_organisation(plan.values, run.organisation_status, now,
                                                 taken, focus))
            elif plan.action == "update":
                _update(loaded[plan.organisation_id], plan, focus, run.user,
                        now if run.organisation_status == "verified" else None)
        db.session.flush()
        _progress(run.id, start + len(chunk))


def _new_organisation(values, status, now, taken, focus):
    organisation = Organisation(slug=unique_slug(values["name"], taken), status=status,
                                kind=values.get("kind") or "forening", description="")
    _assign(organisation, values, focus)
    if status == "verified":
        organisation.verified_at = organisation.reviewed_at = now
        organisation.confirm(now)
    return organisation


def _assign(organisation, values, focus):
    """Copy a row's values (only those it has: an empty cell changes nothing)."""
    for name, value in values.items():
        if name == "languages":
            organisation.languages = value
        elif name == "focus_area_ids":
            organisation.focus_areas = [focus[i] for i in value]
        else:
            setattr(organisation, name, value)


def _audit_value(organisation, name):
    if name == "focus_area_ids":
        return [f.slug for f in organisation.focus_areas]
    if name == "languages":
        return organisation.languages
    return getattr(organisation, name)


def _update(organisation, plan, focus, user, confirmed_at=None):
    """Change the fields that differ; audited as any staff change of a profile. An
    import that verifies (`confirmed_at`) confirms the details of a verified
    organisation it changes (one it leaves unchanged stays as it was: a second run
    changes nothing)."""
    before = {name: _audit_value(organisation, name) for name in plan.changes}
    _assign(organisation, {k: plan.values[k] for k in plan.changes}, focus)
    if confirmed_at is not None and organisation.status == "verified":
        organisation.confirm(confirmed_at)
    record(user, "organisation.update", organisation, organisation.name, before,
           {name: _audit_value(organisation, name) for name in plan.changes})


def _progress(run_id, done):
    """Rows done so far, for the progress bar. On PostgreSQL written on a connection of
    its own (committed at once, the import's transaction never touches the run's row
    before its end); SQLite has one writer, which the import is, so there the count
    shows when the import ends."""
    if not is_postgres():
        return
    with db.engine.connect() as connection:
        connection.execute(update(ImportRun.__table__).where(
            ImportRun.__table__.c.id == run_id).values(rows_done=done))
        connection.commit()


# ------------------------------------------------------------------ the report

@dataclass
class ReportPage:
    """One page of a plan's rows (those of one action, or all), for the pager."""

    items: list
    page: int
    pages: int
    shown: int

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def prev_num(self):
        return self.page - 1

    @property
    def next_num(self):
        return self.page + 1


def report_page(plans, action=None, page=1, per_page=100):
    """Page `page` of the rows whose action is `action` (None: every row), refused rows
    first when every row is shown."""
    rows = [p for p in plans if action in (None, p.action)]
    if action is None:
        rows.sort(key=lambda p: (p.action != "refuse", p.row))
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(1, page), pages)
    return ReportPage(rows[(page - 1) * per_page:page * per_page], page, pages, len(rows))
