"""Seed --scale N, serve it with gunicorn, measure, and end with one table of the aims.

The table holds every row of issue 18 ("Speed at every scale") with its aim, what this
run measured and hello world served the same way in the same run (bench/summary.py).

`make bench` runs it on SQLite; `--database-url postgresql://...` runs it on an
(empty) PostgreSQL database instead. The app is served twice (as deployed, and with
FLASK_ANSWER_CACHE=false for the "without cache" rows) next to a hello-world app, all
under the same gunicorn. Every request goes to 127.0.0.1, every loop is bounded in
count and in time, and the servers are stopped even on error.
"""

import argparse
import contextlib
import gc
import http.client
import io
import json
import os
import platform
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from feed_orgs import LARGE, ONE_OFF, WEEKLY, FeedOrganisations, feed_path  # noqa: E402
from hosts import (cross_host_check, print_memory, process_stats,  # noqa: E402
                   worker_memory)
from round_trip import round_trip_note  # noqa: E402
from summary import SEARCH_CONTROL, SEARCHES, print_table, summary_rows  # noqa: E402
from wire import wire_rows  # noqa: E402

# (label, path) of the pages measured one request at a time.
LATENCY_PATHS = [
    ("/activities", "/activities"),
    ("/activities?focus=arbete&lang=ar", "/activities?focus=arbete&lang=ar"),
    ("/activities?q=läxhjälp", "/activities?q=" + quote("läxhjälp")),
    # Near a place: the list a newcomer asks for first (5 km, the place's own default).
    ("/activities?near=Täby", "/activities?near=" + quote("Täby")),
    ("/activities?q=sprakcafe", "/activities?q=sprakcafe"),
    ("/activities?q=language cafe", "/activities?q=" + quote("language cafe")),
    ("/organisations?q=Gardsten", "/organisations?q=Gardsten"),
    ("/organisations", "/organisations"),
    ("/api/v1/occurrences", "/api/v1/occurrences"),
    ("/api/v1/occurrences?per_page=100", "/api/v1/occurrences?per_page=100"),
]
GOAL_P95_MS = 50.0
# The seed's goal, for --scale 10000 (demo.seed.seed_scale: 10,000 organisations well
# under two minutes); at other scales (the country: 100,000) its time and memory are
# printed, with no goal.
GOAL_SEED_S = 120.0
GOAL_SEED_SCALE = 10000


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None,
                        help="postgresql://... of an empty database (default: a temporary "
                             "SQLite file)")
    parser.add_argument("--scale", type=int, default=10000,
                        help="organisations to generate (default 10000)")
    parser.add_argument("--history-days", type=int, default=14,
                        help="how far back the generated series began (default 14; 365 "
                             "measures a year of past dates)")
    parser.add_argument("--requests", type=int, default=200,
                        help="sequential requests per page after the warm-up (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up requests per page")
    parser.add_argument("--threads", type=int, default=8,
                        help="client threads for the throughput test (default 8)")
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="length of each throughput test (default 10 s)")
    # A hundred: a p95 of 30 requests is their second slowest.
    parser.add_argument("--edits", type=int, default=100,
                        help="feed requests each after one edit (default 100)")
    parser.add_argument("--cold", type=int, default=5,
                        help="cold requests of the ~5,000-date feed (default 5)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--app-hosts", type=int, default=1,
                        help="separate gunicorns serving the app on the same database (and "
                             "Redis, with REDIS_URL), as that many machines behind a proxy "
                             "would; requests alternate between them (default 1)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary directory (database and server logs)")
    return parser.parse_args(argv)


# ------------------------------------------------------------------ processes

