"""Flask CLI commands: `flask --app wsgi <command>`. Each is a plain click command;
`register_cli` adds them to the app."""

import os
import time

import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from flask_babel import force_locale

from .accounts.services import AccountError, create_user, make_password_token
from .activities.materialising import extend_all_occurrences, horizon_end
from .activities.models import Activity
from .api.export import export_hsds_command
from .backups import backup_command, restore_command
from .calendars.models import Partner
from .common.time import to_local, utcnow
from .demo.seed import database_is_empty, seed_demo, seed_scale
from .extensions import db
from .geo.placing import place_missing
from .organisations.import_files import ImportFileError
from .organisations.importing import ACTION_LABELS, FIELD_LABELS, create_run, run_import
from .organisations.models import Membership, Organisation
from .signups.services import purge_personal_data
from .taxonomy.models import Municipality
from .taxonomy.reference import reference_municipality
from .taxonomy.services import (MunicipalityError, disable_municipalities,
                                enable_municipalities, municipality_by_code,
                                municipality_usage)
from .venues.models import Venue
from .venues.occupancy import collisions


@click.command("seed-demo")
@click.option("--scale", type=int, default=None,
              help="Add N generated organisations (for benchmarks) instead of the demo.")
@click.option("--history-days", type=int, default=14, show_default=True,
              help="With --scale: how many days ago the generated series began.")
@click.option("--if-empty", is_flag=True, help="Only when the database has no data.")
@with_appcontext
def seed_demo_command(scale, history_days, if_empty):
    """Load demo data: a believable municipality, or N organisations with --scale."""
    if if_empty and not database_is_empty():
        click.echo("The database already has data; nothing loaded.")
        return
    started = time.perf_counter()
    if scale:
        seed_scale(scale, history_days=max(0, history_days))
        db.session.commit()
        click.echo(f"Loaded {scale} organisations in {time.perf_counter() - started:.1f} s.")
    else:
        seed_demo()
        db.session.commit()
        click.echo(f"Loaded the demo in {time.perf_counter() - started:.1f} s.")


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(["staff", "member", "partner"]), required=True)
@click.option("--organisation", "organisation_slug", default=None,
              help="Make a member the owner of this organisation (slug).")
@click.option("--municipality", "municipality_code", default=None,
              help="Limit a coordinator (staff) to this enabled municipality "
                   "(kommunkod, e.g. 0160); without it a coordinator is county-wide.")
@click.option("--partner", "partner_slug", default=None,
              help="Link a partner account (--role partner) to this LÖK partner (slug).")
@click.option("--name", default="")
@with_appcontext
def create_user_command(email, role, organisation_slug, name, municipality_code,
                        partner_slug):
    """Create an account and print a one-time link to set its password (48 h)."""
    organisation = _owned_organisation(organisation_slug)
    municipality = _coordinator_municipality(role, municipality_code)
    partner = _account_partner(role, partner_slug)
    try:
        user = create_user(email, role, name=name, municipality=municipality)
    except AccountError as error:
        raise click.BadParameter(_english(error.message), param_hint=error.field) from None
    if organisation is not None:
        db.session.add(Membership(user=user, organisation=organisation, role="owner"))
    if partner is not None:
        user.partner_id = partner.id
    db.session.commit()
    base = current_app.config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000"
    with current_app.test_request_context(base_url=base):
        link = url_for("accounts.password", token=make_password_token(user),
                       _external=True)
    click.echo(f"Created {role} {user.email}. Set the password within 48 hours at:")
    click.echo(link)


@click.command("purge-personal-data")
@click.option("--days", type=int, default=None,
              help="Retention in days after the date (default SIGNUP_RETENTION_DAYS).")
@with_appcontext
def purge_personal_data_command(days):
    """Delete names and contacts of sign-ups whose date ended long enough ago."""
    days = days if days is not None else current_app.config["SIGNUP_RETENTION_DAYS"]
    erased = purge_personal_data(days)
    db.session.commit()
    click.echo(f"Deleted names and contacts of {erased} sign-ups whose date ended more "
               f"than {days} days ago. Counts are kept.")


@click.command("geocode-missing")
@click.option("--limit", type=int, default=None, help="At most this many addresses.")
@with_appcontext
def geocode_missing_command(limit):
    """Place on the map the saved addresses that have no coordinates yet."""
    counts = place_missing((Venue, Organisation, Activity), limit)
    click.echo(f"Placed on the map: {counts['found']} exactly, {counts['town']} in the "
               f"middle of their town; {counts['not_found']} not found.")
    if counts["unavailable"]:
        click.echo("The geocoder stopped answering; run again later.", err=True)
        raise SystemExit(1)


