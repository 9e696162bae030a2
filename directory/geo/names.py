"""How a place's name is compared with what someone typed: without case, accents or
Arabic vowel marks, so "gardsten" finds Gårdsten and "غُوتِنْبِرْغ" finds غوتنبرغ."""

import re
import unicodedata

from ..common.text import fold

# Letters written two ways in Arabic and Persian text, made one; the tatweel and the
# direction marks dropped.
_ARABIC_VARIANTS = str.maketrans({"ی": "ي", "ى": "ي", "ک": "ك", "ة": "ه", "ـ": None,
                                  "\u200e": None, "\u200f": None, "\u200c": None})
_SPACES = re.compile(r"\s+")


def place_key(text):
    """`text` folded for comparing place names: case, accents and marks off (NFKD, so
    Arabic presentation forms and hamza seats become their plain letters), Arabic and
    Persian letter variants made one, white space collapsed."""
    decomposed = unicodedata.normalize("NFKD", fold(text))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", bare.translate(_ARABIC_VARIANTS)).strip()


def is_latin(text):
    """Whether `text` has no letters outside the Latin script."""
    return all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in text)