def free_port():
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def flask_command(env, *args, timeout):
    """Run `flask --app wsgi ARGS` with `env`; returns (seconds taken, output)."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args],
                            cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=timeout)
    took = time.perf_counter() - started
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"flask {' '.join(args)} failed ({result.returncode})")
    return took, (result.stdout + result.stderr).strip()


class Server:
    """A gunicorn serving `target` on a free port, in its own process group."""

    def __init__(self, name, target, env, workdir, workers, extra=()):
        self.name = name
        self.port = free_port()
        self.log_path = Path(workdir) / f"{name.replace(' ', '-')}.log"
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", "1",
             "--bind", f"{HOST}:{self.port}", "--access-logfile", "-", "--log-level",
             "warning", "--timeout", "60", *extra, target],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True)
        self.ports = [self.port]
        self.groups = [self.process.pid]

    def wait_ready(self, path, timeout=60.0):
        """Poll `path` until it answers 200, or fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", path)
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start; log:\n{self.tail()}")

    def tail(self, lines=30):
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self):
        """Stop this gunicorn (its master and workers): TERM, then KILL after 10 s."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait(timeout=10)
        self._log.close()


class Hosts:
    """One app served by several gunicorns (hosts) on the same database: ports to
    alternate between, started, waited for and stopped together."""

    def __init__(self, name, servers):
        self.name, self.servers = name, servers
        self.port = servers[0].port
        self.ports = [server.port for server in servers]
        self.groups = [server.process.pid for server in servers]

    def wait_ready(self, path):
        for server in self.servers:
            server.wait_ready(path)

    def stop(self):
        for server in self.servers:
            server.stop()


def serve_app(name, env, workdir, args):
    """The app as one gunicorn, or as `--app-hosts` separate ones."""
    if args.app_hosts <= 1:
        return Server(name, "wsgi:app", env, workdir, args.workers)
    return Hosts(name, [Server(f"{name} {n}", "wsgi:app", env, workdir, args.workers)
                        for n in range(1, args.app_hosts + 1)])


# ------------------------------------------------------------------ measuring

class Client:
    """One keep-alive HTTP client; it reconnects when the server closes the connection
    (gunicorn's sync workers close after every response). Given several ports (app
    hosts) its requests take turns among them, all with the first one's Host header, as
    a proxy passes on the one public host name."""

    def __init__(self, ports, host=None):
        ports = [ports] if isinstance(ports, int) else list(ports)
        self.conns = [http.client.HTTPConnection(HOST, port, timeout=30) for port in ports]
        self.host = host or f"{HOST}:{ports[0]}"
        self.turn = 0

    def request(self, path, headers=None, method="GET", body=None):
        """`method` `path`; returns (status, body, response headers)."""
        conn = self.conns[self.turn]
        self.turn = (self.turn + 1) % len(self.conns)
        headers = {"Host": self.host, "Accept-Language": "sv", **(headers or {})}
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            body = response.read()
        except (http.client.HTTPException, OSError):
            conn.close()  # stale keep-alive connection: retry once on a new one
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            body = response.read()
        return response.status, body, response.headers

    def get(self, path):
        """GET `path`; returns (status, body length)."""
        status, body, _ = self.request(path)
        return status, len(body)

    def close(self):
        for conn in self.conns:
            conn.close()


def percentile(sorted_values, p):
    """The p-th percentile (nearest rank) of already sorted values."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(p / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def warm_every_worker(ports, path, headers=None, before=None, clients=4, each=2):
    """`clients` clients at once, `each` requests of `path` apiece (each after
    `before()`, one at a time, when given): with a sync worker busy the next connection
    goes to another, so every worker of every host has answered `path` as it is then
    timed before anything is timed. (Sequential warm-up requests may all land on one
    worker; another's first answer, with its first statements compiled, is then among
    the timed.)"""
    one_at_a_time = threading.Lock()

    def warm():
        client = Client(ports)
        try:
            for _ in range(each * len(client.conns)):
                if before is not None:
                    with one_at_a_time:
                        before()
                client.request(path, headers)
        finally:
            client.close()
    threads = [threading.Thread(target=warm) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)


