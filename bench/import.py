"""Register import speed: a generated CSV of 10,000 organisations (semicolons, BOM, as
Swedish Excel saves it); prints the time of the dry run (reading and planning), of the
import, of the same file's second dry run (every row unchanged) and of an import that
changes one field in every tenth row. Aim: 10,000 rows in under a minute.

    .venv/bin/python bench/import.py [--rows 10000] [--database-url postgresql://…]
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from directory import create_app  # noqa: E402
from directory.common.validators import luhn_ok  # noqa: E402
from directory.config import database_uri  # noqa: E402
from directory.extensions import db  # noqa: E402
from directory.organisations.importing import create_run, run_import  # noqa: E402
from directory.organisations.models import Organisation  # noqa: E402
from directory.taxonomy.services import enable_municipalities  # noqa: E402

GOAL_S = 60.0
CODES = ("0160", "1480", "1481", "0180", "1280")
HEADER = ("Namn;Organisationsnummer;Typ;Kommun;Adress;Postnummer;Ort;E-post;Telefon;"
          "Webbplats;Språk;Fokusområden")
KINDS = ("Förening", "Idrottsförening", "Studieförbund", "Trossamfund", "Annan")
FOCUS = ("Arbete och egen försörjning", "Utbildning och språk; Hälsa", "Boende", "")


def org_number(n):
    """A valid organisationsnummer (802… : ideella föreningar) for row n."""
    body = f"802{n:06d}"
    check = next(d for d in range(10) if luhn_ok(f"{body}{d}"))
    return f"{body[:6]}-{body[6:]}{check}"


def register_csv(rows, changed_every=0):
    """The file's bytes; with `changed_every`, every such row has another phone."""
    lines = [HEADER]
    for n in range(rows):
        phone = "08-123 456 78" if changed_every and n % changed_every == 0 \
            else f"070-{n % 1000:03d} {n % 100:02d} {n % 97:02d}"
        lines.append(";".join((
            f"Föreningen nummer {n}", org_number(n), KINDS[n % len(KINDS)],
            CODES[n % len(CODES)], f"Storgatan {n % 200 + 1}", "183 79", "Täby",
            f"info{n}@example.se", phone, f"https://forening{n}.example.se",
            "svenska, arabiska" if n % 2 else "sv", FOCUS[n % len(FOCUS)])))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def timed(label, fn):
    started = time.perf_counter()
    result = fn()
    took = time.perf_counter() - started
    print(f"{label:<44} {took:6.1f} s")
    return result, took


def dry_then_import(data, label):
    """Dry run (stored run) then the import; (run, seconds of both)."""
    (run, _), dry = timed(f"{label}: dry run", lambda: create_run(data, "bench.csv", None,
                                                                    "verified"))
    db.session.commit()
    run, took = timed(f"{label}: import", lambda: run_import(run.id))
    print(f"  {run.state}: {run.created} created, {run.updated} updated, "
          f"{run.unchanged} unchanged, {run.refused} refused")
    return run, dry + took


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--database-url", default=None,
                        help="postgresql://... of an empty database (default: a temporary "
                             "SQLite file)")
    args = parser.parse_args(argv)
    uri = database_uri(args.database_url) if args.database_url else \
        f"sqlite:///{tempfile.mkdtemp(prefix='samverkan-import-')}/import.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        enable_municipalities(CODES)
        db.session.commit()
        data = register_csv(args.rows)
        print(f"{args.rows} rows, {len(data) / 1024 / 1024:.1f} MiB, on "
              f"{db.engine.dialect.name}")
        _, first = dry_then_import(data, "first import")
        dry_then_import(data, "same file again")
        dry_then_import(register_csv(args.rows, changed_every=10), "a tenth changed")
        total = db.session.scalar(select(func.count()).select_from(Organisation))
        print(f"organisations in the register: {total}")
        print(f"first import, dry run and import: {first:.1f} s (goal < {GOAL_S:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
