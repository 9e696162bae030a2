#!/usr/bin/env bash
# Extract the interface strings, update the catalogues of every interface language
# (config.py LANGUAGES), compile them.
# msgids are English; the English catalogue repeats them (scripts/make_english.py).
# Idempotent: with no new or removed strings a second run changes no file (no
# locations, sorted output, the template's date kept when its messages are the same).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PYBABEL=.venv/bin/pybabel
DIR=directory/translations
POT="$DIR/messages.pot"
LANGS=(sv en ar fa so ti uk)
# Plural rules where Babel's own table is not CLDR's (tests/test_i18n.py compares each
# catalogue's rule with CLDR for 0–1000). Forms in CLDR's order.
# Arabic, the standard gettext rule: 0 zero, 1 one, 2 two, 3 few (3–10), 4 many
# (11–99), 5 other (100–102 …). Persian and Tigrinya: one (0 and 1), other.
# Swedish, English, Somali and Ukrainian (one, few, many) keep what Babel writes.
PLURAL_RULES=(
  'ar=nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);'
  'fa=nplurals=2; plural=(n > 1);'
  'ti=nplurals=2; plural=(n > 1);'
)

mkdir -p "$DIR"
fresh=$(mktemp)
trap 'rm -f "$fresh"' EXIT
"$PYBABEL" extract -F babel.cfg -k _l -k _ln:1,2 -k N_ --no-location --sort-output \
  --project Samverkan --copyright-holder Samverkan -o "$fresh" directory templates

# Keep the old template (and so its POT-Creation-Date) when the messages are the same.
if "$PY" - "$fresh" "$POT" <<'PYTHON'
import sys
from babel.messages.pofile import read_po

def messages(path):
    try:
        with open(path, "rb") as fh:
            return [(m.id, sorted(m.flags), m.auto_comments) for m in read_po(fh) if m.id]
    except FileNotFoundError:
        return None

sys.exit(0 if messages(sys.argv[1]) == messages(sys.argv[2]) else 1)
PYTHON
then
  echo "messages.pot: no new or removed strings"
else
  cp "$fresh" "$POT"
  echo "messages.pot: updated"
fi

for lang in "${LANGS[@]}"; do
  if [ -f "$DIR/$lang/LC_MESSAGES/messages.po" ]; then
    "$PYBABEL" update --ignore-obsolete --no-fuzzy-matching -i "$POT" -d "$DIR" -l "$lang"
  else
    "$PYBABEL" init -i "$POT" -d "$DIR" -l "$lang"
  fi
done

# Babel's own Arabic rule swaps the last two forms of the standard one, and its Persian
# and Tigrinya rules are not CLDR's; `init` writes Babel's, `update` keeps whatever the
# file has. A plural message gets as many forms as the rule has.
"$PY" - "$DIR" "${PLURAL_RULES[@]}" <<'PYTHON'
import sys
from babel.messages.pofile import read_po, write_po

folder = sys.argv[1]
for pair in sys.argv[2:]:
    lang, rule = pair.split("=", 1)
    path = f"{folder}/{lang}/LC_MESSAGES/messages.po"
    with open(path, "rb") as fh:
        catalog = read_po(fh, locale=lang)
    if catalog.plural_forms == rule:
        continue
    catalog.mime_headers = [(k, rule if k == "Plural-Forms" else v)
                            for k, v in catalog.mime_headers]
    for message in catalog:
        if message.id and message.pluralizable:
            forms = list(message.string)[:catalog.num_plurals]
            message.string = tuple(forms + [""] * (catalog.num_plurals - len(forms)))
    with open(path, "wb") as fh:
        write_po(fh, catalog, ignore_obsolete=True)
    print(f"{lang}: Plural-Forms set to {rule}")
PYTHON

"$PY" scripts/make_english.py "$DIR/en/LC_MESSAGES/messages.po"
"$PYBABEL" compile -d "$DIR" --statistics
