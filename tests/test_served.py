"""The app as deployed (gunicorn with the project's config) on the full real index: the JSON API
fuzzed by schemathesis from its own OpenAPI description, and over-long request lines."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests
from servers import gunicorn

from mgm.settings import PROJECT_ROOT
from webapp.api.params import MAX_QUERY_CHARS, MAX_QUERY_TERMS

# Bounded so `make test` stays predictable: examples per operation, and a time budget for all.
MAX_EXAMPLES, MAX_SECONDS = 15, 120
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


@pytest.fixture(scope="module")
def served(live_index):
    with gunicorn(live_index, workers=1, threads=4) as url:
        yield url


def test_schemathesis_finds_no_server_error_and_no_schema_mismatch(served, tmp_path):
    cmd = [
        str(PROJECT_ROOT / ".venv" / "bin" / "schemathesis"),
        "run",
        f"{served}/api/openapi.json",
        "--checks",
        CHECKS,
        "--max-examples",
        str(MAX_EXAMPLES),
        "--max-time",
        str(MAX_SECONDS),
        "--seed",
        "12",
        "--generation-database",
        "none",
        "--request-timeout",
        "30",
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(tmp_path / "report.json"),
    ]
    run = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=MAX_SECONDS + 240)  # its cache stays out of the checkout
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["operations"]["tested"] == report["operations"]["total"] >= 11  # all but the description itself
    assert report["test_cases"]["generated"] > 200
    assert report["failures"] == [] and report["errors"] == [], run.stdout[-4000:]
    assert run.returncode == 0, run.stdout[-4000:]
    print(
        f"\nSCHEMATHESIS: {report['test_cases']['generated']} requests over {report['operations']['tested']} operations "
        f"in {report['running_time']:.0f} s, 0 failures",
        file=sys.stderr,
    )


@pytest.mark.parametrize("length", [4_000, 7_000])
def test_over_long_query_is_the_apis_json_400_not_gunicorns_414(served, length):
    resp = requests.get(f"{served}/api/search", params={"q": "x" * length}, timeout=30)
    assert resp.status_code == 400 and resp.headers["content-type"].startswith("application/json")
    assert resp.json()["field"] == "q"


def test_longest_accepted_query_passes_gunicorn(served):
    """The app's own limits (characters and words), in 4-byte UTF-8 letters, fit under ``limit_request_line``."""
    q = " ".join(["𝐀𝐁𝐂𝐃"] * MAX_QUERY_TERMS)[:MAX_QUERY_CHARS]
    resp = requests.get(f"{served}/api/search", params={"q": q, "mode": "keyword"}, timeout=30)
    assert resp.status_code == 200 and resp.json()["mode"] == "keyword"
    too_many = requests.get(f"{served}/api/search", params={"q": "🎬" * MAX_QUERY_CHARS, "mode": "keyword"}, timeout=30)
    assert too_many.status_code == 400 and too_many.json()["field"] == "q"
    control = requests.get(f"{served}/api/suggest", params={"q": "ab\x1ecd"}, timeout=30)
    assert control.status_code == 400 and control.json()["field"] == "q"
