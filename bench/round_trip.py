"""What one PostgreSQL round trip costs on this machine: back to back, and after some
milliseconds of work in this process, as a page's statements come between its Python
work. On a virtual machine the second is often several times the first (the idle core
the database's process sleeps on is woken each time): every statement of a page pays
it, so it is printed beside the figures of a run on PostgreSQL."""

import time

import psycopg

WORK_MS = (0, 2, 8)


def round_trips(database_url, count=200):
    """{milliseconds of work before each: p50 ms of a `SELECT 1` round trip}."""
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    found = {}
    with psycopg.connect(url, autocommit=True) as connection:
        for work in WORK_MS:
            times = []
            for _ in range(count):
                until = time.perf_counter() + work / 1000
                while time.perf_counter() < until:  # busy, as a request's Python is
                    pass
                started = time.perf_counter()
                connection.execute("SELECT 1").fetchall()
                times.append((time.perf_counter() - started) * 1000)
            found[work] = sorted(times)[len(times) // 2]
    return found


def round_trip_note(database_url):
    """One line on the round trips, for a run's summary."""
    found = round_trips(database_url)
    parts = ", ".join(f"after {work} ms of work {ms:.2f}" for work, ms in found.items()
                      if work)
    return (f"database round trip (SELECT 1), p50: back to back {found[0]:.2f} ms, {parts} "
            f"ms (each statement of a page pays about the last)")