def measure_latency(ports, path, count, warmup, time_limit=120.0, headers=None,
                    expect=200, before=None):
    """Sequential GETs of `path`: milliseconds of each, after every worker answered it
    (warm_every_worker) and `warmup` unmeasured ones;
    with several ports (app hosts) the requests take turns among them. `before()`, when
    given, runs before each measured request, outside its time (an edit); a status
    other than `expect` counts as an error."""
    if warmup:
        warm_every_worker(ports, path, headers)  # every worker has it whole
        if before is not None:
            warm_every_worker(ports, path, headers, before)  # and after a change
    client = Client(ports)
    times, errors, size, last = [], 0, 0, b""
    deadline = time.monotonic() + time_limit
    try:
        for _ in range(warmup):
            if time.monotonic() > deadline:
                break
            client.request(path, headers)
        for _ in range(count):
            if time.monotonic() > deadline:
                break
            if before is not None:
                before()
            # This process's own collector never runs inside a timed request: a pass
            # over what it holds (the editor's app, bodies kept) is not the server's time.
            gc.disable()
            try:
                started = time.perf_counter()
                status, body, _ = client.request(path, headers)
                times.append((time.perf_counter() - started) * 1000)
            finally:
                gc.enable()
            errors += status != expect
            size, last = len(body), body
    finally:
        client.close()
    times.sort()
    return {"n": len(times), "errors": errors, "bytes": size, "body": last,
            "p50": percentile(times, 50), "p95": percentile(times, 95),
            "max": times[-1] if times else float("nan")}


def measure_throughput(ports, path, threads, seconds, max_requests=200000):
    """`threads` clients GET `path` as fast as they can for `seconds`: requests per second
    (with several ports, the threads are spread over the app hosts)."""
    stop_at = time.monotonic() + seconds
    done, errors = [0] * threads, [0] * threads
    per_thread = max_requests // threads

    def work(i):
        client = Client(ports[i % len(ports)], host=f"{HOST}:{ports[0]}")
        try:
            while time.monotonic() < stop_at and done[i] < per_thread:
                try:
                    status, _ = client.get(path)
                except (http.client.HTTPException, OSError):
                    status = 0
                done[i] += 1
                errors[i] += status != 200
        finally:
            client.close()

    started = time.monotonic()
    workers = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=seconds + 60)
    took = time.monotonic() - started
    return {"requests": sum(done), "errors": sum(errors), "seconds": took,
            "rps": sum(done) / took if took else float("nan")}


# ------------------------------------------------------------------ reporting

def row_counts(database_url):
    """How many organisations, activities and occurrences the database holds."""
    from sqlalchemy import create_engine, text

    from directory.config import database_uri
    engine = create_engine(database_uri(database_url))
    try:
        with engine.connect() as conn:
            return {table: conn.scalar(text(f"SELECT count(*) FROM {table}"))
                    for table in ("organisation", "activity", "occurrence")}
    finally:
        engine.dispose()


