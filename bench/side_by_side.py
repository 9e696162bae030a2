"""Two versions of the app side by side: one gunicorn (2 sync workers, as run.py serves
the app without its answer cache) for each of two checkouts, on one database; for each
page their requests alternate, so a machine whose speed moves within minutes slows
both alike. Prints p50/p95 of each, in ms, as the client sees them.

    .venv/bin/python bench/side_by_side.py /path/to/other/checkout \\
        --database-url postgresql://…/bench_db "/api/v1/occurrences?per_page=100"

The other checkout is compared with this one (e.g. `git worktree add ../base <commit>`);
both run this checkout's Python environment, unless `--other-python` names another
interpreter for the other (two interpreters compared on one version: the other checkout
a worktree of the same commit, the other Python a venv with requirements.txt). The database holds data already (`run.py
--keep` leaves its SQLite file; on PostgreSQL run.py leaves its database seeded).
"""

import argparse
import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import free_port, percentile  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", help="the other checkout (a directory)")
    parser.add_argument("paths", nargs="+", help="pages to ask, e.g. /activities")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=300,
                        help="requests per page to each version (default 300)")
    parser.add_argument("--warmup", type=int, default=40, help="warm-up requests each")
    parser.add_argument("--other-python", default=sys.executable,
                        help="the Python serving the other checkout (default this one)")
    return parser.parse_args(argv)


def serve(checkout, database_url, python=sys.executable):
    """A gunicorn of `checkout`, run by `python`, on a free port: (process, port)."""
    port = free_port()
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="side-by-side",
               FLASK_ANSWER_CACHE="false", RATELIMIT_ENABLED="false", REDIS_URL="")
    process = subprocess.Popen(
        [python, "-m", "gunicorn", "--workers", "2", "--threads", "1", "--bind",
         f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=checkout, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    return process, port


def ask(port, path):
    """ms for one GET of `path`, on a new connection (sync workers close each)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    conn.request("GET", path, headers={"Accept-Language": "sv"})
    conn.getresponse().read()
    conn.close()
    return (time.perf_counter() - started) * 1000


def wait_ready(port, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            ask(port, "/healthz")
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"no answer on port {port}")


def main(argv=None):
    args = parse_args(argv)
    versions = [(Path(args.other).resolve().name, Path(args.other).resolve()),
                (f"{ROOT.name} (this)", ROOT)]
    servers = [serve(versions[0][1], args.database_url, args.other_python),
               serve(versions[1][1], args.database_url)]
    try:
        for _, port in servers:
            wait_ready(port)
        for path in args.paths:
            path = quote(path, safe="/?=&%")
            for _ in range(args.warmup):
                for _, port in servers:
                    ask(port, path)
            times = [[], []]
            for i in range(args.requests):
                order = (0, 1) if i % 2 else (1, 0)  # neither always first
                for k in order:
                    times[k].append(ask(servers[k][1], path))
            figures = []
            for (name, _), measured in zip(versions, times):
                measured.sort()
                figures.append(f"{name}: p50 {percentile(measured, 50):.1f} "
                               f"p95 {percentile(measured, 95):.1f}")
            print(f"{path}\n   " + "\n   ".join(figures), flush=True)
    finally:
        for process, _ in servers:
            os.killpg(process.pid, signal.SIGTERM)
    return 0


if __name__ == "__main__":
    sys.exit(main())
