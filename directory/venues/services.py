"""Venue rules: listing meeting places and reading their week."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from .models import Venue


def public_venues(municipality_id=None):
    """Active venues, by name."""
    stmt = select(Venue).where(Venue.active.is_(True))
    if municipality_id:
        stmt = stmt.where(Venue.municipality_id == municipality_id)
    return db.session.scalars(stmt.order_by(Venue.name).options(
        selectinload(Venue.rooms), selectinload(Venue.municipality))).all()


def public_venue(slug):
    return db.session.scalar(select(Venue).where(Venue.slug == slug,
                                                 Venue.active.is_(True)))
