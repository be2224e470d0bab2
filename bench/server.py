"""A real gunicorn (production config) on a free loopback port, for the load benchmarks.

Shared by ``search_latency`` and ``profile_search`` so both measure the same server: its
worker pids (for py-spy and RSS), its resident memory, and an always-stopped process.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from mgm.settings import PROJECT_ROOT, Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(settings: Settings, port: int, extra_env: dict[str, str] | None = None, root: Path = PROJECT_ROOT) -> subprocess.Popen:
    """gunicorn with webapp/gunicorn.conf.py; returns once a worker answers /healthz.

    ``root`` may be another checkout (say, main's code exported to a folder) to measure
    before and after in one session.
    """
    env = dict(os.environ, PORT=str(port), OPENSEARCH_URL=settings.opensearch_url, INDEX_ALIAS=settings.index_alias,
               MICRO_ALIAS=settings.micro_alias, HF_HUB_OFFLINE="1",
               RATE_LIMIT_PER_SECOND="0",  # the benchmarks measure search, not the per-client limit
               **(extra_env or {}))
    gunicorn = Path(sys.executable).with_name("gunicorn")
    cmd = [str(gunicorn), "--config", "webapp/gunicorn.conf.py", "--access-logfile", "/dev/null", "webapp:create_app()"]
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_ready(proc, f"http://127.0.0.1:{port}/healthz")
    except BaseException:
        stop(proc)
        raise
    return proc


def wait_ready(proc: subprocess.Popen, url: str, seconds: float = 180) -> None:
    """gunicorn binds before its workers have loaded the encoder: poll until one answers."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if requests.get(url, timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not become ready within {seconds:.0f} s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


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
