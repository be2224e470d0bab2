"""Where a hybrid search spends its time: `python -m bench profile_search`.

Three views, measured in one run against a real gunicorn and OpenSearch:
1. py-spy (sampling, ``--nonblocking``) on every gunicorn worker while 8 closed-loop
   clients send hybrid searches with fresh texts, summed into categories (query encoding,
   JSON decode/encode, the OpenSearch client, Flask, the app's shaping) and the CPU ms per
   request of OpenSearch and of the workers; OpenSearch's hot threads sampled meanwhile.
2. OpenSearch's ``profile`` API on each side of the app's hybrid search (BM25, k-NN): time
   per query node, collector and aggregation (median over fresh texts).
3. The cost of each part alone, one client: OpenSearch ``took`` for each side, the BM25 side
   without aggregations or ``track_total_hits``, and the whole ``_msearch``; query encoding,
   JSON in and out, the app's facet counting and
   highlighting measured in-process. Timings on a shared machine are indicative: compare rows of one run.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from bench import server
from bench.bodies import hybrid_requests
from bench.load import CLIENTS, app_sender, closed_loop, measured
from bench.queries import fresh_queries
from mgm.client import make_client
from mgm.settings import PROJECT_ROOT, Settings
from webapp.explore import fusion

LOAD_SECONDS = 15
PART_QUERIES = 30
# Blocking waits that py-spy still samples as active (a socket read, gthread's epoll, an idle
# pool thread): matched on the leaf frame, first, so the categories below are CPU.
WAITS = ("SocketIO.readinto", "Selector.select", "_worker (concurrent/futures/thread.py", "wait_for_socket")
WAITING = "waiting (socket read, epoll, idle thread)"
# First match wins, checked over the whole stack: the most specific cost first.
CATEGORIES = (
    ("query encoding (ONNX Runtime, tokenizer)", ("query_encoder.py", "onnxruntime", "tokenizers")),
    ("JSON decode (OpenSearch response)", ("json/decoder.py", "loads (json", "orjson", "loads (opensearchpy")),
    ("JSON encode (request body, API response)", ("json/encoder.py", "dumps (json", "flask/json")),
    ("OpenSearch client (HTTP, urllib3)", ("opensearchpy/", "urllib3/", "http/client.py")),
    ("templates", ("jinja2/",)),
    ("app: params, bodies, shaping (webapp)", ("webapp/",)),
    ("Flask / Werkzeug", ("flask/", "werkzeug/")),
    ("gunicorn (HTTP parsing, threads)", ("gunicorn/",)),
)


def categorize(raw_lines: list[str]) -> tuple[dict[str, float], dict[str, float]]:
    """Share (%) of active samples per category, and of the 12 hottest leaf frames, from
    py-spy's collapsed ("raw") output."""
    counts: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    for line in raw_lines:
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        leaf = stack.rsplit(";", 1)[-1]
        if any(w in leaf for w in WAITS):
            name = WAITING
        else:
            name = next((c for c, marks in CATEGORIES if any(m in stack for m in marks)), "other")
        counts[name] += int(n)
        leaves[leaf] += int(n)
    total = sum(counts.values()) or 1
    share = lambda c: {name: round(100 * n / total, 1) for name, n in c}  # noqa: E731
    return share(counts.most_common()), share(leaves.most_common(12))


