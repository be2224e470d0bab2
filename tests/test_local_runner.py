"""The local OpenSearch runner's start-up judgement (``opensearch/local.sh``).

``bin/opensearch -d`` returns before the JVM writes its PID file, so the runner polls the
file while the server starts. Reading it at the moment it exists but is still empty once
made CI report a healthy start as a dead server; these pin what counts as "exited".
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.servers import PROJECT_ROOT

RUNNER = PROJECT_ROOT / "opensearch" / "local.sh"


def died(pid_file: Path) -> bool:
    """Ask the sourced runner's ``died`` about one PID file."""
    script = f'source "{RUNNER}"; died "{pid_file}"'
    return subprocess.run(["bash", "-c", script], capture_output=True, timeout=30).returncode == 0


def exited_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, False),  # not written yet: still starting
        ("", False),  # created, not yet filled: still starting
        ("garbage", False),  # not a PID: never a reason to give up on a start
        ("live", False),
        ("exited", True),
    ],
)
def test_only_an_exited_process_counts_as_died(tmp_path: Path, content: str | None, expected: bool) -> None:
    pid_file = tmp_path / "opensearch.pid"
    if content == "live":
        pid_file.write_text(str(os.getpid()))
    elif content == "exited":
        pid_file.write_text(str(exited_pid()))
    elif content is not None:
        pid_file.write_text(content)
    assert died(pid_file) is expected


def test_sourcing_defines_functions_without_running_a_command() -> None:
    """Sourcing must not start, stop or print usage (the test above depends on it)."""
    result = subprocess.run(["bash", "-c", f'source "{RUNNER}"; type -t up'], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and result.stdout.strip() == "function"
    assert "usage" not in result.stderr
