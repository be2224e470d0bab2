"""Vector math both the feature view and the neighbour search use: unit rows and blocked nearest rows.

Pure numpy, no project import: ``theme_features`` (the keyword view borrows from story
neighbours) and ``neighbours`` (the film space) both build on it, so neither imports the other.
"""

from __future__ import annotations

import numpy as np

CHUNK = 2048
BLOCK_CELLS = 1 << 24  # similarities per block at most: argpartition's int64 answer is 8 bytes a cell


def normalize(x: np.ndarray, dtype: type[np.floating] = np.float64) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), computed in ``dtype``."""
    x = np.asarray(x, dtype)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), dtype(1e-12))


def nearest_to(queries: np.ndarray, reference: np.ndarray, k: int) -> np.ndarray:
    """(queries, k): for each row of ``queries``, its ``k`` most similar rows of ``reference`` by
    dot product (cosine on unit rows), in no order; float32, in blocks of ``BLOCK_CELLS``
    similarities at most (2,048 rows up to 8,192 references, as it always was; at 25k films
    2,048-row blocks took the run to 2.6 GB)."""
    queries = np.asarray(queries, np.float32)
    reference = np.asarray(reference, np.float32)
    k = min(k, len(reference))
    out = np.empty((len(queries), k), int)
    chunk = max(1, min(CHUNK, BLOCK_CELLS // max(len(reference), 1)))
    for start in range(0, len(queries), chunk):
        sims = queries[start : start + chunk] @ reference.T
        np.negative(sims, out=sims)
        out[start : start + chunk] = np.argpartition(sims, k - 1, axis=1)[:, :k]
    return out