@click.command("extend-occurrences")
@click.option("--days", type=int, default=None, help="How far ahead (default 365 days).")
@with_appcontext
def extend_occurrences_command(days):
    """Create occurrences of every active series up to the rolling horizon."""
    last_day = horizon_end(days=days or current_app.config["OCCURRENCE_HORIZON_DAYS"])
    added = extend_all_occurrences(last_day)
    db.session.commit()
    click.echo(f"Added {added} occurrences up to {last_day.isoformat()}.")


@click.command("check-rooms")
@click.option("--all", "everything", is_flag=True,
              help="Also uses that have ended (by default only coming ones).")
@with_appcontext
def check_rooms_command(everything):
    """List rooms used twice at once (uses kept from before the rule); exit 1 if any."""
    pairs = collisions(since=None if everything else utcnow())
    for first, second in pairs:
        room = first.room
        click.echo(f"{room.venue.name}, {room.name}: " + " and ".join(
            f"{_use_label(use)} {to_local(use.starts_at):%Y-%m-%d %H:%M}–"
            f"{to_local(use.ends_at):%H:%M}" for use in (first, second)))
    if pairs:
        click.echo(f"{len(pairs)} overlapping pairs. Move or cancel one date of each "
                   "(the week at /staff/schedule marks them).", err=True)
        raise SystemExit(1)
    click.echo("No room is used twice at once.")


def _owned_organisation(slug):
    """The organisation `slug` names, for a new member to own; None without a slug."""
    if not slug:
        return None
    organisation = db.session.scalar(db.select(Organisation).filter_by(slug=slug))
    if organisation is None:
        raise click.BadParameter(f"no organisation {slug!r}", param_hint="--organisation")
    return organisation


def _coordinator_municipality(role, code):
    """The enabled municipality `code` names, for a coordinator's account; None without a
    code. Anything else is a click.BadParameter, before anything is created."""
    if not code:
        return None
    if role != "staff":
        raise click.BadParameter("only a coordinator (--role staff) is limited to a "
                                 "municipality", param_hint="--municipality")
    municipality = municipality_by_code(code)
    if municipality is None and reference_municipality(code.strip()) is None:
        raise click.BadParameter(f"no municipality has the code {code!r} (a kommunkod has "
                                 "four digits, e.g. 0160 for Täby; `municipalities list` "
                                 "shows them all)", param_hint="--municipality")
    if municipality is None or not municipality.enabled:
        raise click.BadParameter(f"{code} is not enabled in this installation; enable it "
                                 f"first: flask --app wsgi municipalities enable {code}",
                                 param_hint="--municipality")
    return municipality


def _account_partner(role, slug):
    """The LÖK partner `slug` names, for a partner account; None without a slug. Anything
    else is a click.BadParameter, before anything is created."""
    if not slug:
        return None
    if role != "partner":
        raise click.BadParameter("only a partner account (--role partner) is linked to a "
                                 "partner", param_hint="--partner")
    partner = db.session.scalar(db.select(Partner).filter_by(slug=slug.strip()))
    if partner is None:
        known = ", ".join(db.session.scalars(db.select(Partner.slug).order_by(Partner.slug)))
        raise click.BadParameter(f"no partner has the slug {slug!r} (known: {known or 'none'}; "
                                 "a county-wide coordinator adds partners at /staff/partners)",
                                 param_hint="--partner")
    return partner


def _english(message):
    """A rule's message as the other command-line output reads: in English."""
    with force_locale("en"):
        return str(message)


@click.group("municipalities")
def municipalities_group():
    """Sweden's municipalities (official four-digit kommunkod): which ones this
    installation serves."""


@municipalities_group.command("list")
@click.option("--enabled", "only_enabled", is_flag=True, help="Only the enabled ones.")
@with_appcontext
def municipalities_list_command(only_enabled):
    """Code, name, county, enabled, and how many organisations and meeting places each has."""
    stmt = db.select(Municipality).order_by(Municipality.code)
    if only_enabled:
        stmt = stmt.where(Municipality.enabled)
    rows = db.session.scalars(stmt).all()
    usage = municipality_usage()
    click.echo(f"{'code':<5} {'name':<22} {'county':<22} {'enabled':<7} "
               f"{'organisations':>13} {'venues':>6}")
    for m in rows:
        used = usage.get(m.id, {})
        click.echo(f"{m.code:<5} {m.name:<22} {m.county:<22} {'yes' if m.enabled else 'no':<7} "
                   f"{used.get('organisations', 0):>13} {used.get('venues', 0):>6}")
    enabled = sum(1 for m in rows if m.enabled)
    click.echo(f"{len(rows)} municipalities, {enabled} enabled.")


