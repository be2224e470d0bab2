"""How each stage's cost grows with the catalogue: 5k, 25k, 100k SYNTHETIC films.

``python -m bench scale --films 100000`` measures at 5,000, 25,000 and 100,000 films (the
steps up to ``--films``). TMDB 5000 has 4,803 films, so the bigger catalogues are SYNTHETIC,
made from the real one without encoding anything:

- each synthetic film copies a real film's numbers and genres, and recombines texts: its
  overview joins sentences of two real overviews, its tagline and half its keywords come from
  a second film; ``original_title`` says ``synthetic #i`` and ids start at 900,000,000;
- its vector is the real film's cached embedding plus Gaussian noise (re-normalized), so
  synthetic films form clouds around real ones, as remakes and near-duplicates would.

Everything goes through the project's own code: ``indexer.documents.movie_doc``,
``indexer.store.build_index`` with the mapping and ``with_shards``, the web app's
``/api/search`` under gunicorn. The index sits behind its own alias (``synthetic-scale``),
deleted at the end. Per step it records: bulk docs/s and the index's size on disk after
the refresh and the merge to one segment that `store.build_index` does; K-Means time with k growing as 150 x sqrt(n / 5000), for the indexer's ``KMeansClusterer`` and for
``MiniBatchKMeans`` (with their inertia, so the faster one is also judged on quality); the
indexer's peak memory (a fresh process per step: ``ru_maxrss``); single-client p50/p95 per
search mode and hybrid throughput with 8 clients. The CPU encode rate of the real model is
measured once: it prices the embedding of 1M real films, which no synthetic data can.
The growth table reports every figure as a ratio to the 5k step, and a log-log fit of the
points projects 1M films.
"""
from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import resource
import time
from dataclasses import replace
from typing import Any

import numpy as np
import requests

from bench.relevance import all_queries, load_judgements
from bench import server
from bench.search_latency import CLIENTS, SECONDS, _app_sender, _pct, closed_loop
from mgm.settings import Settings

STEPS = (5_000, 25_000, 100_000)
PROJECT_TO = 1_000_000
ALIAS = "synthetic-scale"
SYNTHETIC_ID_BASE = 900_000_000
NOISE = 0.02  # per-dimension sigma: cosine to the source film about 0.9
BASE_K, BASE_N = 150, 5_000
SINGLE_CLIENT_ROUNDS = 2  # every judged query this many times per mode
ENCODE_SAMPLE = 256
SEED = 7


def k_for(n: int) -> int:
    """k grows as the square root of n: 150 micro-genres at 5k films, 671 at 100k."""
    return round(BASE_K * math.sqrt(n / BASE_N))


