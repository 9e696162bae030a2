"""The list filters shared by pages and the API: parsed, clamped, never a 500."""

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from .time import EARLIEST, LATEST, parse_date, valid_date

MAX_QUERY_LENGTH = 200
MIN_RADIUS_KM, MAX_RADIUS_KM = 0.1, 100.0


@dataclass(frozen=True)
class ListFilters:
    """What a list was asked for, after cleaning: the input of a list query, never
    written to afterwards (common.listing.ListResult is what comes out). `notices`
    says what parsing ignored or changed."""

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
    # Changed at or after this moment (aware UTC): a partner system's incremental sync.
    modified_after: datetime | None = None
    page: int = 1
    per_page: int = 20
    notices: tuple = ()

    def active(self):
        """Whether any filter narrows the list (paging aside)."""
        return any((self.q, self.focus, self.target, self.lang, self.kommun, self.org,
                    self.venue, self.date_from, self.date_to, self.near,
                    self.modified_after))

    def but(self, **changes):
        """These filters with some values changed (a new object: filters are not
        changed in place)."""
        return replace(self, **changes)


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
    near = (args.get("near") or "").strip()[:120]
    notices = []
    date_from, date_to = _dates(args, notices)
    radius_km = _radius(args.get("radius_km") or "", near, notices)
    return ListFilters(
        q=(args.get("q") or "").strip()[:MAX_QUERY_LENGTH],
        focus=_slugs(args.getlist("focus")),
        target=_slugs(args.getlist("target")),
        # The spoken language: `spoken` (what the filter forms send), or `lang`, which
        # also chooses the interface language (PRODUCT.md names both `lang`). A form
        # choosing Swedish-speaking activities must not turn an Arabic page Swedish.
        lang=(args.get("spoken") or args.get("lang") or "").strip()[:8].lower(),
        kommun=(args.get("kommun") or "").strip()[:80],
        org=(args.get("org") or "").strip()[:120],
        venue=(args.get("venue") or "").strip()[:120],
        date_from=date_from, date_to=date_to, near=near, radius_km=radius_km,
        page=max(1, min(_int(args.get("page"), 1), 100000)),
        per_page=max(1, min(_int(args.get("per_page"), per_page_default), max_per_page)),
        notices=tuple(notices))


def _dates(args, notices):
    """(from, to) of the query arguments; a date not understood, or an end before the
    start, is dropped with a notice."""
    found = {}
    for name in ("from", "to"):
        raw = args.get(name)
        found[name] = None
        if raw:
            found[name] = parse_date(raw)
            if found[name] is None and valid_date(raw):
                notices.append(_l("The date “%(value)s” is too far away and is ignored. "
                                  "Dates go from %(first)s to %(last)s.", value=raw[:40],
                                  first=EARLIEST.year, last=LATEST.year))
            elif found[name] is None:
                notices.append(_l("The date “%(value)s” was not understood and is ignored. "
                                  "Write it as YYYY-MM-DD.", value=raw[:40]))
    if found["from"] and found["to"] and found["to"] < found["from"]:
        notices.append(_l("The end date is before the start date, so it is ignored."))
        found["to"] = None
    return found["from"], found["to"]


def _radius(raw, near, notices):
    """The radius in km, clamped; said in a notice (near a place only) when changed."""
    try:
        radius = float(raw or 5)
    except (TypeError, ValueError, OverflowError):
        if near:
            notices.append(_l("The distance “%(value)s” was not understood, so %(km)s km "
                              "is used.", value=raw[:40], km=format_decimal(5)))
        return 5.0
    clamped = min(max(radius, MIN_RADIUS_KM), MAX_RADIUS_KM) if radius == radius else 5.0
    if near and clamped != radius:
        notices.append(_l("Distances go from %(min)s to %(max)s km, so %(km)s km is used.",
                          min=format_decimal(MIN_RADIUS_KM), max=format_decimal(MAX_RADIUS_KM),
                          km=format_decimal(clamped)))
    return clamped
