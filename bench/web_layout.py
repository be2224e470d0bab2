"""gunicorn worker/thread layouts, query-encoder threads and backends on 2 cores: `python -m bench web_layout`.

Hybrid searches with fresh texts, 8 closed-loop clients, each layout in turn and then the
whole list again (a shared machine drifts: two passes show it). Per layout: requests/s,
p50/p95, CPU ms per request of the web workers and OpenSearch, RSS per worker.
"""

from __future__ import annotations

import os
from typing import Any

from bench import server
from bench.load import CLIENTS, app_sender, closed_loop, measured
from bench.queries import fresh_queries
from mgm.client import make_client
from mgm.settings import Settings

# (WEB_WORKERS, WEB_THREADS, QUERY_ENCODER_THREADS, QUERY_BACKEND)
LAYOUTS = (
    (1, 8, 1, "onnx"),
    (2, 8, 1, "onnx"),
    (2, 8, 1, "onnx-int8"),
    (2, 4, 1, "onnx-int8"),
    (1, 8, 1, "onnx-int8"),
    (3, 8, 1, "onnx-int8"),
)
SECONDS = 15.0
PASSES = 2


def _one(settings: Settings, texts, layout: tuple[int, int, int, str]) -> dict[str, Any]:
    workers, threads, encoder, backend = layout
    env = {"WEB_WORKERS": str(workers), "WEB_THREADS": str(threads), "QUERY_ENCODER_THREADS": str(encoder), "QUERY_BACKEND": backend}
    port = server.free_port()
    proc = server.start(settings, port, env)
    base = f"http://127.0.0.1:{port}"
    try:
        pids = server.worker_pids(proc.pid)
        closed_loop(app_sender(base, "hybrid"), texts, CLIENTS, 3.0)  # warm-up
        result = measured(lambda: closed_loop(app_sender(base, "hybrid"), texts, CLIENTS, SECONDS), make_client(settings), pids)
        result["rss_mb_per_worker"] = [server.rss_mb(p) for p in pids]
    finally:
        server.stop(proc)
    return result


def run(settings: Settings) -> dict[str, Any]:
    texts = iter(fresh_queries(settings.movies_csv))
    passes = [{f"{w}x{t} enc{e} {b}": _one(settings, texts, (w, t, e, b)) for w, t, e, b in LAYOUTS} for _ in range(PASSES)]
    return {
        "setup": {
            "clients": CLIENTS,
            "seconds": SECONDS,
            "mode": "hybrid",
            "cpus": os.cpu_count(),
            "layout": "WEB_WORKERS x WEB_THREADS encQUERY_ENCODER_THREADS QUERY_BACKEND",
            "load_average_at_end": os.getloadavg(),
        },
        "passes": passes,
        "summary": {
            name: {
                "rps": [p[name]["throughput_rps"] for p in passes],
                "p95_ms": [p[name]["latency_ms"]["p95"] for p in passes],
                "web_cpu_ms": [p[name]["cpu_ms_per_request"]["web"] for p in passes],
            }
            for name in passes[0]
        },
    }
