"""Backups that restore: `flask backup DIR` and `flask restore FILE`, for SQLite (the online
backup API, checked with integrity_check) and PostgreSQL (pg_dump's custom format)."""

import glob
import os
import shutil
import sqlite3
import subprocess

import click
from flask.cli import with_appcontext

from .common.time import utcnow
from .extensions import db


class BackupError(Exception):
    """A backup or restore that could not be made; the message says why."""


def _sqlite_path(url):
    return url.database if url.get_backend_name() == "sqlite" else None


def _libpq_url(url):
    """The database URL as pg_dump and pg_restore read it (no SQLAlchemy driver name)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_tool(name):
    """pg_dump or pg_restore: the newest installed (it must not be older than the server)."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    tool = found[-1] if found else shutil.which(name)
    if tool is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return tool


def _integrity(path):
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = connection.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite database: {error}") from None
    finally:
        connection.close()
    if result != "ok":
        raise BackupError(f"{path} failed its integrity check: {result}")


def back_up(directory):
    """Write a consistent copy of the database into `directory` while it is in use, check
    it, and return its path."""
    os.makedirs(directory, exist_ok=True)
    url = db.engine.url
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    path = _sqlite_path(url)
    if path is not None:
        target = os.path.join(directory, f"samverkan-{stamp}.sqlite")
        source, copy = sqlite3.connect(path), sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)  # a snapshot: writers carry on meanwhile
        finally:
            source.close()
            copy.close()
        _integrity(target)
        return target
    target = os.path.join(directory, f"samverkan-{stamp}.dump")
    done = subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner",
                           "--file", target, _libpq_url(url)], capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError("pg_dump failed: " + done.stderr.strip())
    listed = subprocess.run([_pg_tool("pg_restore"), "--list", target], capture_output=True)
    if listed.returncode != 0:
        raise BackupError(f"{target} cannot be read back by pg_restore.")
    return target


def restore(file):
    """Replace the database's contents with the backup in `file` (checked first)."""
    if not os.path.isfile(file):
        raise BackupError(f"No file {file}.")
    url = db.engine.url
    path = _sqlite_path(url)
    db.session.remove()
    db.engine.dispose()
    if path is not None:
        _integrity(file)
        source, target = sqlite3.connect(f"file:{file}?mode=ro", uri=True), sqlite3.connect(path)
        try:
            with target:
                source.backup(target)
        finally:
            source.close()
            target.close()
        _integrity(path)
        return
    done = subprocess.run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
                           "--single-transaction", "--dbname", _libpq_url(url), file],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError("pg_restore failed: " + done.stderr.strip())


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False))
@with_appcontext
def backup_command(directory):
    """Back the database up into DIRECTORY (safe while the service runs)."""
    try:
        click.echo(back_up(directory))
    except BackupError as error:
        raise click.ClickException(str(error)) from None


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@with_appcontext
def restore_command(file, yes):
    """Replace the database's contents with the backup FILE."""
    if not yes:
        click.confirm("This replaces everything in the database. Go on?", abort=True)
    try:
        restore(file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored {file}.")
