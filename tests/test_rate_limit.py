"""Per-client rate limit: a bounded burst on loopback gets 429s with JSON, then recovers; behind
``TRUSTED_PROXIES`` reverse proxies the client is the forwarded address, never one a client wrote."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
import requests

from mgm.settings import Settings
from webapp.limits import TokenBuckets

RATE, BURST, REQUESTS = 2.0, 5, 30


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_the_burst_then_refills_at_the_rate():
    clock = FakeClock()
    buckets = TokenBuckets(rate=RATE, burst=BURST, clock=clock)
    assert [buckets.take("a") for _ in range(BURST)] == [0.0] * BURST
    assert buckets.take("a") == pytest.approx(1 / RATE)
    assert buckets.take("b") == 0.0, "each client has its own bucket"
    clock.now += 1 / RATE
    assert buckets.take("a") == 0.0
    assert buckets.take("a") > 0
    clock.now += 100
    assert [buckets.take("a") for _ in range(BURST + 1)].count(0.0) == BURST, "the bucket never holds more than the burst"


@pytest.fixture(scope="module")
def limited_server(live_index):
    """The app with a low limit (2/s, burst 5) in a real server thread on loopback."""
    from werkzeug.serving import make_server

    from webapp import create_app

    app = create_app(replace(live_index, rate_limit_per_second=RATE, rate_limit_burst=BURST), load_model=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_burst_gets_429_with_json_and_the_client_recovers(limited_server):
    url = f"{limited_server}/api/micro-genres"
    t0 = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: requests.get(url, timeout=30), range(REQUESTS)))
    elapsed = time.perf_counter() - t0
    ok = [r for r in responses if r.status_code == 200]
    limited = [r for r in responses if r.status_code == 429]
    assert len(ok) + len(limited) == REQUESTS
    assert BURST <= len(ok) <= BURST + int(elapsed * RATE) + 1
    body = limited[0].json()
    assert body["field"] is None and "too many requests" in body["error"] and body["retry_after_s"] > 0
    assert int(limited[0].headers["Retry-After"]) >= 1
    assert requests.get(f"{limited_server}/healthz", timeout=30).status_code == 200, "health checks are never limited"
    time.sleep(1.5 / RATE)
    assert requests.get(url, timeout=30).status_code == 200, "the bucket refills"


def test_default_limit_does_not_throttle_normal_use(live_server):
    """The default (50/s, burst 100) lets a page's worth of API calls through untouched."""
    codes = {requests.get(f"{live_server}/api/micro-genres", timeout=30).status_code for _ in range(40)}
    assert codes == {200}


# --- Behind a reverse proxy: TRUSTED_PROXIES --------------------------------------------------
# Flask's test client through the real app factory; the WSGI environ's REMOTE_ADDR is the peer
# (the proxy), the X-Forwarded-For header what reached the app. The refill is slow enough
# (one token per 1,000 s) that no test sees a token come back.

PROXY, ALICE, BOB = "10.0.0.2", "203.0.113.10", "203.0.113.20"
SLOW, SMALL_BURST = 0.001, 3
LIMITED_PATH = "/api/openapi.json"  # limited like every API route, and needs no index


def proxied_app(settings, trusted_proxies: int):
    from webapp import create_app

    return create_app(replace(settings, rate_limit_per_second=SLOW, rate_limit_burst=SMALL_BURST, trusted_proxies=trusted_proxies), load_model=False)


def status(client, peer: str, forwarded_for: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for is not None else {}
    return client.get(LIMITED_PATH, headers=headers, environ_base={"REMOTE_ADDR": peer}).status_code


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket(settings):
    app = proxied_app(settings, trusted_proxies=1)
    client = app.test_client()
    assert [status(client, PROXY, ALICE) for _ in range(SMALL_BURST + 1)] == [200] * SMALL_BURST + [429]
    assert status(client, PROXY, BOB) == 200, "Alice's empty bucket is not Bob's: they only share the proxy"
    assert status(client, PROXY, ALICE) == 429
    assert set(app.extensions["rate_limit"].buckets) == {ALICE, BOB}, "keyed by client, never by the proxy"


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings):
    assert Settings.from_env({}).trusted_proxies == 0, "off unless asked for"
    app = proxied_app(settings, trusted_proxies=0)
    client = app.test_client()
    assert [status(client, PROXY, ALICE) for _ in range(SMALL_BURST)] == [200] * SMALL_BURST
    assert status(client, PROXY, BOB) == 429, "one peer, one bucket, whatever the header says"
    assert set(app.extensions["rate_limit"].buckets) == {PROXY}


def test_a_spoofed_left_most_address_does_not_pick_the_bucket(settings):
    """The trusted proxy appends the address it saw; whatever the client wrote stays to its left."""
    app = proxied_app(settings, trusted_proxies=1)
    client = app.test_client()
    codes = [status(client, PROXY, f"198.51.100.{i}, {ALICE}") for i in range(SMALL_BURST + 2)]
    assert codes == [200] * SMALL_BURST + [429, 429], "a new fake address each time is still Alice's bucket"
    assert status(client, PROXY, f"{BOB}, {ALICE}") == 429, "nor can Alice borrow Bob's"
    assert status(client, PROXY, f"{ALICE}, {BOB}") == 200, "Bob, named by the proxy, keeps his own"
    assert set(app.extensions["rate_limit"].buckets) == {ALICE, BOB}


def test_trusted_proxies_forward_the_scheme_and_leave_a_direct_peer_alone(settings):
    from flask import request

    app = proxied_app(settings, trusted_proxies=1)
    seen = []
    app.before_request(lambda: seen.append((request.remote_addr, request.scheme)) and None)
    client = app.test_client()
    client.get(LIMITED_PATH, headers={"X-Forwarded-For": ALICE, "X-Forwarded-Proto": "https"}, environ_base={"REMOTE_ADDR": PROXY})
    client.get(LIMITED_PATH, environ_base={"REMOTE_ADDR": BOB})  # no header: the peer itself
    assert seen == [(ALICE, "https"), (BOB, "http")]
