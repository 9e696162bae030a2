"""Flask CLI commands: `flask --app wsgi <command>`."""

import time

import click
from flask import current_app

from .extensions import db


def register_cli(app):
    """Attach the project's commands to the app."""

    @app.cli.command("seed-demo")
    @click.option("--scale", type=int, default=None,
                  help="Add N generated organisations (for benchmarks) instead of the demo.")
    @click.option("--if-empty", is_flag=True, help="Only when the database has no data.")
    def seed_demo_command(scale, if_empty):
        """Load demo data: a believable municipality, or N organisations with --scale."""
        from .demo.seed import database_is_empty, seed_demo, seed_scale
        if if_empty and not database_is_empty():
            click.echo("The database already has data; nothing loaded.")
            return
        started = time.perf_counter()
        if scale:
            seed_scale(scale)
            db.session.commit()
            click.echo(f"Loaded {scale} organisations in {time.perf_counter() - started:.1f} s.")
        else:
            seed_demo()
            db.session.commit()
            click.echo(f"Loaded the demo in {time.perf_counter() - started:.1f} s.")

    @app.cli.command("extend-occurrences")
    @click.option("--days", type=int, default=None, help="How far ahead (default 365 days).")
    def extend_occurrences_command(days):
        """Create occurrences of every active series up to the rolling horizon."""
        from .activities.services import extend_all_occurrences, horizon_end
        last_day = horizon_end(days=days or current_app.config["OCCURRENCE_HORIZON_DAYS"])
        added = extend_all_occurrences(last_day)
        db.session.commit()
        click.echo(f"Added {added} occurrences up to {last_day.isoformat()}.")
