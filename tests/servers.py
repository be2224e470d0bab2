"""Real processes for tests that need them: gunicorn serving the app, and a second OpenSearch.

Each helper starts what it needs, waits until it answers, and stops only the process it
started (by its own PID), so tests stay self-contained in CI.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from bench import server
from bench.server import free_port as free_port  # re-exported for the tests
from bench.server import settings_env as settings_env
from mgm.settings import PROJECT_ROOT, Settings

PYTHON = str(PROJECT_ROOT / ".venv" / "bin" / "python")


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
    """``webapp`` under gunicorn with the project's config on a free loopback port; yields its URL.

    Started by ``bench.server``, the one gunicorn starter (the per-client rate limit off)."""
    layout = {"WEB_WORKERS": str(workers), "WEB_THREADS": str(threads), "BIND_HOST": "127.0.0.1"}
    with server.serving(settings, layout, ready=lambda r: r.status_code < 500, seconds=120) as url:
        yield url


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
