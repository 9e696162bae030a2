"""The list filters shared by pages and the API: parsed, clamped, never a 500."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from .time import EARLIEST, LATEST, parse_date, valid_date

MAX_QUERY_LENGTH = 200
MIN_RADIUS_KM, MAX_RADIUS_KM = 0.1, 100.0


@dataclass
class ListFilters:
    """What a list was asked for, after cleaning. `notices` says what was ignored."""

    q: str = ""
    focus: list = field(default_factory=list)
    target: list = field(default_factory=list)
    lang: str = ""
    kommun: str = ""
    org: str = ""
    venue: str = ""
    date_from: date | None = None
    date_to: date | None = None
    near: str = ""
    radius_km: float = 5.0
    near_place: object = None  # the Place `near` was found to be
    distances: dict = field(default_factory=dict)  # {occurrence or organisation id: km}
    page: int = 1
    per_page: int = 20
    notices: list = field(default_factory=list)

    def active(self):
        """Whether any filter narrows the list (paging aside)."""
        return any((self.q, self.focus, self.target, self.lang, self.kommun, self.org,
                    self.venue, self.date_from, self.date_to, self.near))


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _slugs(values):
    return [v.strip()[:80] for v in values if v and v.strip()][:20]


def parse_filters(args, per_page_default=20, max_per_page=100):
    """Read list filters from query arguments; bad values are dropped with a notice."""
    if not isinstance(args, MultiDict):
        args = MultiDict(args)
    f = ListFilters()
    f.q = (args.get("q") or "").strip()[:MAX_QUERY_LENGTH]
    f.focus = _slugs(args.getlist("focus"))
    f.target = _slugs(args.getlist("target"))
    # The spoken language: `spoken` (what the filter forms send), or `lang`, which also
    # chooses the interface language (PRODUCT.md names both `lang`). A form choosing
    # Swedish-speaking activities must not turn an Arabic page Swedish.
    f.lang = (args.get("spoken") or args.get("lang") or "").strip()[:8].lower()
    f.kommun = (args.get("kommun") or "").strip()[:80]
    f.org = (args.get("org") or "").strip()[:120]
    f.venue = (args.get("venue") or "").strip()[:120]
    f.near = (args.get("near") or "").strip()[:120]
    for name in ("from", "to"):
        raw = args.get(name)
        if raw:
            value = parse_date(raw)
            if value is None and valid_date(raw):
                f.notices.append(_l("The date “%(value)s” is too far away and is ignored. "
                                    "Dates go from %(first)s to %(last)s.", value=raw[:40],
                                    first=EARLIEST.year, last=LATEST.year))
            elif value is None:
                f.notices.append(_l("The date “%(value)s” was not understood and is ignored. "
                                    "Write it as YYYY-MM-DD.", value=raw[:40]))
            setattr(f, "date_" + name, value)
    if f.date_from and f.date_to and f.date_to < f.date_from:
        f.notices.append(_l("The end date is before the start date, so it is ignored."))
        f.date_to = None
    raw_radius = args.get("radius_km") or ""
    try:
        radius = float(raw_radius or 5)
        f.radius_km = min(max(radius, MIN_RADIUS_KM), MAX_RADIUS_KM) if radius == radius else 5.0
    except (TypeError, ValueError, OverflowError):
        radius = f.radius_km = 5.0
        if f.near:
            f.notices.append(_l("The distance “%(value)s” was not understood, so %(km)s km "
                                "is used.", value=raw_radius[:40], km=format_decimal(5)))
    else:
        if f.near and f.radius_km != radius:
            f.notices.append(_l("Distances go from %(min)s to %(max)s km, so %(km)s km is used.",
                                min=format_decimal(MIN_RADIUS_KM),
                                max=format_decimal(MAX_RADIUS_KM),
                                km=format_decimal(f.radius_km)))
    f.page = max(1, min(_int(args.get("page"), 1), 100000))
    f.per_page = max(1, min(_int(args.get("per_page"), per_page_default), max_per_page))
    return f
