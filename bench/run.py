"""Foundation benchmark: seed --scale N into a temporary database, serve it with gunicorn
(2 workers) next to a hello-world app, and print latency and throughput figures.

    .venv/bin/python bench/run.py [--scale 10000] [--database-url postgresql://...]

Traffic goes only to 127.0.0.1; every loop is bounded in count and time.
"""

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
PAGES = ["/activities", "/activities?focus=arbete&lang=ar", "/activities?q=läxhjälp",
         "/organisations", "/api/v1/occurrences"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flask(env, *args):
    return subprocess.run([str(VENV / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                          check=True, capture_output=True, text=True)


def gunicorn(env, target, port):
    return subprocess.Popen([str(VENV / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}",
                             "--log-level", "warning", target], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def latencies(base, path, count=200, warmup=10):
    session = requests.Session()
    for _ in range(warmup):
        session.get(base + path, timeout=30)
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        response = session.get(base + path, timeout=30)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1]


def throughput(url, threads=8, seconds=10.0):
    counts = [0] * threads
    stop = time.monotonic() + seconds

    def worker(i):
        session = requests.Session()
        while time.monotonic() < stop:
            session.get(url, timeout=30)
            counts[i] += 1

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    started = time.monotonic()
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=seconds + 60)
    return sum(counts) / (time.monotonic() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=10000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="samverkan-bench-")
    env = dict(os.environ, SECRET_KEY="bench", RATELIMIT_ENABLED="false",
               DATABASE_URL=args.database_url or f"sqlite:///{tmp}/bench.sqlite")
    flask(env, "db", "upgrade")
    started = time.perf_counter()
    flask(env, "seed-demo")
    flask(env, "seed-demo", "--scale", str(args.scale))
    seeded = time.perf_counter() - started
    kind = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    print(f"database: {kind}; seed-demo + --scale {args.scale}: {seeded:.1f} s")

    app_port, hello_port = free_port(), free_port()
    servers = [gunicorn(env, "wsgi:app", app_port),
               gunicorn(env, "bench.hello:app", hello_port)]
    try:
        base = f"http://127.0.0.1:{app_port}"
        wait_for(base + "/healthz")
        wait_for(f"http://127.0.0.1:{hello_port}/")
        print(f"\n{'page':45} {'p50 ms':>8} {'p95 ms':>8}")
        for path in PAGES:
            p50, p95 = latencies(base, path, args.requests)
            print(f"{path:45} {p50:8.1f} {p95:8.1f}")
        print(f"\nrequests per second, gunicorn -w 2, 8 client threads, 10 s:")
        print(f"  /activities  {throughput(base + '/activities'):8.0f}")
        print(f"  hello world  {throughput(f'http://127.0.0.1:{hello_port}/'):8.0f}")
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
