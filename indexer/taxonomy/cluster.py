"""K-Means micro-genres (the method before issue 21, kept as the benchmark's comparison) and the
group-moving helpers the taxonomy shares.

K-Means on the theme features, fitted on films with evidence, then extended.

Why fit on keyword-rich films only: keyword-poor films carry a borrowed keyword view
(``indexer.features.theme_features``); letting them shape centroids recreated a leftover group of films that
share nothing but missing data. Fitting on the rest and assigning them with ``predict`` puts
each into the group its story and borrowed keywords resemble most.

K-Means runs on float64: scikit-learn's k-means++ upcasts float32 chunk by chunk, which made it
3x slower here. k is a setting chosen by measurement (``python -m bench taxonomy`` sweeps it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.cluster import KMeans

RANDOM_STATE = 42


@dataclass
class KMeansClusterer:
    """fit(features, fit_mask) -> labels_; predict(features) -> nearest centroid."""

    k: int = 150
    n_init: int = 3
    random_state: int = RANDOM_STATE
    model_: KMeans | None = field(default=None, init=False, repr=False)
    labels_: np.ndarray | None = field(default=None, init=False, repr=False)

    def fit(self, features: np.ndarray, fit_mask: np.ndarray | None = None) -> KMeansClusterer:
        features = np.asarray(features, np.float64)
        mask = np.ones(len(features), bool) if fit_mask is None else np.asarray(fit_mask, bool)
        if mask.sum() < self.k:
            mask = np.ones(len(features), bool)  # tiny catalogues: every film must help
        k = min(self.k, len(features))
        self.model_ = KMeans(n_clusters=k, init="k-means++", n_init=self.n_init, random_state=self.random_state)
        self.model_.fit(features[mask])
        labels = self.model_.predict(features)
        labels[mask] = self.model_.labels_
        self.labels_ = labels
        return self

    def group(self, corpus, features: np.ndarray, evidence: np.ndarray, near: np.ndarray) -> np.ndarray:
        """The taxonomy's clusterer interface (``indexer.taxonomy.keyword_themes.KeywordThemes`` is the other)."""
        labels = self.fit(features, evidence).labels_
        assert labels is not None
        return labels

    def options(self, groups: list[list[int]], keyword_lists: list[list[str]], stats) -> list[list]:
        """No names of its own: the labeller's c-TF-IDF options name the groups."""
        return [[] for _ in groups]

    def predict(self, features: np.ndarray) -> np.ndarray:
        assert self.model_ is not None, "fit first"
        return self.model_.predict(np.asarray(features, np.float64))

    @property
    def centroids_(self) -> np.ndarray:
        assert self.model_ is not None, "fit first"
        return self.model_.cluster_centers_


def merge_small(labels: np.ndarray, features: np.ndarray, min_size: int) -> np.ndarray:
    """Move the films of groups smaller than ``min_size`` to the nearest larger group.

    A "micro-genre" of two films is a coincidence, not a genre; K-Means leaves a few when it
    fits on keyword-rich films only.
    """
    sizes = np.bincount(labels)
    return merge_into_nearest(labels, features, np.flatnonzero(sizes >= min_size))


def merge_into_nearest(labels: np.ndarray, features: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Films of every group not in ``keep`` move to the nearest kept group's centroid."""
    labels = labels.copy()
    keep = np.asarray(keep, int)
    if len(keep) == 0 or len(keep) == len(np.unique(labels)):
        return labels
    centroids = np.stack([features[labels == c].mean(axis=0) for c in keep])
    moving = ~np.isin(labels, keep)
    labels[moving] = keep[np.argmin(sq_distances(features[moving], centroids), axis=1)]
    return labels


def refine_by_label(
    labels: np.ndarray, features: np.ndarray, label_phrases: list[set[str]], movie_phrases: list[set[str]], neighbours: int = 3
) -> np.ndarray:
    """Let each film join, among its ``neighbours`` nearest groups, the nearest whose label it carries.

    Why: K-Means draws borders by distance alone, so a heist film can sit one centroid over from
    the heist group. Moving it only between nearby groups keeps the geometry while making each
    label true of more of its films; label fit is then measured on the result, not assumed.
    """
    k = int(labels.max()) + 1
    centroids = np.stack([features[labels == c].mean(axis=0) for c in range(k)])
    nearest = np.argsort(sq_distances(features, centroids), axis=1)[:, :neighbours]
    out = labels.copy()
    for i, candidates in enumerate(nearest):
        if label_phrases[labels[i]] & movie_phrases[i]:
            continue  # already carries its own group's label
        for c in candidates:
            if _carries_label(movie_phrases[i], label_phrases[c]):
                out[i] = c
                break
    return out


def _carries_label(film: set[str], label: set[str]) -> bool:
    """A film joins a group for its label: every phrase of a two-phrase label, the one of a single."""
    return bool(label) and label <= film


def sq_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(len(a), len(b)) squared Euclidean distances, without the (a, b, dim) intermediate."""
    return (a**2).sum(axis=1)[:, None] - 2 * a @ b.T + (b**2).sum(axis=1)[None, :]