def _py_spy(pids: list[int], seconds: int, folder: Path) -> list[subprocess.Popen]:
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return [
        subprocess.Popen(
            [
                py_spy,
                "record",
                "--pid",
                str(p),
                "--duration",
                str(seconds),
                "--rate",
                "200",
                "--nonblocking",
                "--format",
                "raw",
                "--output",
                str(folder / f"{p}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for p in pids
    ]


def under_load(settings: Settings, texts, root: Path = PROJECT_ROOT) -> dict[str, Any]:
    """py-spy on every worker and OpenSearch hot threads during an 8-client hybrid load.

    ``root``: the checkout gunicorn serves (another one gives a before/after in one session).
    """
    port = server.free_port()
    proc = server.start(settings, port, {"CACHE_DIR": str(settings.cache_dir)}, root=root)
    base, client = f"http://127.0.0.1:{port}", make_client(settings)
    folder = Path(tempfile.mkdtemp(prefix="mgm-py-spy-"))
    try:
        pids = server.worker_pids(proc.pid)
        closed_loop(app_sender(base, "hybrid"), texts, CLIENTS, 3.0)  # warm-up
        rss = [server.rss_mb(p) for p in pids]
        spies = _py_spy(pids, LOAD_SECONDS, folder)
        hot: list[str] = []
        timer = threading.Timer(
            LOAD_SECONDS / 2,
            lambda: hot.append(client.transport.perform_request("GET", "/_nodes/hot_threads", params={"threads": 3, "interval": "500ms"})),
        )
        timer.start()
        load = measured(lambda: closed_loop(app_sender(base, "hybrid"), texts, CLIENTS, LOAD_SECONDS), client, pids)
        timer.join()
        for spy in spies:
            spy.wait(timeout=60)
        lines = [line for f in folder.glob("*.txt") for line in f.read_text().splitlines()]
    finally:
        server.stop(proc)
        shutil.rmtree(folder, ignore_errors=True)
    shares, leaves = categorize(lines)
    return {
        "load": load,
        "rss_mb_per_worker_after_warm_up": rss,
        "py_spy_share_pct": shares,
        "py_spy_hottest_frames_pct": leaves,
        "hot_threads": _hot_summary(hot[0] if hot else ""),
    }


def _hot_summary(text: str) -> list[str]:
    """The header line of each hot thread ("x% cpu usage by thread 'name'")."""
    return [line.strip() for line in str(text).splitlines() if "cpu usage by thread" in line]


def _took(client, index: str, body: dict[str, Any]) -> float:
    return float(client.transport.perform_request("POST", f"/{index}/_search", body=body)["took"])


def profile_api(client, index: str, prepared: list[dict[str, Any]]) -> dict[str, Any]:
    """The profile of each side of the app's hybrid search (``webapp.explore.fusion.parts``)."""
    sides = [fusion.parts(body) for body in prepared]
    return {name: _profile(client, index, [side[i] for side in sides]) for i, name in enumerate(("BM25 side", "k-NN side"))}


def _profile(client, index: str, prepared: list[dict[str, Any]]) -> dict[str, float]:
    """Median milliseconds per node type of the query tree, collectors and aggregations."""
    parts: dict[str, list[float]] = {}
    for body in prepared:
        resp = client.transport.perform_request("POST", f"/{index}/_search", body=dict(body, profile=True))
        for shard in resp["profile"]["shards"]:
            for search_ in shard["searches"]:
                for node in search_["query"]:
                    parts.setdefault(f"query: {node['type']}", []).append(node["time_in_nanos"])
                    for child in node.get("children", []):
                        parts.setdefault(f"  sub-query: {child['type']}", []).append(child["time_in_nanos"])
                parts.setdefault("rewrite", []).append(search_["rewrite_time"])
                for coll in search_["collector"]:
                    parts.setdefault(f"collector: {coll['name']}", []).append(coll["time_in_nanos"])
            for agg in shard.get("aggregations", []):
                parts.setdefault(f"aggregation: {agg['description']}", []).append(agg["time_in_nanos"])
            if "fetch" in shard:
                parts.setdefault("fetch", []).append(shard["fetch"]["time_in_nanos"])
    return {name: round(statistics.median(v) / 1e6, 2) for name, v in parts.items()}


def _variants(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each side of the app's hybrid search, and the BM25 side with one part removed."""
    keyword, vector = fusion.parts(body)
    no_aggs = {k: v for k, v in keyword.items() if k != "aggs"}
    return {
        "BM25 side as sent": keyword,
        "BM25 side without aggregations": no_aggs,
        "BM25 side without track_total_hits": dict(keyword, track_total_hits=False),
        "k-NN side as sent": vector,
    }


def parts(settings: Settings, prepared: list[dict[str, Any]], queries: list[str]) -> dict[str, Any]:
    """Median ``took`` per body variant (one client), plus encoding and JSON in-process."""
    from mgm.query_encoder import load_query_encoder
    from webapp.api.params import parse_search
    from webapp.explore import search
    from webapp.explore.highlight import highlight, query_stems

    client, index = make_client(settings), settings.index_alias
    took: dict[str, list[float]] = {}
    raw_json: list[bytes] = []
    for body in prepared:
        for name, variant in _variants(body).items():
            took.setdefault(name, []).append(_took(client, index, variant))
        resp = fusion.hybrid_search(client, index, body)
        took.setdefault("hybrid (one _msearch of both sides)", []).append(resp["took"])
        raw_json.append(json.dumps(resp).encode())
    encoder = load_query_encoder(settings)
    encode_ms = [_ms(lambda q=q: encoder.encode_one(q)) for q in queries]
    decoded = [json.loads(b) for b in raw_json]
    pages = [(q, [h["_source"] for h in d["hits"]["hits"]]) for q, d in zip(queries, decoded)]
    return {
        "opensearch_took_ms_p50": {k: statistics.median(v) for k, v in took.items()},
        "in_process_ms_p50": {
            "query encoding (1 query)": round(statistics.median(encode_ms), 2),
            "JSON decode of the response, json": _median_ms(json.loads, raw_json),
            "JSON decode of the response, orjson": _median_ms(orjson.loads, raw_json),
            "JSON encode of the response, json": _median_ms(json.dumps, decoded),
            "JSON encode of the response, orjson": _median_ms(orjson.dumps, decoded),
            "facets counted in the app (ranked window)": _median_ms(lambda p: search.count_facets(p[1]), pages),
            "highlight of a page of 20 in the app": _median_ms(
                lambda p: [highlight(src.get("overview", ""), query_stems(p[0])) for src in p[1][:20]], pages
            ),
            "body build (params + search_body)": _median_ms(
                lambda q: search.search_body(parse_search({"q": q, "mode": "hybrid"}), [0.0] * 384), queries
            ),
        },
        "response_bytes_p50": statistics.median(len(b) for b in raw_json),
    }


def _ms(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def _median_ms(fn, items) -> float:
    return round(statistics.median(_ms(lambda x=x: fn(x)) for x in items), 3)


def run(settings: Settings) -> dict[str, Any]:
    texts = fresh_queries(settings.movies_csv)
    part_queries = texts[:PART_QUERIES]
    prepared = hybrid_requests(settings, part_queries)
    client = make_client(settings)
    return {
        "setup": {
            "clients": CLIENTS,
            "load_seconds": LOAD_SECONDS,
            "part_queries": PART_QUERIES,
            "py_spy": "record --nonblocking --rate 200 --format raw, every worker, active samples only",
        },
        "under_load": under_load(settings, iter(texts[PART_QUERIES:])),
        "opensearch_profile_ms_p50": profile_api(client, settings.index_alias, prepared),
        "parts": parts(settings, prepared, part_queries),
    }
