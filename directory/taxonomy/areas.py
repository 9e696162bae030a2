"""Which municipality a point lies in, from the shipped simplified boundaries (DATA.md).

The boundaries are simplified to a few dozen points per municipality: near a border the
answer is a suggestion, never a decision.
"""

import json
from functools import cache
from pathlib import Path

AREAS_FILE = Path(__file__).with_name("municipality_areas_se.json")


@cache
def _areas():
    return json.loads(AREAS_FILE.read_text(encoding="utf-8"))["areas"]


def _inside_ring(ring, lon, lat):
    """Even-odd ray casting over a flat [lon, lat, lon, lat, …] ring."""
    inside = False
    count = len(ring) // 2
    x2, y2 = ring[2 * count - 2], ring[2 * count - 1]
    for i in range(count):
        x1, y1 = ring[2 * i], ring[2 * i + 1]
        if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
        x2, y2 = x1, y1
    return inside


def _inside_polygon(rings, lon, lat):
    """Inside the outer ring and in none of its holes."""
    return _inside_ring(rings[0], lon, lat) and not any(
        _inside_ring(hole, lon, lat) for hole in rings[1:])


def municipality_code_at(latitude, longitude):
    """The kommunkod of the municipality whose boundary holds the point, or None (at sea,
    abroad, or in a gap of the simplified boundaries)."""
    if latitude is None or longitude is None:
        return None
    lat, lon = float(latitude), float(longitude)
    for code, area in _areas().items():
        west, south, east, north = area["bbox"]
        if west <= lon <= east and south <= lat <= north and any(
                _inside_polygon(rings, lon, lat) for rings in area["polygons"]):
            return code
    return None
