"""`python -m mgm.dashboards`, run as a process against a local HTTP server that answers
like OpenSearch Dashboards' import API.

The server holds the contract the real one enforces: the `osd-xsrf` header, a multipart
`file` part named *.ndjson whose lines are saved objects, `overwrite=true` to replace
existing objects (else a conflict error), and references that must resolve to objects it
already holds or that come in the same file (else `missing_references`). Its answers have
Dashboards' shapes: {"success": true, "successCount": N} or success false with `errors`.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import threading
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from mgm.dashboards import DEFAULT_DIR, read_objects

ROOT = Path(__file__).resolve().parent.parent


class DashboardsImportServer(ThreadingHTTPServer):
    """Saved-objects store behind /api/status and /api/saved_objects/_import."""

    def __init__(self, status_codes: list[int], import_status: int = 200):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.authorization: list[str | None] = []  # the Authorization header of every request
        self.status_codes = status_codes  # answers to successive /api/status calls; the last repeats
        self.import_status = import_status
        self.store: dict[tuple[str, str], dict] = {}
        self.imports: list[dict] = []  # what each import request carried
        self.status_calls = 0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def import_objects(self, objects: list[dict], overwrite: bool) -> dict:
        """Dashboards' rules: resolvable references, and no silent overwrite."""
        known = set(self.store) | {(o["type"], o["id"]) for o in objects}
        errors = []
        for obj in objects:
            missing = [r for r in obj.get("references", []) if (r["type"], r["id"]) not in known]
            if missing:
                refs = [{"type": r["type"], "id": r["id"]} for r in missing]
                errors.append(_error(obj, {"type": "missing_references", "references": refs}))
            elif (obj["type"], obj["id"]) in self.store and not overwrite:
                errors.append(_error(obj, {"type": "conflict"}))
        if errors:
            return {"success": False, "successCount": len(objects) - len(errors), "errors": errors}
        for obj in objects:
            self.store[(obj["type"], obj["id"])] = obj
        return {"success": True, "successCount": len(objects)}


def _error(obj: dict, error: dict) -> dict:
    return {"id": obj["id"], "type": obj["type"], "title": obj["attributes"].get("title"), "error": error}


