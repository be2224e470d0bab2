"""Latency of ``/api/search`` per mode under a bounded load, next to OpenSearch's own ``took``.

Starts gunicorn (the production config: gthread workers) on a free loopback port, then for
each mode runs 8 client threads for 20 s, each sending the judged relevance queries in
turn. Reported per mode: client-side p50/p95/p99 (HTTP round trip), OpenSearch's ``took``
for the same requests (the baseline: what the search engine itself spent), the app's own
share (latency - took: embedding the query, Flask, JSON), throughput and errors. The
server is always stopped, even when the run fails.
"""
from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import requests

from bench.relevance import all_queries, load_judgements
from mgm.settings import PROJECT_ROOT, Settings

MODES = ("keyword", "semantic", "hybrid")
CLIENTS = 8
SECONDS = 20.0
TARGET_HYBRID_P95_MS = 80


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(settings: Settings, port: int) -> subprocess.Popen:
    env = dict(os.environ, PORT=str(port), OPENSEARCH_URL=settings.opensearch_url, INDEX_ALIAS=settings.index_alias,
               MICRO_ALIAS=settings.micro_alias, HF_HUB_OFFLINE="1")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    cmd = [str(gunicorn), "--config", "webapp/gunicorn.conf.py", "--access-logfile", "/dev/null", "webapp:create_app()"]
    proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_ready(proc, f"http://127.0.0.1:{port}/healthz")
    except BaseException:
        _stop(proc)
        raise
    return proc


def _wait_ready(proc: subprocess.Popen, url: str, seconds: float = 120) -> None:
    """gunicorn binds before its workers have loaded the model: poll until one answers."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if requests.get(url, timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not become ready within {seconds:.0f} s")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 1)


def _load(base: str, mode: str, queries: list[str]) -> dict[str, Any]:
    """CLIENTS threads for SECONDS; each records (round-trip ms, took ms) per request."""
    samples: list[tuple[float, int]] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + SECONDS

    def client(offset: int) -> None:
        session, i, mine, bad = requests.Session(), offset, [], []
        while time.perf_counter() < stop_at:
            q = queries[i % len(queries)]
            i += 1
            t0 = time.perf_counter()
            resp = session.get(f"{base}/api/search", params={"q": q, "mode": mode, "size": 20}, timeout=30)
            ms = (time.perf_counter() - t0) * 1000
            if resp.status_code == 200:
                mine.append((ms, resp.json()["took_ms"]))
            else:
                bad.append(f"{resp.status_code}")
        with lock:
            samples.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=client, args=(k * 7,)) for k in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latency = [s for s, _ in samples]
    took = [float(t) for _, t in samples]
    overhead = [s - t for s, t in samples]
    return {
        "requests": len(samples),
        "errors": len(errors),
        "throughput_rps": round(len(samples) / SECONDS, 1),
        "latency_ms": {"p50": _pct(latency, 50), "p95": _pct(latency, 95), "p99": _pct(latency, 99),
                       "mean": round(statistics.fmean(latency), 1) if latency else None},
        "opensearch_took_ms": {"p50": _pct(took, 50), "p95": _pct(took, 95)},
        "app_overhead_ms": {"p50": _pct(overhead, 50), "p95": _pct(overhead, 95)},
    }


def run(settings: Settings) -> dict[str, Any]:
    queries = all_queries(load_judgements())
    port = _free_port()
    proc = _start_server(settings, port)
    base = f"http://127.0.0.1:{port}"
    try:
        for mode in MODES:  # warm every worker's caches and the search pipeline
            for q in queries[:16]:
                requests.get(f"{base}/api/search", params={"q": q, "mode": mode}, timeout=30)
        results = {mode: _load(base, mode, queries) for mode in MODES}
    finally:
        _stop(proc)
    keyword_p95 = results["keyword"]["latency_ms"]["p95"]
    return {
        "setup": {"clients": CLIENTS, "seconds_per_mode": SECONDS, "queries": len(queries), "page_size": 20,
                  "server": "gunicorn gthread (webapp/gunicorn.conf.py), loopback", "cpus": os.cpu_count(),
                  "load_average_at_end": os.getloadavg()},
        "modes": results,
        "baseline": "opensearch_took_ms per mode (same requests); ratios vs keyword mode p95",
        "p95_ratio_vs_keyword": {m: round(results[m]["latency_ms"]["p95"] / keyword_p95, 2) for m in MODES},
        "target_hybrid_p95_ms": TARGET_HYBRID_P95_MS,
        "hybrid_p95_within_target": results["hybrid"]["latency_ms"]["p95"] <= TARGET_HYBRID_P95_MS,
    }
