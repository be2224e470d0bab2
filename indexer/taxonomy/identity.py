"""Persistent ids for micro-genres and macro themes across reindexes (issue 16). Pure.

Why: every run numbers its groups 0..k-1 afresh, so a shared ``/micro-genres/42`` could name
another group tomorrow. Here the new groups are matched to the previous run's by one Hungarian
assignment (``linear_sum_assignment``) on story-centroid cosine plus member overlap (Jaccard of
film ids); a pair counts only above a similarity threshold. Matched groups keep their id,
unmatched ones get ids above the highest ever used (ids are never reused), and every retired id
names its nearest successor (most of its old films, else the nearest centroid) so old links and
filters still resolve.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

MIN_COSINE = 0.9  # centroids this close name the same theme even if members moved
MIN_JACCARD = 0.3  # ... or this share of the films is shared
KEEP_LABEL_FIT = 1 / 3  # an old label is kept while at least this share of the new members carries it


@dataclass(frozen=True)
class Generation:
    """One run's groups: persistent ids, story centroids (L2-normalised), member film ids."""

    ids: list[int]
    centroids: np.ndarray
    members: list[frozenset[int]]


@dataclass
class Matching:
    """The outcome: a persistent id per new group, and what happened to the old ones."""

    ids: list[int]  # persistent id of new group i
    kept: dict[int, int] = field(default_factory=dict)  # new group index -> the old id it keeps
    retired: dict[int, int] = field(default_factory=dict)  # old id -> successor's persistent id
    max_id: int = -1  # highest id ever used, including this run's


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def similarity(old: Generation, centroids: np.ndarray, members: list[frozenset[int]]) -> tuple[np.ndarray, np.ndarray]:
    """(cosine, jaccard) matrices, old groups x new groups."""
    cos = np.asarray(old.centroids, np.float64) @ np.asarray(centroids, np.float64).T
    jac = np.array([[jaccard(a, b) for b in members] for a in old.members]).reshape(len(old.members), len(members))
    return cos, jac


def match(
    old: Generation | None,
    centroids: np.ndarray,
    members: list[frozenset[int]],
    max_used: int = -1,
    min_cosine: float = MIN_COSINE,
    min_jaccard: float = MIN_JACCARD,
) -> Matching:
    """Give each new group a persistent id (see the module docstring).

    ``max_used`` is the highest id any earlier run handed out (from the registry), so an id
    retired long ago is never handed out again.
    """
    n = len(members)
    if old is None or not old.ids:
        return Matching(ids=[max_used + 1 + i for i in range(n)], max_id=max_used + n)
    cos, jac = similarity(old, centroids, members)
    allowed = (cos >= min_cosine) | (jac >= min_jaccard)
    score = np.where(allowed, cos + 2 * jac, -1e6)  # overlap of actual films weighs most
    rows, cols = linear_sum_assignment(score, maximize=True)
    kept = {int(c): old.ids[r] for r, c in zip(rows, cols) if allowed[r, c]}
    next_id = max(max_used, max(old.ids)) + 1
    ids = []
    for i in range(n):
        if i in kept:
            ids.append(kept[i])
        else:
            ids.append(next_id)
            next_id += 1
    taken = set(kept.values())
    retired = {}
    for r, old_id in enumerate(old.ids):
        if old_id in taken:
            continue
        shared = np.array([len(old.members[r] & m) for m in members])
        successor = int(np.argmax(shared)) if shared.max() > 0 else int(np.argmax(cos[r]))
        retired[old_id] = ids[successor]
    return Matching(ids=ids, kept=kept, retired=retired, max_id=next_id - 1)


def resolve(retired: dict[int, int], group_id: int, live: set[int], limit: int = 100) -> int | None:
    """Follow successors from ``group_id`` to a live id (None when the chain ends nowhere)."""
    seen = 0
    while group_id not in live:
        if group_id not in retired or seen >= limit:
            return None
        group_id, seen = retired[group_id], seen + 1
    return group_id


NUMBERED = re.compile(r"^(.+) \d+$")


def _renumbered(old: str | None, new: str) -> bool:
    """Is ``old`` a numbered name ("Family Drama 2") whose group is now told apart by a phrase
    ("Family Drama: Dysfunctional")? Then the better name replaces it, stability or not."""
    numbered = NUMBERED.match(old or "")
    return numbered is not None and new.lower().startswith(numbered.group(1).lower() + ":")


def keep_labels(new_labels: list[str], old_labels: list[str | None], old_fits: list[float | None]) -> list[bool]:
    """Which groups keep their previous label: matched, still fitting, and not clashing.

    ``old_labels[i]`` is the label group i had (None when unmatched), ``old_fits[i]`` that
    label's fit on the new members. A kept label that another group now carries as its fresh
    label would make two groups share a name, so the keeper falls back to its fresh label;
    repeated until no clash remains (labels must stay unique).
    """
    keep = [
        old is not None and fit is not None and fit >= KEEP_LABEL_FIT and not _renumbered(old, new)
        for old, new, fit in zip(old_labels, new_labels, old_fits)
    ]
    while True:
        fresh = {new_labels[i].lower() for i, k in enumerate(keep) if not k}
        clash = [i for i, k in enumerate(keep) if k and (old_labels[i] or "").lower() in fresh]  # kept: never None
        if not clash:
            return keep
        for i in clash:
            keep[i] = False