class _Handler(BaseHTTPRequestHandler):
    server: DashboardsImportServer

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _answer(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _bad_request(self, message: str) -> None:
        self._answer(400, {"statusCode": 400, "error": "Bad Request", "message": message})

    def do_GET(self):
        self.server.authorization.append(self.headers.get("Authorization"))
        if urlsplit(self.path).path != "/api/status":
            return self._answer(404, {"statusCode": 404, "error": "Not Found"})
        with self.server.lock:
            codes = self.server.status_codes
            code = codes[min(self.server.status_calls, len(codes) - 1)]
            self.server.status_calls += 1
        if code != 200:
            return self._answer(code, {"statusCode": code, "message": "OpenSearch Dashboards server is not ready yet"})
        self._answer(200, {"name": "test", "status": {"overall": {"state": "green"}}})

    def do_POST(self):
        self.server.authorization.append(self.headers.get("Authorization"))
        url = urlsplit(self.path)
        if url.path != "/api/saved_objects/_import":
            return self._answer(404, {"statusCode": 404, "error": "Not Found"})
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("osd-xsrf") != "true":
            return self._bad_request("Request must contain a osd-xsrf header.")
        if self.server.import_status != 200:
            return self._answer(self.server.import_status, {"statusCode": self.server.import_status, "message": "Internal Server Error"})
        content_type = self.headers.get("Content-Type", "")
        if not content_type.startswith("multipart/form-data"):
            return self._answer(415, {"statusCode": 415, "error": "Unsupported Media Type"})
        message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        parts = [p for p in message.iter_parts() if p.get_param("name", header="content-disposition") == "file"]
        if len(parts) != 1:
            return self._bad_request("expected one multipart part named file")
        filename = parts[0].get_filename() or ""
        if not filename.endswith(".ndjson"):
            return self._bad_request(f"Invalid file extension {Path(filename).suffix}")
        objects = []
        for line in parts[0].get_payload(decode=True).decode("utf-8").splitlines():
            if line.strip():
                obj = json.loads(line)  # a bad line makes this handler fail: the test sees a 500
                if not {"id", "type", "attributes"} <= obj.keys():
                    return self._bad_request(f"not a saved object: {line[:80]}")
                objects.append(obj)
        overwrite = parse_qs(url.query).get("overwrite") == ["true"]
        with self.server.lock:
            self.server.imports.append({"file": filename, "overwrite": overwrite, "count": len(objects)})
            answer = self.server.import_objects(objects, overwrite)
        self._answer(200, answer)


@pytest.fixture
def dashboards(request):
    """A running server; parametrize with (status_codes, import_status) via indirect."""
    status_codes, import_status = getattr(request, "param", ([200], 200))
    server = DashboardsImportServer(status_codes, import_status)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("OPENSEARCH_USER", "OPENSEARCH_PASSWORD")}
    return subprocess.run(
        [sys.executable, "-m", "mgm.dashboards", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env=clean | (env or {}),
    )


def assert_one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.mark.parametrize("dashboards", [([503, 503, 200], 200)], indirect=True)
def test_cli_waits_then_imports_every_file_in_order(dashboards):
    result = run_cli("--url", dashboards.url + "/", "--wait", "30")
    assert result.returncode == 0, result.stderr
    files = sorted(p.name for p in DEFAULT_DIR.glob("*.ndjson"))
    assert [i["file"] for i in dashboards.imports] == files
    assert all(i["overwrite"] for i in dashboards.imports)
    assert dashboards.status_calls == 3
    expected = {(o["type"], o["id"]) for f in files for o in read_objects(DEFAULT_DIR / f)}
    assert set(dashboards.store) == expected
    types = {t for t, _ in expected}
    assert types == {"index-pattern", "visualization", "search", "dashboard"}
    stdout = result.stdout.strip().splitlines()
    assert stdout == [f"imported {i['file']}: {i['count']} objects" for i in dashboards.imports]


def test_with_a_user_every_request_logs_in_and_without_none_does(dashboards):
    """Dashboards' security plugin asks for a login: the compose service passes admin's."""
    result = run_cli("--url", dashboards.url, env={"OPENSEARCH_USER": "admin", "OPENSEARCH_PASSWORD": "Pw:1"})
    assert result.returncode == 0, result.stderr
    assert set(dashboards.authorization) == {"Basic " + base64.b64encode(b"admin:Pw:1").decode()}
    dashboards.authorization.clear()
    assert run_cli("--url", dashboards.url).returncode == 0
    assert set(dashboards.authorization) == {None}


def test_a_second_import_overwrites_instead_of_duplicating(dashboards):
    assert run_cli("--url", dashboards.url).returncode == 0
    first = dict(dashboards.store)
    second = run_cli("--url", dashboards.url)
    assert second.returncode == 0, second.stderr
    assert dashboards.store.keys() == first.keys()
    assert len(dashboards.imports) == 2 * len(list(DEFAULT_DIR.glob("*.ndjson")))


def test_objects_whose_references_are_missing_fail_with_one_line(dashboards, tmp_path):
    """Visualizations without their index pattern: Dashboards answers success false."""
    shutil.copy(DEFAULT_DIR / "02-visualizations.ndjson", tmp_path)
    result = run_cli("--url", dashboards.url, "--dir", str(tmp_path))
    assert_one_line_error(result, "02-visualizations.ndjson", "missing_references", "index-pattern/mgm-movies")
    assert dashboards.store == {}


@pytest.mark.parametrize("dashboards", [([503], 200)], indirect=True)
def test_dashboards_never_ready_fails_after_the_wait(dashboards):
    result = run_cli("--url", dashboards.url, "--wait", "1.5")
    assert_one_line_error(result, "not ready after 1.5 s", "HTTP 503")
    assert dashboards.status_calls >= 2
    assert dashboards.imports == []


@pytest.mark.parametrize("dashboards", [([200], 500)], indirect=True)
def test_an_http_error_from_the_import_api_fails_with_one_line(dashboards):
    result = run_cli("--url", dashboards.url)
    assert_one_line_error(result, "01-index-patterns.ndjson", "HTTP 500", "Internal Server Error")


def test_a_broken_ndjson_file_is_reported_by_line_before_any_request(dashboards, tmp_path):
    (tmp_path / "01-bad.ndjson").write_text('{"id": "a", "type": "search", "attributes": {}}\n{not json\n')
    result = run_cli("--url", dashboards.url, "--dir", str(tmp_path))
    assert_one_line_error(result, "01-bad.ndjson:2: not JSON")
    assert dashboards.status_calls == 0 and dashboards.imports == []


def test_nothing_listens_fails_with_one_line(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    url = f"http://127.0.0.1:{server.server_port}"
    server.server_close()  # the port is now closed: connections are refused
    result = run_cli("--url", url)
    assert_one_line_error(result, url, "cannot connect")
