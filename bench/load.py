"""The load generator every load benchmark shares: closed-loop clients against the app.

``closed_loop`` runs ``clients`` threads, each sending its next request when the last one
answered; ``app_sender`` is the request (``/api/search`` in one mode); ``measured`` adds the
CPU each side spent per request. ``search_latency``, ``profile_search``, ``web_layout`` and
``scale`` all measure with these, so their figures are comparable.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import requests

from bench import server

CLIENTS = 8  # closed-loop clients of every load phase


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank, rounded to 0.1); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 1)


def closed_loop(send: Callable[[Any, str], float], queries: Iterator[str], clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` threads, each sending its next request when the last one answered.

    ``send(session, q)`` returns OpenSearch's ``took`` (ms) or raises; every request takes
    the next text from the shared ``queries`` iterator.
    """
    samples: list[tuple[float, float]] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client() -> None:
        session = requests.Session()
        mine: list[tuple[float, float]] = []
        bad: list[str] = []
        while time.perf_counter() < stop_at:
            q = next(queries)
            t0 = time.perf_counter()
            try:
                took = send(session, q)
            except Exception as exc:  # a failed request is counted, never fatal to the run
                bad.append(type(exc).__name__)
                continue
            mine.append(((time.perf_counter() - t0) * 1000, float(took)))
        with lock:
            samples.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latency = [s for s, _ in samples]
    took = [t for _, t in samples]
    return {
        "requests": len(samples),
        "errors": len(errors),
        "throughput_rps": round(len(samples) / seconds, 1),
        "latency_ms": {
            "p50": percentile(latency, 50),
            "p95": percentile(latency, 95),
            "p99": percentile(latency, 99),
            "mean": round(statistics.fmean(latency), 1) if latency else None,
        },
        "opensearch_took_ms": {"p50": percentile(took, 50), "p95": percentile(took, 95)},
        "app_overhead_ms": {"p50": percentile([s - t for s, t in samples], 50), "p95": percentile([s - t for s, t in samples], 95)},
    }


def app_sender(base: str, mode: str) -> Callable[[Any, str], float]:
    """A ``send`` for ``closed_loop``: ``/api/search`` on ``base`` in ``mode``, 20 films a page."""

    def send(session, q: str) -> float:
        resp = session.get(f"{base}/api/search", params={"q": q, "mode": mode, "size": 20}, timeout=30)
        resp.raise_for_status()
        return resp.json()["took_ms"]

    return send


def opensearch_cpu_ms(client) -> float:
    """Total CPU milliseconds of every OpenSearch node's process so far."""
    nodes = client.nodes.stats(metric="process")["nodes"].values()
    return float(sum(n["process"]["cpu"]["total_in_millis"] for n in nodes))


def measured(run: Callable[[], dict[str, Any]], client, workers: list[int]) -> dict[str, Any]:
    """Run a load phase and add the CPU each side spent per request (ms)."""
    os0, web0 = opensearch_cpu_ms(client), sum(server.cpu_seconds(p) for p in workers)
    result = run()
    os1, web1 = opensearch_cpu_ms(client), sum(server.cpu_seconds(p) for p in workers)
    n = max(result["requests"] + result["errors"], 1)
    result["cpu_ms_per_request"] = {"opensearch": round((os1 - os0) / n, 1), "web": round((web1 - web0) * 1000 / n, 1)}
    return result
