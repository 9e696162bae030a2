#!/usr/bin/env bash
# Extract the interface strings, update the sv, en and ar catalogues, compile them.
# English msgids; the English catalogue repeats them (make_english below).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=directory/translations
mkdir -p "$DIR"
.venv/bin/pybabel extract -F babel.cfg -k _l -k N_ --no-location --sort-output \
  --project Samverkan --copyright-holder Samverkan -o "$DIR/messages.pot" directory templates
for lang in sv en ar; do
  if [ -f "$DIR/$lang/LC_MESSAGES/messages.po" ]; then
    .venv/bin/pybabel update --ignore-obsolete -i "$DIR/messages.pot" -d "$DIR" -l "$lang" --no-fuzzy-matching
  else
    .venv/bin/pybabel init -i "$DIR/messages.pot" -d "$DIR" -l "$lang"
  fi
done
.venv/bin/python scripts/make_english.py "$DIR/en/LC_MESSAGES/messages.po"
.venv/bin/pybabel compile -d "$DIR" --statistics
