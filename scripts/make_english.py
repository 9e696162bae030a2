"""Fill the English catalogue: every msgstr is its msgid (the source language)."""

import sys

from babel.messages.pofile import read_po, write_po

path = sys.argv[1]
with open(path, "rb") as fh:
    catalog = read_po(fh, locale="en")
for message in catalog:
    if not message.id:
        continue
    message.string = message.id
    message.flags.discard("fuzzy")
with open(path, "wb") as fh:
    write_po(fh, catalog, omit_header=False, no_location=True, sort_output=True)
