"""How the real indexer and search grow with the catalogue: 5k against 100k SYNTHETIC films.

``python -m bench scale --films 100000`` runs ``python -m indexer run`` itself, as a
subprocess, once at 5,000 films and once at ``--films`` (``SCALE_STEPS=5000,25000,100000``
chooses other steps), in the same session so the two are measured under the same machine
load. TMDB 5000 has 4,803 films, so the catalogues are SYNTHETIC, made from the real one:

- each synthetic film copies a real film's numbers and genres, and recombines texts: its
  overview joins sentences of two real overviews, its tagline and half its keywords come from
  a second film; ``original_title`` says ``synthetic #i`` and ids start at 900,000,000;
- its vector is the real film's cached embedding plus Gaussian noise (re-normalized), so
  synthetic films form clouds around real ones, as remakes and near-duplicates would.

The films are written as a TMDB CSV under a temporary folder (never committed). Encoding
100k texts would take half an hour here, and synthetic texts have no true vector anyway, so
the run gets its own ``CACHE_DIR`` whose ``embeddings.parquet`` holds the real cache (theme
keywords, label phrases) plus every synthetic film's vector under the key the indexer looks
up: ``indexer.features.embed.text_key`` of the model's ``cache_namespace`` and ``indexer.ingest.text.
embedding_text`` of the film as ``indexer.ingest.load`` reads it back from the CSV. The embed stage
is then all cache hits (the report's ``encoded`` says how many were not), and the real
model's encode rate, measured on a sample of real films, prices real encoding.

Every index name is under the ``scale-`` prefix (``Settings.scoped``), deleted at the end.
Per step it records: each indexer stage's seconds and the process's peak RSS when the stage
ended (``indexer.pipeline.Timer``), the whole run's peak RSS (``/usr/bin/time``), the
movies index's size on disk, the index stage's docs/s (bulk, refresh and the merge to one
segment per shard), and search through the web app under gunicorn (``bench.server``):
p50/p95 with one client and with 8 clients, for keyword, semantic and hybrid. Every figure is
also given as a ratio to the first step, with a log-log projection to 1M films.

``failover(settings)`` (``python -m bench.scale failover``) kills a data node of the local
3-node cluster under 8 clients searching the 100k index, with the failover test's own load
and node helpers (``tests/test_cluster.py``).
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import requests

from bench import server
from bench.load import CLIENTS, app_sender, closed_loop, percentile
from bench.relevance import all_queries, load_judgements
from indexer.ingest.load import CSV_COLUMNS
from mgm.settings import PROJECT_ROOT, Settings

STEPS = (5_000, 100_000)
PROJECT_TO = 1_000_000
PREFIX = "scale"
SYNTHETIC_ID_BASE = 900_000_000
NOISE = 0.02  # per-dimension sigma: cosine to the source film about 0.9
MODES = ("keyword", "semantic", "hybrid")
SINGLE_CLIENT_QUERIES = 120  # one client: this many judged queries per mode
LOAD_SECONDS = 15.0  # 8 clients: this long per mode
ENCODE_SAMPLE = 256
SEED = 7
RESULTS = Path(__file__).resolve().parent / "results"


def synthetic_rows(movies: list, n: int) -> tuple[list[dict], np.ndarray]:
    """``n`` SYNTHETIC films as TMDB CSV rows (see the module docstring), and each one's
    source film (the real film whose vector it takes)."""
    rng = np.random.default_rng(SEED)
    source = np.arange(n) % len(movies)
    partner = rng.integers(0, len(movies), n)
    rows = []
    for i, (s, p) in enumerate(zip(source, partner)):
        a, b = movies[s], movies[p]
        first, second = a.overview.split(". "), b.overview.split(". ")
        overview = ". ".join(first[: max(1, len(first) // 2)] + second[len(second) // 2 :])
        keywords = list(dict.fromkeys(a.keywords[: (len(a.keywords) + 1) // 2] + b.keywords[len(b.keywords) // 2 :]))
        rows.append(
            {
                "id": SYNTHETIC_ID_BASE + i,
                "title": a.title,
                "original_title": f"synthetic #{i}",
                "tagline": b.tagline,
                "overview": overview,
                "genres": json.dumps([{"name": g} for g in a.genres]),
                "keywords": json.dumps([{"name": k} for k in keywords]),
                "release_date": a.release_date or "",
                "vote_average": a.vote_average,
                "vote_count": a.vote_count,
                "popularity": a.popularity,
                "runtime": "" if a.runtime is None else a.runtime,
                "budget": a.budget,
                "revenue": a.revenue,
                "original_language": a.original_language,
            }
        )
    return rows, source


def real_catalogue(settings: Settings) -> tuple[list, np.ndarray]:
    """The real films and their vectors from the project's embedding cache. Whatever it misses
    (a changed model graph changes the cache's namespace) is encoded once by the real model and
    written back, as an indexer run would; so are the real films' theme keywords, which the
    synthetic films reuse, so the timed runs find every keyword in the cache."""
    from indexer.features.embed import CACHE_FILE, EmbeddingCache
    from indexer.ingest.load import load_movies
    from indexer.ingest.text import embedding_text, theme_keywords
    from mgm.model import cache_namespace, encode, model_for

    model = []

    def encoder(texts: list[str]) -> np.ndarray:
        if not model:
            model.append(model_for(settings))
        return encode(model[0], texts, settings.embed_batch_size)

    movies = load_movies(settings.movies_csv).movies
    cache = EmbeddingCache(settings.cache_dir / CACHE_FILE, cache_namespace(settings), encoder)
    vectors, encoded = cache.embed([embedding_text(m) for m in movies])
    _, keywords = cache.embed(sorted({k for m in movies for k in theme_keywords(m.keywords)}))
    if encoded or keywords:
        print(f"bench scale: encoded {encoded} real films and {keywords} keywords missing from the cache", flush=True)
    return movies, vectors


def prepare(settings: Settings, n: int, folder: Path) -> tuple[Path, Path]:
    """Write the synthetic CSV and a cache folder seeded with its vectors; returns (csv, cache_dir)."""
    from indexer.features.embed import CACHE_FILE, read_cache, text_key, write_cache
    from indexer.features.vectors import normalize
    from indexer.ingest.load import load_movies
    from indexer.ingest.text import embedding_text
    from mgm.model import cache_namespace

    movies, vectors = real_catalogue(settings)
    rows, source = synthetic_rows(movies, n)
    path = folder / f"films-{n}.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    noise = np.random.default_rng(SEED + 1).normal(0, NOISE, (n, vectors.shape[1])).astype(np.float32)
    synthetic = normalize(vectors[source] + noise).astype(np.float32)
    cache_dir = folder / f"cache-{n}"
    cache_dir.mkdir()
    for onnx in settings.cache_dir.glob("onnx-*"):  # the model's ONNX export, made once
        (cache_dir / onnx.name).symlink_to(onnx.resolve())
    cache = read_cache(settings.cache_dir / CACHE_FILE)  # theme keywords and label phrases of real runs
    namespace = cache_namespace(replace(settings, cache_dir=cache_dir))
    for movie in load_movies(path).movies:  # the films exactly as the indexer will read them
        cache[text_key(namespace, embedding_text(movie))] = synthetic[movie.id - SYNTHETIC_ID_BASE]
    write_cache(cache_dir / CACHE_FILE, cache)
    return path, cache_dir


def index_step(settings: Settings, n: int, folder: Path) -> dict[str, Any]:
    """``python -m indexer run`` on ``n`` synthetic films, in a subprocess; its report and peak RSS."""
    from indexer.publish.store import last_run
    from mgm.client import make_client

    t0 = time.perf_counter()
    path, cache_dir = prepare(settings, n, folder)
    prepare_seconds = time.perf_counter() - t0
    env = dict(
        os.environ,
        HF_HUB_OFFLINE="1",
        MOVIES_CSV=str(path),
        CACHE_DIR=str(cache_dir),
        OPENSEARCH_URL=settings.opensearch_url,
        INDEX_SHARDS=str(settings.index_shards),
        INDEX_REPLICAS=str(settings.index_replicas),
        INDEX_ALIAS=settings.index_alias,
        MICRO_ALIAS=settings.micro_alias,
        RUNS_INDEX=settings.runs_index,
        IDS_INDEX=settings.ids_index,
    )
    # Through /usr/bin/time, whose own small image is what the indexer starts from: Linux carries
    # a process's peak RSS across fork and exec, so a child of this (GB-sized) process would
    # report this process's peak as its own, and so would RUSAGE_CHILDREN.
    peak_file = folder / f"maxrss-{n}"
    t0 = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "%M", "-o", str(peak_file), sys.executable, "-m", "indexer", "run"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"indexer run on {n} films failed: {proc.stderr[-3000:]}")
    peak = int(peak_file.read_text().split()[-1])  # KB
    client = make_client(settings, timeout=120)
    report = last_run(client, settings.runs_index)
    index = report["movies_index"]
    store = client.indices.stats(index=index, metric="store")["indices"][index]
    counts = report["counts"]
    return {
        "films": n,
        "prepare_seconds": round(prepare_seconds, 1),
        "indexer_wall_seconds": round(wall, 1),
        "indexer_peak_rss_mb": round(peak / 1024, 1),
        "stage_seconds": report["timings"],
        "stage_peak_rss_mb": report.get("peak_rss_mb"),
        "counts": counts,
        "k": report["k"],
        "macro": report["n_macro"],
        "embed": f"{counts['movies']} films: {counts['movies'] - counts['encoded']} cache hits, {counts['encoded']} encoded",
        "index_docs_per_s": round(counts["indexed_movies"] / report["timings"]["index"], 1),
        "index_mb_primaries": round(store["primaries"]["store"]["size_in_bytes"] / 2**20, 1),
        "index_mb_total": round(store["total"]["store"]["size_in_bytes"] / 2**20, 1),
        "movies_index": index,
        "silhouette": report.get("silhouette"),
        "label_fit": report.get("label_fit"),
    }


def search_step(settings: Settings, queries: list[str]) -> dict[str, Any]:
    """Per mode: one client over ``SINGLE_CLIENT_QUERIES`` judged queries, then 8 clients for
    ``LOAD_SECONDS``, through the web app under gunicorn."""
    port = server.free_port()
    proc = server.start(settings, port)
    base = f"http://127.0.0.1:{port}"
    out: dict[str, Any] = {}
    try:
        for mode in MODES:
            for q in queries[:8]:  # warm-up
                requests.get(f"{base}/api/search", params={"q": q, "mode": mode}, timeout=60)
            ms = []
            for q in queries[:SINGLE_CLIENT_QUERIES]:
                t0 = time.perf_counter()
                requests.get(f"{base}/api/search", params={"q": q, "mode": mode, "size": 20}, timeout=60).raise_for_status()
                ms.append((time.perf_counter() - t0) * 1000)
            loaded = closed_loop(app_sender(base, mode), itertools.cycle(queries), CLIENTS, LOAD_SECONDS)
            out[mode] = {
                "p50_ms": percentile(ms, 50),
                "p95_ms": percentile(ms, 95),
                "clients_8": {
                    "p50_ms": loaded["latency_ms"]["p50"],
                    "p95_ms": loaded["latency_ms"]["p95"],
                    "rps": loaded["throughput_rps"],
                    "errors": loaded["errors"],
                },
            }
    finally:
        server.stop(proc)
    return out


def encode_rate(settings: Settings) -> dict[str, Any]:
    """Real films per second the CPU encodes with the configured backend (bulk settings)."""
    from indexer.ingest.load import load_movies
    from indexer.ingest.text import embedding_text
    from mgm.model import encode, load_model

    texts = [embedding_text(m) for m in load_movies(settings.movies_csv).movies[:ENCODE_SAMPLE]]
    model = load_model(settings.model_dir, settings.embed_backend, settings.cache_dir)
    encode(model, texts[:32])  # warm-up
    t0 = time.perf_counter()
    encode(model, texts, settings.embed_batch_size)
    rate = len(texts) / (time.perf_counter() - t0)
    return {
        "backend": settings.embed_backend,
        "texts": len(texts),
        "texts_per_s": round(rate, 1),
        "minutes_for_100k": round(100_000 / rate / 60, 1),
        "hours_for_1m": round(PROJECT_TO / rate / 3600, 1),
    }


def projection(steps: list[dict], key) -> dict[str, Any]:
    """Log-log least squares over the steps: cost ~ a * n^b, evaluated at 1M films."""
    n = np.log([s["films"] for s in steps])
    y = np.log([max(key(s), 1e-9) for s in steps])
    b, a = np.polyfit(n, y, 1) if len(steps) > 1 else (1.0, y[0] - n[0])
    return {"exponent": round(float(b), 2), "at_1m": round(float(math.exp(a + b * math.log(PROJECT_TO))), 1)}


def metrics(steps: list[dict]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "indexer_wall_seconds": lambda s: s["indexer_wall_seconds"],
        "indexer_peak_rss_mb": lambda s: s["indexer_peak_rss_mb"],
        "index_docs_per_s": lambda s: s["index_docs_per_s"],
        "index_mb_primaries": lambda s: s["index_mb_primaries"],
    }
    for stage in steps[0]["stage_seconds"]:
        out[f"stage_{stage}_seconds"] = lambda s, stage=stage: s["stage_seconds"].get(stage, 0.0)
    for mode in MODES:
        out[f"{mode}_p50_ms"] = lambda s, m=mode: s["search"][m]["p50_ms"]
        out[f"{mode}_p95_ms"] = lambda s, m=mode: s["search"][m]["p95_ms"]
        out[f"{mode}_8_clients_p95_ms"] = lambda s, m=mode: s["search"][m]["clients_8"]["p95_ms"]
        out[f"{mode}_8_clients_rps"] = lambda s, m=mode: s["search"][m]["clients_8"]["rps"]
    return out


def growth(steps: list[dict]) -> dict[str, Any]:
    """Every metric as a ratio to the first step, and its log-log projection to 1M films."""
    first = steps[0]
    found = metrics(steps)
    return {
        "baseline": f"the {first['films']}-film step of this run",
        "ratio_to_first": {name: [round(key(s) / max(key(first), 1e-9), 2) for s in steps] for name, key in found.items()},
        "projection_1m": {name: projection(steps, key) for name, key in found.items()},
    }


def _label(settings: Settings) -> str:
    nodes = len(settings.opensearch_hosts)
    return f"{nodes}node" if nodes == 1 else f"{nodes}nodes-{settings.index_shards}x{settings.index_replicas}"


def _delete_scoped(settings: Settings) -> None:
    from mgm.client import make_client

    make_client(settings, timeout=120).indices.delete(index=f"{PREFIX}-*", ignore_unavailable=True)


def run(settings: Settings, films: int = STEPS[-1], keep: bool = False) -> dict[str, Any]:
    """Each step: the indexer run, then search on what it built; every ``scale-`` index is
    deleted at the end (``keep``: not the last step's, for ``failover``)."""
    env_steps = os.environ.get("SCALE_STEPS")
    sizes = sorted({int(s) for s in env_steps.split(",")} if env_steps else {STEPS[0], films})
    scoped = settings.scoped(PREFIX)
    queries = all_queries(load_judgements())
    folder = Path(tempfile.mkdtemp(prefix="mgm-scale-"))
    steps, loads = [], {"start": os.getloadavg()}
    try:
        _delete_scoped(scoped)
        for n in sizes:
            step = index_step(scoped, n, folder)
            step["load_average_after_indexer"] = [round(v, 2) for v in os.getloadavg()]
            step["search"] = search_step(scoped, queries)
            step["load_average_after_search"] = [round(v, 2) for v in os.getloadavg()]
            steps.append(step)
            print(f"bench scale: {n} synthetic films done: {json.dumps(step)}", flush=True)
            shutil.rmtree(folder / f"cache-{n}", ignore_errors=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if not keep:
            _delete_scoped(scoped)
    result = {
        "synthetic": True,
        "data": f"SYNTHETIC catalogue recombined from the {settings.movies_csv.name} films and their cached vectors "
        f"(noise sigma {NOISE}); not real films",
        "command": f"OPENSEARCH_URL={settings.opensearch_url} INDEX_SHARDS={settings.index_shards} "
        f"INDEX_REPLICAS={settings.index_replicas} python -m bench scale --films {films}",
        "setup": {
            "prefix": PREFIX,
            "shards": settings.index_shards,
            "replicas": settings.index_replicas,
            "opensearch": settings.opensearch_url,
            "cpus": os.cpu_count(),
            "single_client_queries_per_mode": min(SINGLE_CLIENT_QUERIES, len(queries)),
            "eight_clients_seconds_per_mode": LOAD_SECONDS,
            "load_average_at_start": loads["start"],
            "load_average_at_end": os.getloadavg(),
        },
        "steps": steps,
        **growth(steps),
        "encode": encode_rate(settings),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"scale-{_label(settings)}.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def failover(settings: Settings, films: int = STEPS[-1], seconds: float = 30.0) -> dict[str, Any]:
    """On the local 3-node cluster (``OPENSEARCH_URL`` lists the three nodes): index ``films``
    synthetic films with the real indexer, then under 8 clients searching through the app,
    SIGKILL the node holding a primary of the movies index, restart it, and measure errors,
    p95 before / during / after and the time back to green; the document and micro-genre
    counts must not change."""
    from urllib.parse import urlparse

    sys.path.insert(0, str(PROJECT_ROOT))
    from mgm.client import make_client
    from tests.test_cluster import cluster_health, kill_node, primary_node, restart_node  # the failover test's own

    scoped = settings.scoped(PREFIX)
    client = make_client(scoped, timeout=120)
    base_port = urlparse(scoped.opensearch_hosts[0]).port
    folder = Path(tempfile.mkdtemp(prefix="mgm-scale-"))
    queries = all_queries(load_judgements())
    port = server.free_port()
    out: dict[str, Any] = {
        "films": films,
        "opensearch": scoped.opensearch_url,
        "shards": scoped.index_shards,
        "replicas": scoped.index_replicas,
        "load_average_at_start": os.getloadavg(),
    }
    try:
        live = client.indices.exists_alias(name=scoped.index_alias) and client.count(index=scoped.index_alias)["count"]
        if live == films:  # left by ``run(..., keep=True)`` on this cluster: not built twice
            out["indexer"] = "the index of the scale run just before (run(keep=True))"
        else:
            _delete_scoped(scoped)
            step = index_step(scoped, films, folder)
            out["indexer"] = {k: step[k] for k in ("indexer_wall_seconds", "indexer_peak_rss_mb", "stage_seconds", "k")}
        cluster_health(client, 300, wait_for_status="green")
        proc = server.start(scoped, port)
        base = f"http://127.0.0.1:{port}"

        def counts() -> dict[str, int]:
            return {"movies": client.count(index=scoped.index_alias)["count"], "micro_genres": client.count(index=scoped.micro_alias)["count"]}

        def phase(name: str) -> dict[str, Any]:
            result = closed_loop(app_sender(base, "hybrid"), itertools.cycle(queries), CLIENTS, seconds)
            return {
                "p50_ms": result["latency_ms"]["p50"],
                "p95_ms": result["latency_ms"]["p95"],
                "rps": result["throughput_rps"],
                "requests": result["requests"],
                "errors": result["errors"],
            }

        try:
            out["counts_before"] = counts()
            out["before"] = phase("before")
            index = client.indices.get_alias(name=scoped.index_alias)
            victim = primary_node(client, next(iter(index)))
            import threading

            during: dict[str, Any] = {}
            loader = threading.Thread(target=lambda: during.update(phase("during")))
            loader.start()
            time.sleep(seconds / 3)
            out["killed"] = f"node-{victim} (SIGKILL; it held a primary of the movies index)"
            out["seconds_to_notice"] = round(kill_node(victim, base_port, client), 1)
            loader.join()
            out["during"] = during
            t0 = time.perf_counter()
            try:
                restart_node(base_port, client)  # asserts green within 180 s: 100k replicas may take longer
            except AssertionError as slow:
                out["restart_note"] = f"not green within the test's 180 s: {str(slow)[:300]}"
                cluster_health(client, 900, wait_for_nodes="3", wait_for_status="green")
            out["seconds_restart_to_green"] = round(time.perf_counter() - t0, 1)
            out["after"] = phase("after")
            out["counts_after"] = counts()
            out["nothing_lost"] = out["counts_after"] == out["counts_before"]
        finally:
            server.stop(proc)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        _delete_scoped(scoped)
    out["load_average_at_end"] = os.getloadavg()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"scale-failover-{films}.json").write_text(json.dumps(out, indent=2) + "\n")
    return out


if __name__ == "__main__":
    # ``python -m bench.scale failover [FILMS]``: the failover alone; ``python -m bench.scale
    # cluster [FILMS]``: the scale run on the cluster, then the failover on its last index.
    what, films = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else STEPS[-1]
    if what == "cluster":
        run(Settings.from_env(), films, keep=True)
    print(json.dumps(failover(Settings.from_env(), films), indent=2))
