"""Several app hosts and what each costs: `run.py --app-hosts N` serves the app from N
separate gunicorns on one database (and one Redis when REDIS_URL is set), as N machines
behind a proxy would; requests alternate between them. This module reads each gunicorn
worker's memory from /proc and checks that a change made through one host is seen by
the very next request to another."""

import json
import os
import secrets
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def process_stats():
    """(pid, fields after the command name) of every process in /proc/<pid>/stat: state,
    ppid, pgrp … (Linux); a process gone meanwhile is left out."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        yield int(entry), stat[stat.rindex(")") + 2:].split()


def worker_pids(master_pid):
    """The pids of a gunicorn master's workers: its children (Linux /proc)."""
    return sorted(pid for pid, fields in process_stats() if int(fields[1]) == master_pid)


def rss_mb(pid):
    """A process's own resident memory in MB (RssAnon of /proc/<pid>/status: not the
    shared libraries, nor the pages of a SQLite file it reads through a memory map,
    which the operating system's cache holds once for every process), None if gone."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def worker_memory(servers):
    """{server label: [MB of each worker]} for every gunicorn of `servers` (a server
    holding several hosts lists each host on its own: "cache #1", "cache #2")."""
    memory = {}
    for name, server in servers.items():
        hosts = getattr(server, "servers", [server])
        for number, host in enumerate(hosts, 1):
            label = name if len(hosts) == 1 else f"{name} #{number}"
            memory[label] = [mb for mb in map(rss_mb, worker_pids(host.process.pid))
                             if mb is not None]
    return memory


def print_memory(title, memory):
    print(f"\n== Memory per app worker ({title}): RssAnon of each gunicorn worker")
    for label, sizes in memory.items():
        print(f"   {label:<14} " + ", ".join(f"{mb:.0f} MB" for mb in sizes)
              + (f"  (largest {max(sizes):.0f} MB)" if sizes else "  (no workers found)"))


def memory_note(memory):
    """One line for the summary: the largest worker of each server."""
    return "; ".join(f"{label} {max(sizes):.0f} MB" for label, sizes in memory.items()
                     if sizes)


def _seats(client, occurrence_id, headers=None):
    status, body, response_headers = client.request(
        f"/api/v1/occurrences/{occurrence_id}", headers)
    seats = json.loads(body)["seats_left"] if status == 200 else None
    return status, seats, response_headers.get("ETag")


def _bookable(client):
    """An occurrence not yet begun (the list holds the dates under way too, which take
    no sign-ups) and not cancelled, with seats left, from the JSON API; None if none is
    found. The dates from tomorrow on: at national scale the first 500 dates of an
    afternoon are all under way."""
    now = datetime.now(timezone.utc)
    tomorrow = (datetime.now(STOCKHOLM) + timedelta(days=1)).date().isoformat()
    for page in range(1, 6):
        status, body, _ = client.request(
            f"/api/v1/occurrences?per_page=100&page={page}&from={tomorrow}")
        if status != 200:
            return None
        for item in json.loads(body)["contents"]:
            if item["status"] == "scheduled" and item["registration_required"] \
                    and (item["seats_left"] or 0) > 1 \
                    and datetime.fromisoformat(item["starts_at"]) > now:
                return item["id"]
    return None


def cross_host_check(client_one, client_two):
    """A sign-up through host one (the JSON API), then the occurrence asked of host two
    (its answer cache warmed first): the next answer must show one seat fewer, and the
    ETag host two gave before must no longer get a 304. Returns {seen, what, short}."""
    occurrence_id = _bookable(client_one)
    if occurrence_id is None:
        return _failed("no occurrence with seats left found in the JSON API")
    for _ in range(6):  # every worker of host two answers it once and keeps it
        _, before, etag = _seats(client_two, occurrence_id)
    status, body, _ = client_one.request(
        f"/api/v1/occurrences/{occurrence_id}/signups", method="POST",
        body=json.dumps({"name": "Bench", "contact": f"bench-{secrets.token_hex(4)}"
                                                    "@example.se"}),
        headers={"Content-Type": "application/json"})
    if status != 201:
        return _failed(f"the sign-up through host one answered {status}: {body[:200]!r}")
    _, after, _ = _seats(client_two, occurrence_id)
    revalidated, _, _ = _seats(client_two, occurrence_id, {"If-None-Match": etag})
    seen = after == before - 1 and revalidated == 200
    return {"seen": seen,
            "what": f"occurrence {occurrence_id}: seats left {before} on host two, a "
                    f"sign-up through host one, then {after} on host two's next answer; "
                    f"the ETag host two gave before now gets {revalidated}",
            "short": f"seats left {before} → {after} on host two's next answer; its old "
                     f"ETag gets {revalidated}"}


def _failed(why):
    return {"seen": False, "what": why, "short": why}
