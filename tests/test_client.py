"""Hosts, basic auth and TLS settings reach the opensearch-py client (its real connections), and
the client never repeats a request that may have been applied (a real slow HTTP server counts them)."""

from __future__ import annotations

import base64
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import ConnectionTimeout

from mgm.client import make_client, without_retries
from mgm.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def ca_bundle(tmp_path_factory) -> Path:
    """A real CA certificate, made by the deployment's own certs.sh."""
    folder = tmp_path_factory.mktemp("certs")
    subprocess.run(["sh", str(ROOT / "opensearch" / "docker" / "certs.sh"), str(folder)], check=True, capture_output=True)
    return folder / "root-ca.pem"


def connections(client) -> list:
    pool = client.transport.connection_pool
    return list(getattr(pool, "connections", [getattr(pool, "connection", None)]))


def test_every_listed_node_becomes_a_connection():
    settings = Settings.from_env({"OPENSEARCH_URL": "http://127.0.0.1:9221, http://127.0.0.1:9222,http://127.0.0.1:9223"})
    # (the pool shuffles them, so each client process starts on a different node)
    assert sorted(c.host for c in connections(make_client(settings))) == [f"http://127.0.0.1:{p}" for p in (9221, 9222, 9223)]


def test_auth_and_verified_tls_reach_every_connection(ca_bundle):
    settings = Settings.from_env(
        {
            "OPENSEARCH_URL": "https://os-1.example:9200,https://os-2.example:9200",
            "OPENSEARCH_USER": "mgm-web",
            "OPENSEARCH_PASSWORD": "s3cret:pw",
            "OPENSEARCH_CA_CERTS": str(ca_bundle),
        }
    )
    conns = connections(make_client(settings))
    assert len(conns) == 2
    expected = "Basic " + base64.b64encode(b"mgm-web:s3cret:pw").decode()
    for conn in conns:
        assert conn.use_ssl
        assert conn.headers["authorization"] == expected
        assert conn.pool.cert_reqs == "CERT_REQUIRED"
        assert conn.pool.ca_certs == str(ca_bundle)


def test_verification_can_be_switched_off_explicitly_and_no_user_means_no_auth():
    settings = Settings.from_env({"OPENSEARCH_URL": "https://127.0.0.1:9200", "OPENSEARCH_VERIFY_CERTS": "false"})
    with pytest.warns(UserWarning, match="insecure"):  # switched off, but never silently
        (conn,) = connections(make_client(settings))
    assert conn.pool.cert_reqs == "CERT_NONE"
    assert "authorization" not in conn.headers


@pytest.fixture
def slow_server():
    """Counts requests by path and answers each one after 1 s (clients here time out at 0.3 s)."""
    seen: list[str] = []

    class Slow(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            seen.append(self.path)
            time.sleep(1)
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"acknowledged": true}')

        def log_message(self, *args):
            pass

    class Quiet(ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass  # the client gave up before the answer: a broken pipe is the expected end

    server = Quiet(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", seen
    server.shutdown()


def test_a_timed_out_alias_swap_is_sent_once(slow_server):
    url, seen = slow_server
    client = make_client(Settings.from_env({"OPENSEARCH_URL": url}), timeout=0.3)
    for each in (client, without_retries(client)):
        seen.clear()
        with pytest.raises(ConnectionTimeout):
            each.indices.update_aliases(body={"actions": []})
        time.sleep(0.1)
        assert seen == ["/_aliases"]  # one attempt: the caller reads the aliases back instead


def test_without_retries_keeps_the_connection_options():
    settings = Settings.from_env({"OPENSEARCH_URL": "http://127.0.0.1:9,http://127.0.0.1:10", "OPENSEARCH_USER": "u", "OPENSEARCH_PASSWORD": "p"})
    client = make_client(settings, timeout=7.5, http_compress=True)
    once = without_retries(client)
    assert once.transport.max_retries == 0 and once.transport.kwargs == client.transport.kwargs
    assert once.transport.kwargs["timeout"] == 7.5 and once.transport.kwargs["http_auth"] == ("u", "p")
    assert sorted(c.host for c in connections(once)) == sorted(c.host for c in connections(client))
    with pytest.raises(OSConnectionError):
        once.indices.update_aliases(body={"actions": []})


def test_orjson_serializer_keeps_what_the_client_sends_and_reads():
    """The same JSON as the standard library for the types the project sends (numpy vectors,
    dates, Decimal, int keys), and a malformed response is the client's SerializationError."""
    import datetime
    import decimal
    import json

    import numpy as np
    from opensearchpy.exceptions import SerializationError

    client = make_client(Settings.from_env({}))
    serializer = client.transport.serializer
    data = {
        "v": np.array([0.5, -1.25], dtype=np.float32),
        "n": np.int64(7),
        "d": datetime.date(2020, 1, 2),
        "x": decimal.Decimal("1.5"),
        3: "k",
        "s": "ünï",
    }
    assert json.loads(serializer.dumps(data)) == {"v": [0.5, -1.25], "n": 7, "d": "2020-01-02", "x": 1.5, "3": "k", "s": "ünï"}
    assert serializer.dumps('{"already": "json"}') == '{"already": "json"}'
    assert client.transport.deserializer.loads('{"took": 3}', "application/json") == {"took": 3}
    with pytest.raises(SerializationError):
        client.transport.deserializer.loads("{not json", "application/json")
