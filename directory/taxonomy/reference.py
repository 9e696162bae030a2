"""Sweden's municipalities and counties as shipped reference data (sources: DATA.md)."""

import json
from functools import cache
from pathlib import Path

MUNICIPALITIES_FILE = Path(__file__).with_name("municipalities_se.json")


@cache
def _document():
    return json.loads(MUNICIPALITIES_FILE.read_text(encoding="utf-8"))


def reference_municipalities():
    """All 290 as dicts: code, name, slug, county_code, county; ordered by code."""
    return [dict(m) for m in _document()["municipalities"]]


def reference_counties():
    """The 21 counties as dicts: code, name."""
    return [dict(c) for c in _document()["counties"]]


def reference_municipality(code):
    """The reference entry for a kommunkod, or None."""
    for municipality in _document()["municipalities"]:
        if municipality["code"] == code:
            return dict(municipality)
    return None
