"""Instructions a request costs the app, counted by valgrind (callgrind): a figure the
machine's other work does not move, for telling two versions of the code apart where
milliseconds on a shared machine vary by half from one minute to the next.

Each page is asked in-process (Flask's test client, no server), `--requests` times
more in one run than in another; the difference over that count is one request's
instructions, the app's start cancelled out. Hello world (hello.py) is counted the
same way. Needs valgrind (Debian's package) and a database with data:

    .venv/bin/python bench/instructions.py --database-url sqlite:////tmp/bench.sqlite \\
        "/api/v1/occurrences?per_page=100" /activities

(`run.py --keep` leaves its database in the temporary directory it names.) About a
minute per page and 20 requests at --scale 10000: valgrind runs Python ~50 times
slower. On PostgreSQL only the app's side is counted, not the database server's.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run inside valgrind: the app (or hello world) asked `count` times for `path`.
CHILD = """
import sys
sys.path.insert(0, {root!r})
sys.path.insert(0, {bench!r})
path, count = sys.argv[1], int(sys.argv[2])
if path == "hello":
    from werkzeug.test import Client
    from hello import app
    client = Client(app)
    path = "/"
else:
    from directory import create_app
    client = create_app().test_client()
for _ in range(count):
    client.get(path, headers={{"Accept-Language": "sv"}})
"""


def counted(path, count, env):
    """The instructions valgrind counted in one run asking `path` `count` times."""
    child = CHILD.format(root=str(ROOT), bench=str(ROOT / "bench"))
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         sys.executable, "-c", child, path, str(count)],
        env=env, capture_output=True, text=True, timeout=3600)
    found = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode != 0 or not found:
        raise SystemExit(f"valgrind failed for {path}:\n{result.stderr[-2000:]}")
    return int(found.group(1))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="pages to count, e.g. /activities")
    parser.add_argument("--database-url", required=True,
                        help="the database to read (sqlite:////… or postgresql://…)")
    parser.add_argument("--requests", type=int, default=20,
                        help="the extra requests one request's count is taken over "
                             "(default 20)")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    env = dict(os.environ, DATABASE_URL=args.database_url, SECRET_KEY="bench-count",
               FLASK_ANSWER_CACHE="false", RATELIMIT_ENABLED="false",
               PYTHONMALLOC="malloc")  # every allocation seen by valgrind, not pooled
    print(f"{'page':<45} {'million instructions a request':>31}")
    for path in ["hello", *args.paths]:
        warm, more = counted(path, 3, env), counted(path, 3 + args.requests, env)
        label = "hello world" if path == "hello" else path
        print(f"{label:<45} {(more - warm) / args.requests / 1e6:>31.2f}", flush=True)


if __name__ == "__main__":
    main()
