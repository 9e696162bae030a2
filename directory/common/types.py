"""Column types shared by the models."""

import uuid
from datetime import datetime, timezone

from sqlalchemy import DateTime, String, type_coerce
from sqlalchemy.types import TypeDecorator

from ..extensions import db


class UTCDateTime(TypeDecorator):
    """A timezone-aware moment, stored as UTC on every database.

    PostgreSQL keeps it as timestamptz; SQLite has no time zones, so the value
    is written as naive UTC and read back with UTC attached.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a timezone-aware one is required")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        return utc_moment(value)

    def result_processor(self, dialect, coltype):
        """SQLite: the stored text read straight into the aware moment (utc_moment),
        rather than parsed by SQLAlchemy and then given its zone (two steps a value)."""
        if dialect.name == "sqlite":
            return utc_moment
        return super().result_processor(dialect, coltype)


def raw_moment(column):
    """SQL: a UTCDateTime column read as the database gives it (SQLite: its text), for
    many rows read at once: `utc_moment` makes each value what the column type would."""
    return type_coerce(column, String)


def utc_moment(value):
    """A value of `raw_moment` as UTCDateTime reads it: aware, in UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def new_uuid():
    """A new random UUID as text: a row's stable public id (HSDS), set once, never
    changed."""
    return str(uuid.uuid4())


def uuid_column():
    """The `uuid` column of a row partners refer to (HSDS ids): set on insert, unique by
    a unique index (ix_<table>_uuid; migration 0008 adds it without rebuilding a table)."""
    return db.Column(db.String(36), nullable=False, index=True, unique=True, default=new_uuid)
