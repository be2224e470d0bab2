"""Latency of ``/api/search`` per mode under load, beside the raw OpenSearch baseline.

Starts gunicorn (the production config, webapp/gunicorn.conf.py) on a free loopback port.
Per mode: one client for a few seconds (the unloaded latency), then 8 closed-loop clients
for 20 s, every request with a fresh query text (``bench.queries``) so no cache helps.
Reported per mode: client-side p50/p95/p99, requests/s, OpenSearch's ``took``, the app's
share (latency - took) and the CPU milliseconds per request spent by OpenSearch and by the
web workers. Beside it, the baseline: the same hybrid bodies sent straight to OpenSearch by
8 clients (no web app), and the resident memory of each web worker after warm-up and at the
end. The server is always stopped, even when the run fails.
"""

from __future__ import annotations

import itertools
import os
from functools import partial
from typing import Any

from bench import server
from bench.load import CLIENTS, app_sender, closed_loop, measured
from bench.queries import fresh_queries
from mgm.client import make_client
from mgm.settings import Settings

MODES = ("keyword", "semantic", "hybrid")
SECONDS = 20.0
SINGLE_SECONDS = 5.0
RAW_QUERIES = 2000  # encoded up front; beyond them the raw run repeats them (OpenSearch caches no hits)
TARGETS = {"hybrid_p95_ms": 80, "hybrid_rps": 100, "keyword_semantic_p95_ms": 50, "single_hybrid_p50_ms": 20, "rss_per_worker_mb": 300}


def raw_hybrid_baseline(settings: Settings, queries: list[str], seconds: float = SECONDS) -> dict[str, Any]:
    """The app's hybrid searches (one ``_msearch`` of the two sides each) sent straight to OpenSearch by 8 clients: the floor under the app.

    Vectors are encoded before the clock starts, so this measures OpenSearch alone (with the
    load generator on the same cores).
    """
    from bench.bodies import hybrid_requests, msearch_payload

    prepared = itertools.cycle([msearch_payload(settings.index_alias, body) for body in hybrid_requests(settings, queries)])
    url = f"{settings.opensearch_url.split(',')[0].rstrip('/')}/_msearch"

    def send(session, _q: str) -> float:
        resp = session.post(url, data=next(prepared), headers={"Content-Type": "application/x-ndjson"}, timeout=30)
        resp.raise_for_status()
        return max(r["took"] for r in resp.json()["responses"])

    result = measured(lambda: closed_loop(send, itertools.cycle(queries), CLIENTS, seconds), make_client(settings), [])
    del result["app_overhead_ms"], result["cpu_ms_per_request"]["web"]  # no web app in this path
    return result


def run(settings: Settings, workers: int | None = None, threads: int | None = None, seconds: float = SECONDS) -> dict[str, Any]:
    """Every mode through the app, then the raw baseline; ``workers``/``threads`` override the layout."""
    texts = iter(fresh_queries(settings.movies_csv))
    layout = {k: str(v) for k, v in (("WEB_WORKERS", workers), ("WEB_THREADS", threads)) if v}
    port = server.free_port()
    proc = server.start(settings, port, layout)
    base = f"http://127.0.0.1:{port}"
    client = make_client(settings)
    try:
        pids = server.worker_pids(proc.pid)
        for mode in MODES:  # warm every worker: encoder buffers, search pipeline, OpenSearch caches
            closed_loop(app_sender(base, mode), texts, CLIENTS, 2.0)
        rss_warm = [server.rss_mb(p) for p in pids]
        results = {}
        for mode in MODES:
            single = closed_loop(app_sender(base, mode), texts, 1, SINGLE_SECONDS)
            loaded = measured(partial(closed_loop, app_sender(base, mode), texts, CLIENTS, seconds), client, pids)
            results[mode] = dict(loaded, single_client={k: single[k] for k in ("requests", "latency_ms", "opensearch_took_ms")})
        rss_end = [server.rss_mb(p) for p in pids]
    finally:
        server.stop(proc)
    raw = raw_hybrid_baseline(settings, [next(texts) for _ in range(RAW_QUERIES)], seconds)
    hybrid = results["hybrid"]
    return {
        "setup": {
            "clients": CLIENTS,
            "seconds_per_mode": seconds,
            "single_client_seconds": SINGLE_SECONDS,
            "queries": "fresh 6-14 word windows of TMDB overviews, never repeated",
            "page_size": 20,
            "server": "gunicorn gthread (webapp/gunicorn.conf.py), loopback",
            "workers": int(layout.get("WEB_WORKERS", 0)) or len(pids),
            "threads_per_worker": layout.get("WEB_THREADS", "config"),
            "cpus": os.cpu_count(),
            "load_average_at_end": os.getloadavg(),
        },
        "modes": results,
        "rss_mb_per_worker": {"after_warm_up": rss_warm, "at_end": rss_end},
        "raw_opensearch_hybrid": raw,
        "baseline": "raw_opensearch_hybrid: the same hybrid bodies straight to OpenSearch, 8 clients",
        "hybrid_vs_raw": {
            "p95_ratio": round(hybrid["latency_ms"]["p95"] / raw["latency_ms"]["p95"], 2),
            "rps_ratio": round(hybrid["throughput_rps"] / raw["throughput_rps"], 2),
        },
        "targets": TARGETS,
        "targets_met": {
            "hybrid_p95": hybrid["latency_ms"]["p95"] <= TARGETS["hybrid_p95_ms"],
            "hybrid_rps": hybrid["throughput_rps"] >= TARGETS["hybrid_rps"],
            "keyword_semantic_p95": all(results[m]["latency_ms"]["p95"] <= TARGETS["keyword_semantic_p95_ms"] for m in ("keyword", "semantic")),
            "single_hybrid_p50": hybrid["single_client"]["latency_ms"]["p50"] <= TARGETS["single_hybrid_p50_ms"],
            "rss_per_worker": max(rss_warm) <= TARGETS["rss_per_worker_mb"],
        },
    }
