"""Per-client rate limit: a bounded burst on loopback gets 429s with JSON, then recovers."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
import requests

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
