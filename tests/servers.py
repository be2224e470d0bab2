"""Real processes for tests that need them: gunicorn serving the app, and a second OpenSearch.

Each helper starts what it needs, waits until it answers, and stops only the process it
started (by its own PID), so tests stay self-contained in CI.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from mgm.settings import PROJECT_ROOT, Settings

PYTHON = str(PROJECT_ROOT / ".venv" / "bin" / "python")


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
        "HF_HUB_OFFLINE": "1",
        **extra,
    }


def wait_for(url: str, timeout: float, ok=lambda r: r.status_code < 500) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ok(requests.get(url, timeout=2)):
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


@contextmanager
def gunicorn(settings: Settings, workers: int = 1, threads: int = 8):
    """``webapp`` under gunicorn with the project's config on a free loopback port; yields its URL."""
    port = free_port()
    # The per-client rate limit is off: these tests measure availability and contracts, and all
    # their clients share one address (tests/test_rate_limit.py covers the limit itself).
    env = settings_env(settings, PORT=str(port), WEB_WORKERS=str(workers), WEB_THREADS=str(threads), BIND_HOST="127.0.0.1",
                       RATE_LIMIT_PER_SECOND="0")
    proc = subprocess.Popen(
        [str(PROJECT_ROOT / ".venv" / "bin" / "gunicorn"), "--config", "webapp/gunicorn.conf.py", "--access-logfile", "/dev/null",
         "webapp:create_app()"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/healthz", 120)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class LocalOpenSearch:
    """A second OpenSearch (``opensearch/local.sh``) on its own port and state folder."""

    def __init__(self, port: int, state_dir: Path):
        self.port, self.state_dir = port, state_dir
        self.url = f"http://127.0.0.1:{port}"

    def _script(self, command: str) -> None:
        env = {**os.environ, "OPENSEARCH_PORT": str(self.port), "OPENSEARCH_STATE_DIR": str(self.state_dir)}
        subprocess.run([str(PROJECT_ROOT / "opensearch" / "local.sh"), command], env=env, check=True, capture_output=True, timeout=300)

    def up(self) -> None:
        """Start (or restart) it."""
        self._script("up")

    def pid(self) -> int:
        return int((self.state_dir / "opensearch.pid").read_text())

    def kill(self) -> None:
        """SIGKILL the JVM: no flush, no goodbye (what a crash or an OOM kill does)."""
        pid = self.pid()
        os.kill(pid, signal.SIGKILL)
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)

    def down(self) -> None:
        """Stop it (already killed is fine), and drop ``local.sh``'s pointer file for its port."""
        self._script("down")
