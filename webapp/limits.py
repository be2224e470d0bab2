"""Per-client rate limit: a token bucket per client address, answered with 429 and JSON.

Why: under overload gunicorn's few threads queue requests until clients time out, and one
greedy client starves the others. A bucket per client refills at ``RATE_LIMIT_PER_SECOND``
and holds up to ``RATE_LIMIT_BURST`` tokens; a request without a token is refused at once
with ``Retry-After``, so the client backs off instead of waiting. The buckets live in the
process (each gunicorn worker has its own, so the effective limit is per worker), which
needs no shared store; static files and ``/healthz`` are never limited.

The client is ``request.remote_addr``: the peer's address, or behind ``TRUSTED_PROXIES``
reverse proxies the address they forwarded (``ProxyFix`` in ``webapp/__init__.py``).
"""

from __future__ import annotations

import math
import threading
import time

from flask import Flask, jsonify, request

EXEMPT_PREFIXES = ("/static/", "/vendor/", "/healthz", "/favicon.ico")
MAX_CLIENTS = 10_000  # buckets kept; full ones are dropped first when there are more


class TokenBuckets:
    """Thread-safe buckets keyed by client; ``take`` answers 0 (allowed) or seconds to wait."""

    def __init__(self, rate: float, burst: int, clock=time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill)
        self.lock = threading.Lock()

    def take(self, key: str) -> float:
        now = self.clock()
        with self.lock:
            tokens, last = self.buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1:
                self.buckets[key] = (tokens - 1, now)
                wait = 0.0
            else:
                self.buckets[key] = (tokens, now)
                wait = (1 - tokens) / self.rate
            if len(self.buckets) > MAX_CLIENTS:
                self._forget_full(now)
        return wait

    def _forget_full(self, now: float) -> None:
        """Drop buckets that have refilled completely: they carry no state worth keeping."""
        for key, (tokens, last) in list(self.buckets.items()):
            if tokens + (now - last) * self.rate >= self.burst:
                del self.buckets[key]


def register(app: Flask) -> None:
    """Limit every non-exempt request of ``app`` per client address (off when the rate is 0)."""
    settings = app.config["SETTINGS"]
    if settings.rate_limit_per_second <= 0:
        return
    buckets = TokenBuckets(settings.rate_limit_per_second, settings.rate_limit_burst)
    app.extensions["rate_limit"] = buckets  # readable by tests: which clients hold a bucket

    @app.before_request
    def limit():
        if request.path.startswith(EXEMPT_PREFIXES):
            return None
        wait = buckets.take(request.remote_addr or "unknown")
        if wait <= 0:
            return None
        response = jsonify({"error": "too many requests: slow down and retry", "field": None, "retry_after_s": round(wait, 2)})
        response.status_code = 429
        response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return response
