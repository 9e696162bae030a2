"""Open-data export at scale: `flask export-hsds` over a seeded database, in a process
of its own; prints its time, the most memory it held and what it wrote, beside the same
process doing nothing but start the app (`flask routes`: the baseline).

    .venv/bin/python bench/export.py --database-url postgresql://…/seeded [--runs 1]

The database is one `bench/run.py --keep` (or `flask seed-demo --scale N`) seeded;
nothing in it is changed.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi"]


def measured(args, database_url):
    """(seconds, the child's peak resident memory in MB, its output) of one command."""
    env = {**os.environ, "DATABASE_URL": database_url,
           "SECRET_KEY": os.environ.get("SECRET_KEY", "bench")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(FLASK + args, cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True)
    took = time.perf_counter() - started
    # ru_maxrss of the children is the largest of any so far: runs go largest last.
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return took, peak / 1024, done.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    base_s, base_mb, _ = measured(["routes"], args.database_url)
    print(f"baseline (flask routes: the app started, nothing read): {base_s:.1f} s, "
          f"{base_mb:.0f} MB")
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as target:
            took, peak, output = measured(["export-hsds", target], args.database_url)
            size = sum(f.stat().st_size for f in Path(target).rglob("*") if f.is_file())
        counts = ", ".join(line.strip() for line in output.splitlines() if ": " in line)
        print(f"export-hsds run {run}: {took:.1f} s, at most {peak:.0f} MB "
              f"({size / 1e6:.0f} MB written; {counts})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
