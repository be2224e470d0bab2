"""Macro themes: micro-genres merged by what they are about and what kind of film they are.

Why these features: the micro-genre centroid in the theme feature space says what its films are
about; the TMDB genre profile (share of films per genre) says what kind of film they are, which
is how people name broad themes ("Romantic Comedy", "War"). Centroids alone put two heist films
or two westerns under different themes (../shared/notes/taxonomy-experiments.md).

Why Ward linkage: average linkage chained 71 of 150 micro-genres into one theme; Ward merges the
pair that adds the least within-theme variance, which keeps themes compact and of similar size,
and every micro-genre joins the theme it resembles most. The number of themes (15-30) maximizes
the silhouette of the merge on the same features.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.metrics import silhouette_score

from indexer.features import normalize

MACRO_RANGE = range(15, 31)


def genre_profile(groups: list[list[int]], genres: list[tuple[str, ...]], vocabulary: list[str]) -> np.ndarray:
    """(groups, genres) matrix: share of each group's films having each genre."""
    index = {g: j for j, g in enumerate(vocabulary)}
    out = np.zeros((len(groups), len(vocabulary)))
    for r, members in enumerate(groups):
        for i in members:
            for g in genres[i]:
                out[r, index[g]] += 1
        out[r] /= max(len(members), 1)
    return out


@dataclass
class WardHierarchy:
    """fit(centroids, profiles) -> ``macro_of_micro_`` (a macro id per micro-genre) and a curve."""

    genre_weight: float = 2.0
    n_range: range = MACRO_RANGE
    macro_of_micro_: np.ndarray | None = field(default=None, init=False)
    curve_: list[dict] = field(default_factory=list, init=False)

    def features(self, centroids: np.ndarray, profiles: np.ndarray) -> np.ndarray:
        return np.hstack([normalize(centroids), self.genre_weight * normalize(profiles)])

    def fit(self, centroids: np.ndarray, profiles: np.ndarray) -> "WardHierarchy":
        z = self.features(centroids, profiles)
        best: tuple[float, np.ndarray] | None = None
        self.curve_ = []
        for n in self.n_range:
            if n >= len(z):
                break
            labels = AgglomerativeClustering(n_clusters=n, linkage="ward").fit_predict(z)
            score = float(silhouette_score(z, labels))
            self.curve_.append({"n_macro": n, "silhouette": round(score, 4)})
            if best is None or score > best[0]:
                best = (score, labels)
        self.macro_of_micro_ = best[1] if best else np.zeros(len(z), int)
        return self
