"""Recommendations from a set of liked films that keep every taste in the set, not their average.

The mean of the liked vectors is a point between the tastes: someone who liked two space
operas and a courtroom drama gets films that are a bit of both and neither. Here the liked
films are first grouped by similarity (``group_liked``), each group asks the k-NN index for
its own nearest films (one ``_msearch``), and the answer interleaves the groups in proportion
to how many liked films each holds. The page shows each group as its own row ("because you
liked ..."). The measured effect is in ``bench/recommend.py`` and docs/explorer.md.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from opensearchpy import OpenSearch

from mgm.client import stored_vectors
from webapp.api.errors import ApiError
from webapp.api.msearch import msearch
from webapp.api.params import Filters
from webapp.explore import search

# A liked film joins a group when its cosine to the group's mean is at least this. Measured on
# the index (400 random films; 120 title-matched franchises): random pairs have a median cosine
# of 0.18 and a 99th percentile of 0.41; films of one franchise a median of 0.55, a 25th
# percentile of 0.46.
GROUP_COSINE = 0.45
METHODS = ("diverse", "mean")


def _unit(v: np.ndarray) -> np.ndarray:
    return v / (np.linalg.norm(v) or 1.0)


def group_liked(vectors: list[np.ndarray]) -> list[list[int]]:
    """Greedy grouping, in order: a film joins the group whose mean it is most similar to
    (cosine >= ``GROUP_COSINE``), else starts a new one. Returns indices into ``vectors``,
    largest group first (ties: the earliest liked first)."""
    groups: list[list[int]] = []
    means: list[np.ndarray] = []
    for i, v in enumerate(vectors):
        u = _unit(np.asarray(v, dtype=np.float64))
        sims = [float(u @ _unit(m)) for m in means]
        best = int(np.argmax(sims)) if sims else -1
        if best >= 0 and sims[best] >= GROUP_COSINE:
            groups[best].append(i)
            means[best] = means[best] + u
        else:
            groups.append([i])
            means.append(u.copy())
    return sorted(groups, key=lambda g: (-len(g), g[0]))


def interleave(rows: list[list[int]], weights: list[int], size: int) -> list[int]:
    """Merge ranked id lists, giving each a share of the ``size`` slots proportional to its
    weight (the next slot goes to the row furthest below its share); duplicates are skipped."""
    out: list[int] = []
    taken = [0] * len(rows)
    cursor = [0] * len(rows)
    while len(out) < size:
        open_rows = [r for r in range(len(rows)) if cursor[r] < len(rows[r])]
        if not open_rows:
            break
        r = min(open_rows, key=lambda r: (taken[r] / weights[r], r))
        movie = rows[r][cursor[r]]
        cursor[r] += 1
        if movie not in out:
            out.append(movie)
            taken[r] += 1
    return out


def recommend(client: OpenSearch, index: str, liked: list[int], size: int, method: str = "diverse") -> dict[str, Any]:
    """Films for someone who liked ``liked`` (never one of them).

    ``method="mean"`` is the former behaviour (nearest to the mean liked vector), kept as the
    measured baseline. Unknown liked ids are a 404 naming ``liked``.
    """
    if method not in METHODS:
        raise ApiError(f"method must be one of {', '.join(METHODS)}", field="method")
    found = stored_vectors(client, index, liked)
    missing = [i for i in liked if i not in found]
    if missing:
        raise ApiError(f"unknown movie id(s): {missing}", field="liked", status=404)
    vectors = [np.asarray(found[i], dtype=np.float64) for i in liked]
    groups = group_liked(vectors) if method == "diverse" else [list(range(len(liked)))]
    searches = []
    for g in groups:
        mean = _unit(np.sum([_unit(vectors[i]) for i in g], axis=0))
        searches.append((index, search.similar_body(mean.tolist(), liked, Filters(), size)))
    responses = msearch(client, searches, "a recommendation query")
    rows: list[dict[str, Any]] = []
    by_id: dict[int, dict[str, Any]] = {}
    for g, resp in zip(groups, responses):
        hits = [search.shape_hit(h) for h in resp["hits"]["hits"]]
        by_id.update((h["id"], h) for h in hits)
        rows.append({"because": [liked[i] for i in g], "results": hits})
    merged = interleave([[h["id"] for h in row["results"]] for row in rows], [len(g) for g in groups], size)
    return {"liked": liked, "method": method, "rows": rows, "results": [by_id[i] for i in merged]}
