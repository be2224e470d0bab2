"""The one starter of a real gunicorn (production config) on a free loopback port.

The load benchmarks (``search_latency``, ``profile_search``, ``web_layout``, ``scale``) and the
tests that need a real server (``tests/servers.gunicorn``) all start it here, so they measure
and check the same server: its worker pids (for py-spy and RSS), its resident memory, and an
always-stopped process. ``make run`` and the Docker image start the same command line
(``scripts/run.sh``, the Dockerfile's ``CMD``) with the environment's settings.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from mgm.settings import PROJECT_ROOT, Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def settings_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The process environment that makes a child read ``settings`` (the one Settings object)."""
    return {
        **os.environ,
        "OPENSEARCH_URL": settings.opensearch_url,
        "INDEX_ALIAS": settings.index_alias,
        "MICRO_ALIAS": settings.micro_alias,
        "RUNS_INDEX": settings.runs_index,
        "IDS_INDEX": settings.ids_index,  # else a child's lineage lands in the developer's own registry
        "CACHE_DIR": str(settings.cache_dir),
        "QUERY_BACKEND": settings.query_backend,
        "HF_HUB_OFFLINE": "1",
        **extra,
    }


def start(
    settings: Settings,
    port: int,
    extra_env: dict[str, str] | None = None,
    root: Path = PROJECT_ROOT,
    ready: Callable[[requests.Response], bool] = lambda r: r.ok,
    seconds: float = 180,
) -> subprocess.Popen:
    """gunicorn with webapp/gunicorn.conf.py; returns once a worker answers /healthz (``ready``).

    The per-client rate limit is off: the benchmarks measure search, and the tests'
    clients all share one address (tests/test_rate_limit.py covers the limit itself).
    ``root`` may be another checkout (say, main's code exported to a folder) to measure
    before and after in one session.
    """
    env = settings_env(settings, PORT=str(port), RATE_LIMIT_PER_SECOND="0", **(extra_env or {}))
    gunicorn = Path(sys.executable).with_name("gunicorn")
    cmd = [str(gunicorn), "--config", "webapp/gunicorn.conf.py", "--access-logfile", "/dev/null", "webapp:create_app()"]
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_ready(proc, f"http://127.0.0.1:{port}/healthz", seconds, ready)
    except BaseException:
        stop(proc)
        raise
    return proc


@contextmanager
def serving(settings: Settings, extra_env: dict[str, str] | None = None, **options) -> Iterator[str]:
    """``start`` on a free port; yields the server's URL and always stops it."""
    port = free_port()
    proc = start(settings, port, extra_env, **options)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


def wait_ready(proc: subprocess.Popen, url: str, seconds: float = 180, ready: Callable[[requests.Response], bool] = lambda r: r.ok) -> None:
    """gunicorn binds before its workers have loaded the encoder: poll until one answers."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if ready(requests.get(url, timeout=5)):
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not become ready within {seconds:.0f} s")


def stop(proc: subprocess.Popen, seconds: float = 30) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers: the master's child processes."""
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(p) for p in children.read_text().split()] if children.exists() else []


def rss_mb(pid: int) -> float:
    """Resident set size (VmRSS) of one process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (from /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