@municipalities_group.command("enable")
@click.argument("codes", nargs=-1, required=True)
@with_appcontext
def municipalities_enable_command(codes):
    """Serve these municipalities: offered when registering and in the filters."""
    _change_municipalities(enable_municipalities, codes,
                           lambda m: f"Enabled {m.code} {m.name} ({m.county}).",
                           lambda m: f"{m.code} {m.name} was already enabled; nothing changed.")


@municipalities_group.command("disable")
@click.argument("codes", nargs=-1, required=True)
@with_appcontext
def municipalities_disable_command(codes):
    """Stop serving these municipalities; refused while organisations or meeting places
    belong to one of them (nothing changes then)."""
    _change_municipalities(disable_municipalities, codes,
                           lambda m: f"Disabled {m.code} {m.name}.",
                           lambda m: f"{m.code} {m.name} was not enabled; nothing changed.")


def _change_municipalities(change, codes, changed_line, unchanged_line):
    """Enable or disable, all or nothing, and say for each what happened."""
    try:
        changed, already = change(codes)
    except MunicipalityError as error:
        db.session.rollback()
        raise click.BadParameter(_english(error.message), param_hint="CODE") from None
    db.session.commit()
    for m in changed:
        click.echo(changed_line(m))
    for m in already:
        click.echo(unchanged_line(m))


@click.command("import-organisations")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Only show what would be done.")
@click.option("--status", type=click.Choice(["pending", "verified"]), default="pending",
              show_default=True, help="The status new organisations get.")
@with_appcontext
def import_organisations_command(file, dry_run, status):
    """Import organisations from a register file (CSV or XLSX): each row created,
    updated, unchanged or refused (why); exit 1 when the file cannot be read."""
    with open(file, "rb") as fh:
        data = fh.read()
    with force_locale("en"):
        try:
            run, plans = create_run(data, os.path.basename(file), None, status)
        except ImportFileError as error:
            db.session.rollback()
            click.echo(f"{file}: {error.message}", err=True)
            raise SystemExit(1) from None
        for plan in plans:
            if plan.action != "unchanged":
                click.echo(_plan_line(plan))
    counted = f"{run.created} new, {run.updated} changed, {run.unchanged} unchanged, " \
              f"{run.refused} refused"
    if dry_run:
        db.session.rollback()
        click.echo(f"Dry run of {run.total} rows: {counted}. Nothing imported.")
        return
    db.session.commit()
    run = run_import(run.id)
    if run.state != "done":
        click.echo("The import failed; nothing was imported.", err=True)
        raise SystemExit(1)
    click.echo(f"Imported {run.total} rows: {run.created} created, {run.updated} updated, "
               f"{run.unchanged} unchanged, {run.refused} refused.")


def _plan_line(plan):
    """One row of the report: row, name, what happens, and why or what changes."""
    line = f"row {plan.row}: {plan.name or '-'}: {ACTION_LABELS[plan.action]}"
    if plan.changes:
        line += " (" + ", ".join(str(FIELD_LABELS[c]) for c in plan.changes) + ")"
    if plan.reasons:
        line += ": " + " ".join(str(r) for r in plan.reasons)
    return line


def _use_label(use):
    """A use as coordinators know it: the activity's date or the booking, by id."""
    if use.occurrence_id is not None:
        return f"«{use.occurrence.activity.title}» ({use.organisation.name}, date " \
               f"{use.occurrence_id})"
    return f"booking {use.booking_id} ({use.organisation.name})"


@click.command("worker")
@click.option("--workers", type=int, default=2, show_default=True,
              help="Threads running tasks.")
@click.option("--no-periodic", is_flag=True,
              help="Only run queued tasks: another worker runs the periodic work (one "
                   "scheduler when several hosts share a Redis queue).")
@with_appcontext
def worker_command(workers, no_periodic):
    """Run the task worker: delivers messages, runs the periodic work."""
    queue = current_app.extensions["huey"]
    click.echo(f"Task worker: {workers} threads, queue in "
               f"{'Redis' if current_app.config.get('REDIS_URL') else 'SQLite'}"
               f"{', without the periodic work' if no_periodic else ''}.")
    queue.create_consumer(workers=workers, worker_type="thread", periodic=not no_periodic,
                          initial_delay=0.1, backoff=1.15, max_delay=1.0).run()


COMMANDS = (worker_command, seed_demo_command, create_user_command, purge_personal_data_command,
            geocode_missing_command, extend_occurrences_command, check_rooms_command,
            municipalities_group, backup_command, restore_command, export_hsds_command,
            import_organisations_command)


def register_cli(app):
    """Attach the project's commands to the app."""
    for command in COMMANDS:
        app.cli.add_command(command)
