"""Load the saved objects (index patterns, visualizations, dashboard) into OpenSearch Dashboards.

    python -m mgm.dashboards --url http://opensearch-dashboards:5601 [--wait 300] [--dir DIR]

The compose service `dashboards-init` runs this once Dashboards is up. Each
``opensearch/dashboards/*.ndjson`` file is sent, in name order, to Dashboards' own import
API (``POST /api/saved_objects/_import?overwrite=true``), so a re-run replaces the objects
instead of duplicating them, and objects of a later file may reference those of an earlier one.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import requests

from mgm.settings import PROJECT_ROOT, Settings

DEFAULT_DIR = PROJECT_ROOT / "opensearch" / "dashboards"
IMPORT_PATH = "/api/saved_objects/_import"
STATUS_PATH = "/api/status"
# Dashboards refuses state-changing API calls without this header (its CSRF guard).
XSRF_HEADER = {"osd-xsrf": "true"}
POLL_SECONDS = 1.0
# Every request goes through this session: with Dashboards' security plugin on, ``main``
# gives it the OPENSEARCH_USER / OPENSEARCH_PASSWORD login (basic auth).
SESSION = requests.Session()


class DashboardsError(RuntimeError):
    """A problem worth one line on stderr: what failed, and where."""


def saved_object_files(folder: Path) -> list[Path]:
    """The ndjson files in import order (by name), each checked to hold saved objects."""
    files = sorted(folder.glob("*.ndjson"))
    if not files:
        raise DashboardsError(f"no *.ndjson saved objects in {folder}")
    for path in files:
        read_objects(path)
    return files


def read_objects(path: Path) -> list[dict]:
    """Parse one ndjson file; a bad line is reported by file and line number."""
    objects = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DashboardsError(f"{path}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(obj, dict) or not {"id", "type", "attributes"} <= obj.keys():
            raise DashboardsError(f"{path}:{number}: not a saved object (needs id, type, attributes)")
        objects.append(obj)
    return objects


def wait_until_ready(url: str, timeout: float) -> None:
    """Poll ``/api/status`` until Dashboards answers 200 and is not red, or ``timeout`` passes.

    Dashboards answers 503 while it starts (and while OpenSearch is unreachable), so the
    first answers are expected to fail; at least one attempt is always made.
    """
    deadline = time.monotonic() + timeout
    while True:
        last = _status(url)
        if last is None:
            return
        if time.monotonic() >= deadline:
            raise DashboardsError(f"Dashboards at {url} not ready after {timeout:g} s ({last})")
        time.sleep(POLL_SECONDS)


def _status(url: str) -> str | None:
    """None when ready, else why not."""
    try:
        response = SESSION.get(url + STATUS_PATH, timeout=10)
    except requests.RequestException as exc:
        return f"cannot connect: {type(exc).__name__}"
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    try:
        state = response.json()["status"]["overall"]["state"]
    except (ValueError, KeyError, TypeError):
        return "unexpected /api/status answer"
    return None if state != "red" else "overall state red"


def import_file(url: str, path: Path) -> int:
    """Import one ndjson file with overwrite; returns how many objects Dashboards accepted."""
    try:
        response = SESSION.post(
            url + IMPORT_PATH,
            params={"overwrite": "true"},
            headers=XSRF_HEADER,
            files={"file": (path.name, path.read_bytes(), "application/ndjson")},
            timeout=60,
        )
    except requests.RequestException as exc:
        raise DashboardsError(f"importing {path.name}: cannot reach {url} ({type(exc).__name__})") from None
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200:
        message = body.get("message") or response.text[:200].strip()
        raise DashboardsError(f"importing {path.name}: HTTP {response.status_code}: {message}")
    if not body.get("success"):
        raise DashboardsError(f"importing {path.name}: {describe_errors(body.get('errors') or [])}")
    return int(body.get("successCount", 0))


def describe_errors(errors: list[dict]) -> str:
    """One line from Dashboards' per-object import errors (first three, then a count)."""
    if not errors:
        return "Dashboards answered success=false without errors"
    parts = []
    for err in errors[:3]:
        detail = err.get("error") or {}
        reason = detail.get("type", "error")
        missing = ", ".join(f"{r.get('type')}/{r.get('id')}" for r in detail.get("references") or [])
        parts.append(f"{err.get('type')}/{err.get('id')} {reason}" + (f" ({missing})" if missing else ""))
    more = f" and {len(errors) - 3} more" if len(errors) > 3 else ""
    return f"{len(errors)} object(s) failed: " + "; ".join(parts) + more


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mgm.dashboards", description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="OpenSearch Dashboards base URL, e.g. http://127.0.0.1:5601")
    parser.add_argument("--wait", type=float, default=0, metavar="SECONDS", help="wait this long for Dashboards to be ready")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="folder of *.ndjson saved objects")
    args = parser.parse_args(argv)
    url = args.url.rstrip("/")
    settings = Settings.from_env()
    if settings.opensearch_user:
        SESSION.auth = (settings.opensearch_user, settings.opensearch_password)
    try:
        files = saved_object_files(args.dir)  # a broken file is reported before any waiting
        wait_until_ready(url, args.wait)
        imported = {path.name: import_file(url, path) for path in files}
    except DashboardsError as exc:
        print(f"mgm.dashboards: error: {exc}", file=sys.stderr)
        return 1
    for name, count in imported.items():
        print(f"imported {name}: {count} objects")
    return 0


if __name__ == "__main__":
    sys.exit(main())