def settle_postgres(database_url):
    """VACUUM ANALYZE after the bulk load, as autovacuum would do within minutes:
    planner statistics, and a visibility map for index-only scans. Then a CHECKPOINT,
    so the load's pages are written before anything is measured (else the checkpointer
    writes them, spread over the next minutes, beside the app: the `others` column);
    one the database's user may not ask for is left to the checkpointer."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError

    from directory.config import database_uri
    engine = create_engine(database_uri(database_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("VACUUM ANALYZE"))
            try:
                conn.execute(text("CHECKPOINT"))
            except DBAPIError:
                print("   (no CHECKPOINT: the database's user may not ask for one)")
    finally:
        engine.dispose()


def advance_sequences(database_url):
    """PostgreSQL: move every id sequence past the ids `seed-demo --scale` inserted
    itself (its bulk insert names the ids), so rows the app adds next get free ids."""
    from sqlalchemy import create_engine, text

    from directory.config import database_uri
    engine = create_engine(database_uri(database_url))
    try:
        with engine.begin() as conn:
            columns = conn.execute(text(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'"))
            for table, column in list(columns):
                conn.execute(text(
                    f'SELECT setval(pg_get_serial_sequence(:t, :c), '
                    f'(SELECT coalesce(max("{column}"), 0) + 1 FROM "{table}"), false)'),
                    {"t": f'"{table}"', "c": column})
    finally:
        engine.dispose()


class OtherLoad:
    """How much of the machine's CPU went to processes other than this benchmark
    (this client and the gunicorns' process groups) between start() and percent():
    figures taken while others worked are not the app's alone. Linux /proc only."""

    def __init__(self, groups):
        self.groups = set(groups)
        self.ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    @staticmethod
    def _busy():
        with open("/proc/stat") as fh:
            fields = [int(v) for v in fh.readline().split()[1:]]
        return sum(fields) - fields[3] - fields[4]  # all but idle and iowait

    def _ours(self):
        return sum(int(fields[11]) + int(fields[12])  # utime + stime
                   for pid, fields in process_stats()
                   if pid == os.getpid() or int(fields[2]) in self.groups)

    def start(self):
        try:
            self._start = (time.monotonic(), self._busy(), self._ours())
        except OSError:
            self._start = None

    def percent(self):
        """Others' share of all cores since start(), in per cent; None if unknown."""
        if self._start is None:
            return None
        try:
            now, busy, ours = time.monotonic(), self._busy(), self._ours()
        except OSError:
            return None
        began, busy0, ours0 = self._start
        available = (now - began) * self.ticks * (os.cpu_count() or 1)
        return max(0.0, 100 * ((busy - busy0) - (ours - ours0)) / available)


def python_note():
    """The interpreter the app is served by, and whether it runs from a shared library
    (libpython: calls through the PLT, ~10 % slower on our pages) or its executable."""
    with open("/proc/self/maps") as maps:
        shared = any("libpython" in line for line in maps)
    where = "from libpython, a shared library" if shared else "in its executable"
    return f"{sys.executable} ({platform.python_version()}, the interpreter {where})"


def _fixed_work():
    table, total = {i: i for i in range(1000)}, 0
    for i in range(100_000):
        total += table.get(i % 1500, 0) + len(str(i))
    return total


def speed_note():
    """How long a fixed piece of Python work takes this machine now (p50 of 7): on a
    virtual machine it can double from one stretch of minutes to the next, and every
    figure of the app with it; compare runs by it."""
    times = []
    for _ in range(7):
        started = time.perf_counter()
        _fixed_work()
        times.append((time.perf_counter() - started) * 1000)
    return f"a fixed piece of Python work took {sorted(times)[3]:.1f} ms (p50 of 7)"


def load_note():
    """The machine: cores and load average, so figures can be judged."""
    try:
        one, five, _ = os.getloadavg()
        return f"{os.cpu_count()} cores, load average {one:.2f} (1 min) {five:.2f} (5 min)"
    except OSError:
        return f"{os.cpu_count()} cores"


def _pct(others):
    share = others.percent()
    return "?" if share is None else f"{share:.0f}%"


def seed(args, env, database_url, workdir):
    """Migrate, the demo, --scale N and the feed organisations into the database;
    returns (the feed organisations, their dates, what the --scale seed took)."""
    flask_command(env, "db", "upgrade", timeout=300)
    # The demo first: it brings venues and rooms, which --scale does not make.
    took, _ = flask_command(env, "seed-demo", timeout=300)
    print(f"   seed-demo (the demo municipality): {took:.1f} s")
    took, output = flask_command(env, "seed-demo", "--scale", str(args.scale),
                                 "--history-days", str(args.history_days), timeout=900)
    counts = row_counts(database_url)
    # The largest resident size any command run so far reached: the --scale seed's.
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    goal = GOAL_SEED_S if args.scale == GOAL_SEED_SCALE else None
    verdict = ("no goal at this scale" if goal is None else
               "ok" if took < goal else f"OVER the {goal:.0f} s goal")
    print(f"   seed-demo --scale {args.scale}: {took:.1f} s wall clock ({verdict}), at "
          f"most {peak_mb:.0f} MB resident; the command says: "
          f"{output.splitlines()[-1] if output else '-'}")
    print(f"   rows: {counts['organisation']} organisations, {counts['activity']} "
          f"activities, {counts['occurrence']} occurrences")
    seeded = {"scale": args.scale, "seconds": took, "occurrences": counts["occurrence"],
              "goal": goal, "peak_mb": peak_mb}
    if args.database_url:
        advance_sequences(database_url)
    started = time.perf_counter()
    orgs = FeedOrganisations(database_url, workdir)
    dates = orgs.seed()
    print("   feed organisations: " + ", ".join(
        f"{slug} {n} dates" for slug, n in dates.items())
        + f" ({time.perf_counter() - started:.1f} s)")
    if args.database_url:
        started = time.perf_counter()
        settle_postgres(database_url)
        print(f"   VACUUM ANALYZE and CHECKPOINT after the load: "
              f"{time.perf_counter() - started:.1f} s")
    return orgs, dates, seeded


def latency_section(args, servers, others):
    """Each page one request at a time, on the app with and without the answer cache,
    and hello world; returns {(label, server name): figures}."""
    print(f"\n== Latency: {args.requests} sequential requests each after {args.warmup} "
          f"warm-up (goal p95 <= {GOAL_P95_MS:.0f} ms)")
    print(f"{'page':<38} {'server':<9} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
          f"{'n':>5} {'non-200':>8} {'bytes':>8} {'others':>7}  goal")
    results = {}
    targets = [(label, path, name) for label, path in LATENCY_PATHS
               for name in ("no cache", "cache")] + [("hello world", "/", "hello")]
    for label, path, name in targets:
        others.start()
        r = measure_latency(servers[name].ports, path, args.requests, args.warmup)
        results[label, name] = r
        goal = "" if name == "hello" else ("ok" if r["p95"] <= GOAL_P95_MS else "OVER")
        print(f"{label:<38} {name:<9} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['max']:>8.1f} "
              f"{r['n']:>5} {r['errors']:>8} {r['bytes']:>8} {_pct(others):>7}  {goal}",
              flush=True)
    return results


def search_section(server, orgs, others, count=20):
    """How many dates each forgiving search finds (the API's total_items: a list of
    dates counts only so far past its page, so "more than N" when total_items_exact is
    false), and each one's list page asked right after an edit: the first asking per
    data version, when nothing worked out from the data is remembered yet (the
    latency section asks the same page again and again under one version)."""
    print("\n== Search: dates found (/api/v1/occurrences?q=…, no answer cache)")
    client = Client(server.ports)
    found = {}
    try:
        for query in (*SEARCHES, SEARCH_CONTROL):
            status, body, _ = client.request(
                f"/api/v1/occurrences?per_page=1&q={quote(query)}")
            answer = json.loads(body) if status == 200 else {}
            found[query] = (None if status != 200 else answer["total_items"]
                            if answer.get("total_items_exact", True)
                            else f"more than {answer['total_items']}")
            print(f"   q={query!r:<18} {found[query] if status == 200 else status}"
                  + ("  (the exact title: a control)" if query == SEARCH_CONTROL else ""))
    finally:
        client.close()
    print(f"\n   each right after an edit ({count} requests, no answer cache):")
    for query in SEARCHES:
        others.start()
        r = measure_latency(server.ports, "/activities?q=" + quote(query), count, 0,
                            before=lambda: orgs.edit_one(WEEKLY))
        print(f"   /activities?q={query:<24} p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms"
              f"  ({r['errors']} non-200, others {_pct(others)})", flush=True)
    return found


def feed_section(args, servers, orgs, others):
    """The feeds over HTTP: after one edit (the app as served, answer cache on), cold
    (every part stale, no answer cache) and a 304 to If-None-Match."""
    print(f"\n== Feeds: {args.edits} requests each after one edit, {args.cold} cold; "
          f"bytes uncompressed")
    print(f"{'feed':<46} {'server':<9} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
          f"{'n':>5} {'errors':>7} {'bytes':>8} {'others':>7}")
    app, nocache = servers["cache"], servers["no cache"]
    runs = [
        ("weekly", f"{WEEKLY}: ~500 dates, after one edit", app, feed_path(WEEKLY),
         dict(count=args.edits, warmup=8, before=lambda: orgs.edit_one(WEEKLY))),
        ("one-off", f"{ONE_OFF}: 500 one-off, after one edit", app, feed_path(ONE_OFF),
         dict(count=args.edits, warmup=8, before=lambda: orgs.edit_one(ONE_OFF))),
        ("large", f"{LARGE}: ~5,000 dates, cold", nocache, feed_path(LARGE),
         dict(count=args.cold, warmup=1, before=lambda: orgs.touch_all(LARGE))),
    ]
    results = {}
    for key, label, server, path, options in runs:
        others.start()
        results[key] = measure_latency(server.ports, path, **options)
        _feed_line(label, server.name, results[key], others)
    for key, server in (("304", nocache), ("304 cache", app)):
        path = feed_path(LARGE)
        client = Client(server.ports)
        for _ in range(8):  # every worker has built (and, with the cache, kept) it once
            etag = client.request(path)[2]["ETag"]
        client.close()
        others.start()
        results[key] = measure_latency(server.ports, path, args.requests, args.warmup,
                                       headers={"If-None-Match": etag}, expect=304)
        _feed_line(f"{LARGE}: 304 to If-None-Match", server.name, results[key], others)
    return results


def _feed_line(label, server, r, others):
    print(f"{label:<46} {server:<9} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['max']:>8.1f} "
          f"{r['n']:>5} {r['errors']:>7} {r['bytes']:>8} {_pct(others):>7}", flush=True)


# Throughput is measured in turns: each server a slice of the time, round after round,
# so a machine whose speed moves within minutes slows all three alike (measured one
# after the other for 10 s each, hello world once came out slower than the app).
THROUGHPUT_ROUNDS = 5


def throughput_section(args, servers, others):
    print(f"\n== Throughput: {args.threads} client threads, {args.seconds:g} s each, in "
          f"{THROUGHPUT_ROUNDS} turns of {args.seconds / THROUGHPUT_ROUNDS:g} s")
    print(f"{'page':<36} {'server':<9} {'req/s':>8} {'requests':>9} {'non-200':>8} "
          f"{'others':>7}")
    pages = (("cache", "/activities"), ("no cache", "/activities"), ("hello", "/"))
    totals = {name: {"requests": 0, "errors": 0, "seconds": 0.0} for name, _ in pages}
    others.start()
    for _ in range(THROUGHPUT_ROUNDS):
        for name, path in pages:
            r = measure_throughput(servers[name].ports, path, args.threads,
                                   args.seconds / THROUGHPUT_ROUNDS)
            for key in totals[name]:
                totals[name][key] += r[key]
    results = {}
    for name, path in pages:
        r = results[name] = dict(totals[name], rps=totals[name]["requests"]
                                 / totals[name]["seconds"])
        print(f"{path:<36} {name:<9} {r['rps']:>8.1f} {r['requests']:>9} {r['errors']:>8} "
              f"{_pct(others):>7}", flush=True)
    return results


def wire_section():
    """wire.py's bytes on the wire (in-process, its own database with the demo)."""
    print("\n== Bytes on the wire (wire.py: the demo data, in-process)")
    with contextlib.redirect_stderr(io.StringIO()):  # the migrations' log lines
        rows, _ = wire_rows()
    for label, aim, sizes in rows:
        print(f"   {label:<58} none {sizes['none']:>8}  gzip {sizes['gzip']:>7}  "
              f"br {sizes['br']:>7}  (aim ≤ {aim // 1024} KB)")
    return {key: sizes for key, (_, _, sizes) in zip(("first", "repeat", "feed"), rows)}


def print_servers(args, servers):
    def where(server):
        return ", ".join(f":{port}" for port in server.ports)
    hosts = (f"; the app as {args.app_hosts} separate gunicorns (hosts) on the same "
             f"database{' and Redis' if os.environ.get('REDIS_URL') else ''}, requests "
             f"taking turns" if args.app_hosts > 1 else "")
    print(f"\n   gunicorn, {args.workers} sync workers each: the app on "
          f"{where(servers['cache'])}, the app with FLASK_ANSWER_CACHE=false on "
          f"{where(servers['no cache'])}, hello world on :{servers['hello'].port}{hosts}")


def cross_host_section(server):
    """With several app hosts: a change through one, seen by the next request to the
    other? (The app as deployed, answer cache on.) None with one host."""
    if len(server.ports) < 2:
        return None
    print("\n== A change through one app host, the next request to another")
    one, two = (Client(port, host=f"{HOST}:{server.ports[0]}") for port in server.ports[:2])
    try:
        result = cross_host_check(one, two)
    finally:
        one.close()
        two.close()
    print(f"   {'seen' if result['seen'] else 'NOT seen'}: {result['what']}")
    return result


def main(argv=None):
    args = parse_args(argv)
    workdir = tempfile.mkdtemp(prefix="samverkan-bench-")
    if args.database_url:
        database_url = args.database_url
        kind = "PostgreSQL"
    else:
        database_url = f"sqlite:///{workdir}/bench.sqlite"  # an absolute path: four slashes
        kind = "SQLite"
    env = dict(os.environ, DATABASE_URL=database_url, RATELIMIT_ENABLED="false",
               SECRET_KEY="bench-" + secrets.token_hex(16), PYTHONUNBUFFERED="1")
    servers, orgs = {}, None
    try:
        print(f"== Samverkan benchmark on {kind}; temporary directory {workdir}")
        print(f"   machine: {load_note()}")
        print(f"   Python: {python_note()}")
        print(f"   speed: {speed_note()}")
        orgs, dates, seeded = seed(args, env, database_url, workdir)
        wire = wire_section()

        servers["cache"] = serve_app("cache", env, workdir, args)
        servers["no cache"] = serve_app("no cache", dict(env, FLASK_ANSWER_CACHE="false"),
                                        workdir, args)
        servers["hello"] = Server("hello", "hello:app", env, workdir, args.workers,
                                  extra=("--pythonpath", str(ROOT / "bench")))
        servers["cache"].wait_ready("/healthz")
        servers["no cache"].wait_ready("/healthz")
        servers["hello"].wait_ready("/")
        print_servers(args, servers)

        others = OtherLoad(group for server in servers.values() for group in server.groups)
        print(f"\n   speed before the latency section: {speed_note()}")
        results = {"latency": latency_section(args, servers, others)}
        results["memory after latency"] = worker_memory(servers)
        print_memory("after the latency section", results["memory after latency"])
        results["search"] = search_section(servers["no cache"], orgs, others)
        print(f"\n   speed before the feeds: {speed_note()}")
        results.update({"feeds": feed_section(args, servers, orgs, others),
                        "throughput": throughput_section(args, servers, others),
                        "wire": wire, "dates": dates, "seed": seeded})
        results["cross host"] = cross_host_section(servers["cache"])
        results["memory"] = worker_memory(servers)
        print_memory("at the end", results["memory"])
        print("\n   others: the share of all cores other processes used meanwhile; "
              "above a few per cent, run again.")
        if args.database_url:
            print("   (on PostgreSQL the database server's own work counts among the others)")
        hosts = f"{args.app_hosts} app hosts of " if args.app_hosts > 1 else ""
        print(f"\n== Summary: {kind}, --scale {args.scale}, {hosts}gunicorn {args.workers} "
              f"sync workers, hello world served the same way in the same run")
        print_table(summary_rows(results))
        print(f"\n   machine after: {load_note()}")
        print(f"   speed after: {speed_note()}")
        if args.database_url:
            print(f"   {round_trip_note(database_url)}")
    finally:
        for server in servers.values():
            server.stop()
        if orgs is not None:
            orgs.close()
        if args.keep:
            print(f"   kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
