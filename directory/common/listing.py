"""One list query layer: what a list query gives back (ListResult), and the conditions
on a listed model that every list writes the same way (text, spoken language, tags).

Filters go in (common.filters.ListFilters), a result comes out: a list query never
writes into the filters it was given. The domain conditions are built from these
(activities.services.activity_conditions, organisations.services.organisation_conditions).
"""

import math
from dataclasses import dataclass, field

from sqlalchemy import and_, bindparam, select

from .db import is_postgres
from .search import fts_ids, is_indexed, search_needles
from .text import like_pattern
from .transactions import WORDS


# A long list counts its rows only this far past the page, never every row: "more than
# 60 upcoming times" is all a reader needs, and the pager knows the pages that far.
# Lists of dates and of organisations alike.
COUNT_AHEAD = 40


@dataclass(frozen=True)
class ListResult:
    """One page of a list, with what the query found on the way.

    `distances` ({row id: km}) holds the shown rows' distances near a place;
    `notices` the filters' parse notices, then the query's own (an unknown slug, a
    place not found); `near_place` the place `near` was found to be; `counted_all`
    False when the list counted only so far past the page and `total` is a lower
    bound (pages and has_next still know the pages up to it). Paging reads like
    flask_sqlalchemy's Pagination (pages, has_prev, prev_num …) for the pager macro and
    the API's envelope.
    """

    items: list
    page: int
    per_page: int
    total: int
    distances: dict = field(default_factory=dict)
    notices: tuple = ()
    near_place: object = None
    counted_all: bool = True  # False: `total` is a lower bound, more rows follow

    @property
    def pages(self):
        return math.ceil(self.total / self.per_page) if self.total else 0

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def prev_num(self):
        return self.page - 1 if self.has_prev else None

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def next_num(self):
        return self.page + 1 if self.has_next else None

    @property
    def place_missing(self):
        """Whether the list was asked near a place that was not found: it lists
        nothing, and its notice offers the names that come closest."""
        return any(getattr(n, "place_missing", False) for n in self.notices)

    @classmethod
    def counted(cls, ids, page, per_page, load, **kwargs):
        """The page of `ids` (the list's first rows, fetched up to counted_to(page,
        per_page) + 1), loaded by `load(ids)`, with the total counted that far."""
        offset = (page - 1) * per_page
        return cls.found(load(ids[offset:offset + per_page]), page, per_page, len(ids),
                         **kwargs)

    @classmethod
    def found(cls, items, page, per_page, found, **kwargs):
        """The page `items` of a list whose first rows, fetched up to counted_to(page,
        per_page) + 1, were `found` in number: the total counted that far."""
        limit = counted_to(page, per_page)
        return cls(items, page, per_page, min(found, limit), counted_all=found <= limit,
                   **kwargs)

    def distance(self, row_id):
        """The km to a shown row when the list is near a place, else None."""
        return self.distances.get(row_id) if self.near_place is not None else None


def counted_to(page, per_page):
    """How many rows a list of page `page` counts: the page and COUNT_AHEAD past it;
    it fetches one more to know whether more follow."""
    return page * per_page + COUNT_AHEAD


def matches_text(model, q):
    """SQL: the row's folded search text (`search_text`) holds every word of `q`,
    whatever its case and accents (common.search says how): the one text condition of
    every list, page, API, feed and HSDS search, on both databases.

    Each word is looked for as its needle (common.search.word_needle: a word of one or
    two letters at a word's start). SQLite finds the needles of three characters or
    more in the FTS5 index (the row's id in the ids it answers) and checks shorter ones
    on those rows; PostgreSQL asks LIKE of each needle, which its trigram index serves.
    A query without words (only punctuation) looks for its folded self. A search's
    statements are planned for its words (common.transactions.WORDS)."""
    needles = search_needles(q)
    indexed = [n for n in needles if is_indexed(n)]
    if is_postgres() or not indexed:
        return and_(*[_holds(model, n) for n in needles])
    return and_(model.id.in_(fts_ids(model.__tablename__, indexed)),
                *[_holds(model, n) for n in needles if not is_indexed(n)])


def _holds(model, folded):
    # The pattern bound as WORDS: its statement is planned for it (common.transactions).
    return model.search_text.like(bindparam(WORDS, like_pattern(folded), unique=True),
                                  escape="\\")


def speaks(model, code):
    """SQL: the row's spoken languages (`language_codes`, stored as ",sv,ar,") hold
    `code`."""
    return model.language_codes.like(model.language_pattern(code))


def tagged(row_id, link_row, link_tag, tag_ids):
    """SQL: the row (`row_id`) has one of `tag_ids` (a list, or a select of ids) in a
    link table (`link_row`, `link_tag`): a focus area or target group filter. An empty
    list matches nothing."""
    return row_id.in_(select(link_row).where(link_tag.in_(tag_ids)))
