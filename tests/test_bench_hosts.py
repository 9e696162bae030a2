"""bench/hosts.py reads what each gunicorn worker holds from /proc: the workers are the
master's children, their size its VmRSS."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from hosts import rss_mb, worker_pids  # noqa: E402

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="Linux /proc")


def test_the_workers_are_the_masters_children_with_their_memory():
    child = subprocess.Popen([sys.executable, "-c",
                              "import time; print('ready', flush=True); time.sleep(30)"],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"  # Python is loaded: a real size
        assert child.pid in worker_pids(os.getpid())
        assert worker_pids(child.pid) == []
        assert 1 < rss_mb(child.pid) < 1000
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
    assert rss_mb(child.pid) is None