def synthetic_catalogue(movies: list, vectors: np.ndarray, n: int) -> tuple[list, np.ndarray]:
    """``n`` SYNTHETIC films recombined from the real ones (see the module docstring)."""
    from indexer.features import normalize

    rng = np.random.default_rng(SEED)
    source = np.arange(n) % len(movies)
    partner = rng.integers(0, len(movies), n)
    films = []
    for i, (s, p) in enumerate(zip(source, partner)):
        a, b = movies[s], movies[p]
        first, second = a.overview.split(". "), b.overview.split(". ")
        overview = ". ".join(first[: max(1, len(first) // 2)] + second[len(second) // 2 :])
        keywords = a.keywords[: (len(a.keywords) + 1) // 2] + b.keywords[len(b.keywords) // 2 :]
        films.append(replace(a, id=SYNTHETIC_ID_BASE + i, original_title=f"synthetic #{i}", overview=overview,
                             tagline=b.tagline, keywords=tuple(dict.fromkeys(keywords))))
    noisy = vectors[source] + rng.normal(0, NOISE, (n, vectors.shape[1])).astype(np.float32)
    return films, normalize(noisy).astype(np.float32)


def real_catalogue(settings: Settings) -> tuple[list, np.ndarray]:
    """The real films and their cached vectors; a cache miss is an error (nothing is encoded)."""
    from indexer.embed import CACHE_FILE, EmbeddingCache
    from indexer.load import load_movies
    from indexer.text import embedding_text
    from mgm.model import cache_namespace

    def refuse(texts: list[str]) -> np.ndarray:
        raise RuntimeError(f"{len(texts)} texts missing from the embedding cache: run `make reindex` first")

    movies = load_movies(settings.movies_csv).movies
    vectors, _ = EmbeddingCache(settings.cache_dir / CACHE_FILE, cache_namespace(settings), refuse).embed([embedding_text(m) for m in movies])
    return movies, vectors


def time_kmeans(x: np.ndarray, k: int) -> tuple[dict[str, Any], np.ndarray]:
    """The indexer's own K-Means (``KMeansClusterer``) against MiniBatchKMeans, same k, data,
    restarts and seed. Returns the timings with each fit's inertia, and the faster fit's labels."""
    from sklearn.cluster import MiniBatchKMeans

    from indexer.cluster import KMeansClusterer

    x64 = x.astype(np.float64)
    project = KMeansClusterer(k=k)

    def minibatch() -> tuple[np.ndarray, np.ndarray]:
        fitted = MiniBatchKMeans(n_clusters=k, batch_size=4096, n_init=project.n_init, random_state=project.random_state).fit(x64)
        return fitted.labels_, fitted.cluster_centers_

    def kmeans() -> tuple[np.ndarray, np.ndarray]:
        fitted = project.fit(x64)
        return fitted.labels_, fitted.centroids_

    out: dict[str, Any] = {}
    labels = {}
    for name, fit in (("kmeans", kmeans), ("minibatch", minibatch)):
        t0 = time.perf_counter()
        labels[name], centers = fit()
        seconds = time.perf_counter() - t0
        inertia = float(((x64 - centers[labels[name]]) ** 2).sum())
        out[name] = {"seconds": round(seconds, 2), "inertia": round(inertia, 1)}
    out["winner"] = min(("kmeans", "minibatch"), key=lambda m: out[m]["seconds"])
    out["minibatch_inertia_ratio"] = round(out["minibatch"]["inertia"] / out["kmeans"]["inertia"], 4)
    return out, labels[out["winner"]]


def index_step(settings: Settings, n: int) -> dict[str, Any]:
    """One step in a fresh process: synthesize, cluster, build documents, bulk-index, alias."""
    from indexer.documents import MicroGenre, movie_doc, rating_prior
    from indexer.index_settings import with_shards
    from indexer.store import build_index, mapping, prune, swap_aliases
    from mgm.client import make_client

    movies, vectors = real_catalogue(settings)
    baseline_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    films, x = synthetic_catalogue(movies, vectors, n)
    k = k_for(n)
    kmeans, labels = time_kmeans(x, k)
    micro = [MicroGenre(c, f"synthetic cluster {c}", ["synthetic"], 0, "Synthetic") for c in range(k)]
    client = make_client(settings, timeout=300)
    index = f"{ALIAS}-{n}-{int(time.time())}"
    t0 = time.perf_counter()
    prior = rating_prior([films])
    docs = (movie_doc(f, x[i], micro[int(labels[i])], prior) for i, f in enumerate(films))
    count = build_index(client, index, with_shards(mapping("movies"), settings), docs)
    bulk_seconds = time.perf_counter() - t0
    swap_aliases(client, {ALIAS: index})
    prune(client, ALIAS, keep={index})
    store = client.indices.stats(index=index, metric="store")["indices"][index]["total"]["store"]["size_in_bytes"]
    return {
        "films": n, "indexed": count, "k": k, "kmeans": kmeans,
        "bulk_seconds": round(bulk_seconds, 1), "bulk_docs_per_s": round(count / bulk_seconds, 1),
        "index_mb_on_disk": round(store / 2**20, 1),
        "indexer_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "indexer_baseline_mb": round(baseline_mb, 1),
    }


def search_step(settings: Settings, queries: list[str]) -> dict[str, Any]:
    """Single-client latency per mode, then hybrid with 8 clients, on the synthetic alias."""
    port = server.free_port()
    proc = server.start(replace(settings, index_alias=ALIAS), port)
    base = f"http://127.0.0.1:{port}"
    out: dict[str, Any] = {}
    try:
        for mode in ("keyword", "semantic", "hybrid"):
            for q in queries[:8]:  # warm-up
                requests.get(f"{base}/api/search", params={"q": q, "mode": mode}, timeout=60)
            ms = []
            for q in queries * SINGLE_CLIENT_ROUNDS:
                t0 = time.perf_counter()
                requests.get(f"{base}/api/search", params={"q": q, "mode": mode, "size": 20}, timeout=60).raise_for_status()
                ms.append((time.perf_counter() - t0) * 1000)
            out[mode] = {"p50_ms": _pct(ms, 50), "p95_ms": _pct(ms, 95)}
        hybrid = closed_loop(_app_sender(base, "hybrid"), itertools.cycle(queries), CLIENTS, SECONDS)
        out["hybrid_8_clients"] = {"throughput_rps": hybrid["throughput_rps"], "p95_ms": hybrid["latency_ms"]["p95"],
                                   "errors": hybrid["errors"]}
    finally:
        server.stop(proc)
    return out


def encode_rate(settings: Settings) -> dict[str, Any]:
    """Real films per second the CPU encodes with the configured backend (bulk settings)."""
    from indexer.load import load_movies
    from indexer.text import embedding_text
    from mgm.model import encode, load_model

    texts = [embedding_text(m) for m in load_movies(settings.movies_csv).movies[:ENCODE_SAMPLE]]
    model = load_model(settings.model_dir, settings.embed_backend, settings.cache_dir)
    encode(model, texts[:32])  # warm-up
    t0 = time.perf_counter()
    encode(model, texts)
    rate = len(texts) / (time.perf_counter() - t0)
    return {"backend": settings.embed_backend, "texts": len(texts), "texts_per_s": round(rate, 1),
            "hours_for_1m": round(PROJECT_TO / rate / 3600, 1)}


def projection(steps: list[dict], key) -> dict[str, Any]:
    """Log-log least squares over the steps: cost ~ a * n^b, evaluated at 1M films."""
    n = np.log([s["films"] for s in steps])
    y = np.log([max(key(s), 1e-9) for s in steps])
    b, a = np.polyfit(n, y, 1) if len(steps) > 1 else (1.0, y[0] - n[0])
    return {"exponent": round(float(b), 2), "at_1m": round(float(math.exp(a + b * math.log(PROJECT_TO))), 1)}


METRICS = {
    "bulk_docs_per_s": lambda s: s["bulk_docs_per_s"],
    "index_mb_on_disk": lambda s: s["index_mb_on_disk"],
    "kmeans_seconds": lambda s: s["kmeans"]["kmeans"]["seconds"],
    "minibatch_seconds": lambda s: s["kmeans"]["minibatch"]["seconds"],
    "indexer_peak_mb": lambda s: s["indexer_peak_mb"],
    # What the films add to the process (the peak minus the real catalogue's baseline): the
    # fixed part would bend a power-law fit of the peak itself.
    "indexer_growth_mb": lambda s: s["indexer_peak_mb"] - s["indexer_baseline_mb"],
    "keyword_p95_ms": lambda s: s["search"]["keyword"]["p95_ms"],
    "semantic_p95_ms": lambda s: s["search"]["semantic"]["p95_ms"],
    "hybrid_p50_ms": lambda s: s["search"]["hybrid"]["p50_ms"],
    "hybrid_p95_ms": lambda s: s["search"]["hybrid"]["p95_ms"],
    "hybrid_8_clients_rps": lambda s: s["search"]["hybrid_8_clients"]["throughput_rps"],
}


def run(settings: Settings, films: int = STEPS[-1]) -> dict[str, Any]:
    sizes = sorted({s for s in STEPS if s <= films} | {films})
    queries = all_queries(load_judgements())
    spawn = multiprocessing.get_context("spawn")
    steps = []
    try:
        for n in sizes:
            with spawn.Pool(1) as pool:  # a fresh process: its peak memory is this step's alone
                step = pool.apply(index_step, (settings, n))
            step["search"] = search_step(settings, queries)
            steps.append(step)
            print(f"bench scale: {n} synthetic films done", flush=True)
    finally:
        from mgm.client import make_client

        make_client(settings).indices.delete(index=f"{ALIAS}-*", ignore_unavailable=True)
    return {
        "synthetic": True,
        "data": f"SYNTHETIC catalogue recombined from the {settings.movies_csv.name} films and their cached vectors "
                f"(noise sigma {NOISE}); not real films",
        "setup": {"alias": ALIAS, "shards": settings.index_shards, "replicas": settings.index_replicas,
                  "opensearch": settings.opensearch_url, "cpus": os.cpu_count(), "k_rule": "150 * sqrt(n / 5000)",
                  "single_client_requests_per_mode": len(queries) * SINGLE_CLIENT_ROUNDS,
                  "load_average_at_end": os.getloadavg()},
        "steps": steps,
        **growth(steps),
        "encode": encode_rate(settings),
    }


def growth(steps: list[dict]) -> dict[str, Any]:
    """Every metric as a ratio to the first step, and its log-log projection to 1M films."""
    first = steps[0]
    return {
        "baseline": f"the {first['films']}-film step of this run",
        "ratio_to_first": {name: [round(key(s) / key(first), 2) for s in steps] for name, key in METRICS.items()},
        "projection_1m": {name: projection(steps, key) for name, key in METRICS.items()},
    }
