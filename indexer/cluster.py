"""Micro-genres by K-Means on the normalized embeddings, macro themes by K-Means on centroids.

k is chosen by measurement, not taste: for each k of a grid (all >= the 150 micro-genres the
product promises) the sweep fits K-Means with a few seeds and records the cosine silhouette
(on a fixed sample: the full matrix costs seconds per fit), the Davies-Bouldin index and the
stability across seeds (mean adjusted Rand index between seed pairs). The chosen k maximizes
the mean of the three min-max-normalized scores. The sweep uses n_init=1 to stay cheap; the
final model uses more restarts. K-Means runs on float64: scikit-learn's k-means++ upcasts
float32 input chunk by chunk, which made it 3x slower here.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, davies_bouldin_score, silhouette_score

DEFAULT_GRID = (150, 175, 200, 250, 300)
SWEEP_SEEDS = (0, 1, 2)
RANDOM_STATE = 42
MACRO_RANGE = range(15, 31)
SILHOUETTE_SAMPLE = 2000
FINAL_N_INIT = 3


@dataclass
class Clustering:
    k: int
    labels: np.ndarray  # micro-genre id per movie
    centroids: np.ndarray  # (k, d), re-normalized
    macro_of_micro: np.ndarray  # macro id per micro-genre
    n_macro: int
    silhouette: float
    davies_bouldin: float
    curve: list[dict]
    macro_curve: list[dict]


def normalize(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def _sample(n: int, size: int) -> np.ndarray:
    rng = np.random.default_rng(RANDOM_STATE)
    return np.sort(rng.choice(n, size=min(size, n), replace=False))


def sweep(x: np.ndarray, grid: tuple[int, ...] = DEFAULT_GRID, seeds: tuple[int, ...] = SWEEP_SEEDS) -> list[dict]:
    """The k-selection curve: one row per k with silhouette, Davies-Bouldin, stability."""
    x = x.astype(np.float64)
    sample = _sample(len(x), SILHOUETTE_SAMPLE)
    curve = []
    for k in grid:
        runs = [KMeans(n_clusters=k, init="k-means++", n_init=1, random_state=s).fit_predict(x) for s in seeds]
        curve.append(
            {
                "k": int(k),
                "silhouette": float(np.mean([silhouette_score(x[sample], r[sample], metric="cosine") for r in runs])),
                "davies_bouldin": float(np.mean([davies_bouldin_score(x, r) for r in runs])),
                "stability": float(np.mean([adjusted_rand_score(a, b) for a, b in combinations(runs, 2)])),
            }
        )
    return curve


def choose_k(curve: list[dict]) -> int:
    """k with the best mean of min-max-normalized silhouette, -Davies-Bouldin and stability."""

    def scaled(values: list[float], higher_is_better: bool) -> np.ndarray:
        arr = np.asarray(values, float)
        span = arr.max() - arr.min()
        out = (arr - arr.min()) / span if span > 0 else np.ones_like(arr)
        return out if higher_is_better else 1 - out

    score = (
        scaled([r["silhouette"] for r in curve], True)
        + scaled([r["davies_bouldin"] for r in curve], False)
        + scaled([r["stability"] for r in curve], True)
    ) / 3
    for row, s in zip(curve, score):
        row["score"] = float(s)
    return int(curve[int(np.argmax(score))]["k"])


def cached_sweep(x: np.ndarray, cache_dir: Path, grid: tuple[int, ...] = DEFAULT_GRID) -> tuple[list[dict], bool]:
    """The sweep is a pure function of the embeddings and the grid: reuse its result when both match."""
    digest = hashlib.sha256(x.tobytes() + json.dumps([list(grid), list(SWEEP_SEEDS), SILHOUETTE_SAMPLE]).encode()).hexdigest()[:16]
    path = cache_dir / f"k-curve-{digest}.json"
    try:
        return json.loads(path.read_text()), True
    except (OSError, ValueError):
        pass
    curve = sweep(x, grid)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(curve))
    os.replace(tmp, path)  # atomic: concurrent runs never read half a file
    return curve, False


def macro_themes(centroids: np.ndarray, sizes: np.ndarray, k_range: range = MACRO_RANGE) -> tuple[np.ndarray, list[dict]]:
    """Group micro-genre centroids into macro themes; the count maximizes the cosine silhouette."""
    curve, best = [], None
    for k in k_range:
        model = KMeans(n_clusters=k, init="k-means++", n_init=4, random_state=RANDOM_STATE)
        labels = model.fit_predict(centroids, sample_weight=sizes)
        sil = float(silhouette_score(centroids, labels, metric="cosine"))
        curve.append({"k": k, "silhouette": sil})
        if best is None or sil > best[0]:
            best = (sil, labels)
    return best[1], curve


def cluster(x: np.ndarray, k: int, curve: list[dict]) -> Clustering:
    """Final micro-genres for a chosen k, their macro themes and quality metrics on all movies."""
    x = x.astype(np.float64)
    model = KMeans(n_clusters=k, init="k-means++", n_init=FINAL_N_INIT, random_state=RANDOM_STATE).fit(x)
    labels = model.labels_
    centroids = normalize(model.cluster_centers_.astype(np.float32))
    sizes = np.bincount(labels, minlength=k)
    macro, macro_curve = macro_themes(centroids, sizes)
    return Clustering(
        k=k,
        labels=labels,
        centroids=centroids,
        macro_of_micro=macro,
        n_macro=int(macro.max() + 1),
        silhouette=float(silhouette_score(x, labels, metric="cosine")),
        davies_bouldin=float(davies_bouldin_score(x, labels)),
        curve=curve,
        macro_curve=macro_curve,
    )
