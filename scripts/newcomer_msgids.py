"""The interface strings a newcomer meets: the public pages (home, the lists, a date, a
venue, an organisation, signing up, the personal page, errors, the legal pages), the
notices and form errors those pages show, and the messages a participant gets.

Every interface language must translate these (tests/test_i18n.py checks it); the
coordinators' pages may stay in Swedish, English and Arabic. Run it to see the list:

    .venv/bin/python scripts/newcomer_msgids.py [LANG]

With a language code it prints only the strings that catalogue lacks.
"""

import sys
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

ROOT = Path(__file__).resolve().parent.parent

TEMPLATES = [
    "base.html", "_macros.html", "_form.html", "_filter_fields.html", "_map.html",
    "_subscribe.html",
    "public/*.html",
    "activities/list.html", "activities/detail.html", "activities/occurrence.html",
    "activities/organisation.html", "activities/venue.html", "activities/_filters.html",
    "activities/_facts.html",
    "organisations/list.html", "venues/list.html",
    "signups/form.html", "signups/mine.html", "signups/sent.html", "signups/_status.html",
    "signups/_what.html", "signups/_resend.html", "signups/_open.html",
    "errors/*.html",
    "messages/participant.txt",
]
# Modules whose strings reach those pages: form labels and errors, the notices a list
# shows about what it was asked, the names of subscribed searches, place search.
MODULES = [
    "signups/forms.py", "signups/services.py", "signups/views.py", "signups/notices.py",
    "common/filters.py", "common/templating.py", "common/forms.py", "common/security.py",
    "activities/services.py", "geo/services.py", "geo/geocoder.py", "public/*.py",
    "venues/models.py", "organisations/models.py", "calendars/names.py",
]
# As scripts/translations.sh extracts: pybabel's keywords, `_l` and `_ln`.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "_ln": (1, 2)}


def _files():
    for pattern in TEMPLATES:
        for path in sorted((ROOT / "templates").glob(pattern)):
            yield "jinja2", path
    for pattern in MODULES:
        for path in sorted((ROOT / "directory").glob(pattern)):
            yield "python", path


def newcomer_msgids():
    """{(context, msgid)} for every string of the newcomer's pages; a plural's msgid is
    its (singular, plural) pair."""
    found = set()
    for method, path in _files():
        options = {"silent": "false"} if method == "jinja2" else {}
        for _line, message, _comments, context in extract_from_file(
                method, str(path), keywords=KEYWORDS, options=options):
            found.add((context, message))
    return found


def missing(lang):
    """The newcomer's strings that the catalogue of `lang` does not translate."""
    from babel.messages.pofile import read_po
    path = ROOT / "directory" / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as fh:
        catalog = read_po(fh, locale=lang)
    out = []
    for context, msgid in sorted(newcomer_msgids(), key=str):
        message = catalog.get(msgid, context=context)
        strings = message.string if message and isinstance(
            message.string, (list, tuple)) else [message.string if message else ""]
        if not message or message.fuzzy or not all(strings):
            out.append((context, msgid))
    return out


if __name__ == "__main__":
    chosen = missing(sys.argv[1]) if len(sys.argv) > 1 else sorted(newcomer_msgids(), key=str)
    for ctx, mid in chosen:
        print((f"[{ctx}] " if ctx else "") + (" | ".join(mid) if isinstance(mid, tuple) else mid))
    print(f"{len(chosen)} strings", file=sys.stderr)
