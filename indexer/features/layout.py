"""2-D coordinates of every film for the movie map, from the embedding vectors. Pure function.

t-SNE (scikit-learn, already a dependency) rather than UMAP: UMAP would add numba and llvmlite
to the install and a JIT warm-up to every run. The vectors are first reduced to
``PCA_DIMS`` with PCA, which keeps the neighbourhoods t-SNE preserves and cuts its time;
the seed fixes the layout for a given set of vectors, so a reindex of the same data draws
the same map.

Above ``SAMPLE`` films (measured: scikit-learn's Barnes-Hut t-SNE took 35 s at 5k films and
SEE_DOCS at 25k, and its cost and memory grow faster than n), t-SNE lays out a seeded sample
of ``SAMPLE`` films and every other film is placed at the similarity-weighted mean of its
``PLACE_NEIGHBOURS`` nearest sampled films (cosine on the vectors, blocked). Chosen over
openTSNE's FFT t-SNE or UMAP: no new dependency, a bounded t-SNE time whatever the catalogue,
and memory of one block of similarities; the map is a picture where a film must sit among
its kind, which the placement gives it. At or below ``SAMPLE`` films the layout is exactly
the full t-SNE it always was.
"""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE

PCA_DIMS = 50
PERPLEXITY = 30.0
SEED = 42
MAX_ITER = 500  # half of scikit-learn's default: half the time, and the map's groups are already apart
ANGLE = 0.7  # Barnes-Hut approximation (default 0.5): coarser forces, faster, fine for a picture
SAMPLE = 10_000  # above this many films: t-SNE on a sample, the rest placed by their neighbours
PLACE_NEIGHBOURS = 5
BLOCK = 1024


def map_coordinates(vectors: np.ndarray, seed: int = SEED) -> np.ndarray:
    """One (x, y) per row of ``vectors``, scaled into [-1, 1] on the longer axis, rounded to 4 places.

    Fewer than 3 rows cannot be laid out by t-SNE; they are placed on a line so the map still
    draws.
    """
    n = len(vectors)
    if n < 3:
        return np.round(np.column_stack([np.linspace(-1, 1, n) if n > 1 else np.zeros(n), np.zeros(n)]), 4)
    x = np.asarray(vectors, dtype=np.float32)
    if n > SAMPLE:
        return _sampled(x, seed)
    dims = min(PCA_DIMS, n - 1, x.shape[1])
    reduced = PCA(n_components=dims, random_state=seed).fit_transform(x)
    perplexity = min(PERPLEXITY, (n - 1) / 3)
    xy = TSNE(
        n_components=2, perplexity=perplexity, init="pca", metric="cosine", random_state=seed, max_iter=MAX_ITER, angle=ANGLE, n_jobs=1
    ).fit_transform(reduced)
    xy -= xy.mean(axis=0)
    scale = np.abs(xy).max() or 1.0
    return np.round(xy / scale, 4)


def _sampled(x: np.ndarray, seed: int) -> np.ndarray:
    """t-SNE on ``SAMPLE`` seeded rows, every other row at the weighted mean of its nearest sampled rows."""
    n = len(x)
    sample = np.sort(np.random.default_rng(seed).choice(n, size=SAMPLE, replace=False))
    laid = map_coordinates(x[sample], seed)
    unit = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    anchors = unit[sample]
    out = np.empty((n, 2), np.float32)
    for start in range(0, n, BLOCK):
        sims = unit[start : start + BLOCK] @ anchors.T
        top = np.argpartition(-sims, PLACE_NEIGHBOURS - 1, axis=1)[:, :PLACE_NEIGHBOURS]
        weights = np.maximum(np.take_along_axis(sims, top, axis=1), 1e-6)
        out[start : start + BLOCK] = (weights[:, :, None] * laid[top]).sum(axis=1) / weights.sum(axis=1, keepdims=True)
    out[sample] = laid
    return np.round(out, 4)
