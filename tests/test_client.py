"""The OpenSearch client never repeats a request that may have been applied.

A real HTTP server on loopback that answers too late: each request it receives is counted.
"""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import ConnectionTimeout

from mgm.client import make_client, without_retries


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
    for client in (make_client(url, timeout=0.3), without_retries(make_client(url, timeout=0.3))):
        seen.clear()
        with pytest.raises(ConnectionTimeout):
            client.indices.update_aliases(body={"actions": []})
        time.sleep(0.1)
        assert seen == ["/_aliases"]  # one attempt: the caller reads the aliases back instead


def test_without_retries_keeps_the_connection_options():
    client = make_client("http://127.0.0.1:9", timeout=7.5, http_compress=True)
    once = without_retries(client)
    assert once.transport.max_retries == 0 and once.transport.kwargs == client.transport.kwargs
    assert once.transport.kwargs["timeout"] == 7.5 and once.transport.kwargs["http_compress"] is True
    with pytest.raises(OSConnectionError):
        once.indices.update_aliases(body={"actions": []})
