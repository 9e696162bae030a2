"""Geocoding results kept, so a place is asked of the outside service only once."""

from ..common.time import utcnow
from ..common.types import UTCDateTime
from ..extensions import db


class GeocodeCache(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    query = db.Column(db.String(200), nullable=False, unique=True)  # folded
    name = db.Column(db.String(300))
    latitude = db.Column(db.Float)  # None: nothing found
    longitude = db.Column(db.Float)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
