"""2-D coordinates of every film for the movie map, from the embedding vectors. Pure function.

t-SNE (scikit-learn, already a dependency) rather than UMAP: UMAP would add numba and llvmlite
to the install and a JIT warm-up to every run. The vectors are first reduced to
``PCA_DIMS`` with PCA, which keeps the neighbourhoods t-SNE preserves and cuts its time;
the seed fixes the layout for a given set of vectors, so a reindex of the same data draws
the same map.
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


def map_coordinates(vectors: np.ndarray, seed: int = SEED) -> np.ndarray:
    """One (x, y) per row of ``vectors``, scaled into [-1, 1] on the longer axis, rounded to 4 places.

    Fewer than 3 rows cannot be laid out by t-SNE; they are placed on a line so the map still
    draws.
    """
    n = len(vectors)
    if n < 3:
        return np.round(np.column_stack([np.linspace(-1, 1, n) if n > 1 else np.zeros(n), np.zeros(n)]), 4)
    x = np.asarray(vectors, dtype=np.float32)
    dims = min(PCA_DIMS, n - 1, x.shape[1])
    reduced = PCA(n_components=dims, random_state=seed).fit_transform(x)
    perplexity = min(PERPLEXITY, (n - 1) / 3)
    xy = TSNE(n_components=2, perplexity=perplexity, init="pca", metric="cosine", random_state=seed,
                max_iter=MAX_ITER, angle=ANGLE, n_jobs=1).fit_transform(reduced)
    xy -= xy.mean(axis=0)
    scale = np.abs(xy).max() or 1.0
    return np.round(xy / scale, 4)
