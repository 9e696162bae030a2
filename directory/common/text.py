"""Text helpers: search folding and slugs."""

import re
import unicodedata

_SLUG_DROP = re.compile(r"[^a-z0-9]+")
_BLOB_TOKEN = re.compile(r"\w+|[^\w\s]+")


def address_line(street, postal_code, city):
    """An address on one line: "Kemistvägen 2, 183 79 Täby", leaving out what is missing."""
    return ", ".join(p for p in (street, " ".join(p for p in (postal_code, city) if p)) if p)


def fold(text):
    """Text folded for comparing names case-insensitively, keeping Å, Ä and Ö as letters
    of their own (a place or an organisation named "Ås" is not "As")."""
    return unicodedata.normalize("NFC", text or "").casefold()


def search_fold(text):
    """Text folded for searching: case, accents and other marks dropped (å → a, é → e,
    Arabic vowel marks and hamza seats alike), compatibility forms unified. Stored in
    `search_text` columns and applied to the query (common.search), so "sprakcafe" finds
    "Språkcafé" and "LÄXHJÄLP" finds "Läxhjälp" on SQLite and PostgreSQL alike."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_blob(*parts):
    """One folded string of every part given, for a `search_text` column: its words and
    runs of punctuation each after one space (" sprakcafe ( taby )"), so the start of
    every word is a space and a letter, which a search index can find
    (common.search.word_needle)."""
    return "".join(" " + token for token in _BLOB_TOKEN.findall(
        search_fold(" ".join(p for p in parts if p))))


def slugify(text):
    """A URL slug: ASCII letters and digits joined by hyphens (å → a, ö → o)."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    slug = _SLUG_DROP.sub("-", ascii_text.lower()).strip("-")
    return slug or "x"


def like_pattern(term):
    """A LIKE pattern matching `term` (already folded) anywhere, with LIKE's wildcards
    escaped."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def one_line(text):
    """Text for a place that holds a single line (an e-mail header, an iCalendar
    parameter or calendar name): line breaks and runs of white space become one space."""
    return " ".join(str(text or "").split())
