"""Features that say what a film is about: its story vector beside a view of its theme keywords.

Why two views (measured in bench/results/taxonomy.json and ../shared/notes/taxonomy-experiments.md):
the MiniLM sentence vector alone groups films by wording (14 of 130 keyword themes recovered);
TMDB's curated theme keywords are what makes themes cluster. The keyword view is TF-IDF over each
film's theme keywords (a whole keyword is one token), reduced by TruncatedSVD so that related
keywords ("heist", "bank robbery", "robbery") share dimensions, then L2-normalised and scaled by
``weight`` beside the L2-normalised story vector.

Films with few keywords would all sit near the origin of the keyword view and collapse into one
leftover group. Their keyword view is therefore blended with the mean view of their nearest
keyword-rich films in story space, in proportion to how much evidence they have of their own
(``min(1, keywords / full_evidence)``). The clusterer also fits on keyword-rich films only (see
``has_evidence``), so no group can be made of keyword-poor films.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.neighbors import NearestNeighbors

from indexer.features.vectors import nearest_to, normalize

RANDOM_STATE = 42
EXACT_FLOAT64_MAX = 10_000  # films: above, the keyword view's neighbours are searched in float32 blocks
MEAN_BLOCK = 8_192  # films at a time in the borrowed view's neighbour mean


def _tokens(keywords: list[str]) -> list[str]:
    return list(keywords)


@dataclass
class ThemeFeatures:
    """fit/transform: (story vectors, theme keyword lists) -> one feature row per film."""

    weight: float = 0.7
    svd_dim: int = 128
    min_keywords: int = 3  # a film with fewer is "keyword-poor"
    full_evidence: int = 5  # keywords at which a film's own keyword view counts fully
    neighbours: int = 10
    vectorizer_: TfidfVectorizer | None = field(default=None, init=False, repr=False)
    svd_: TruncatedSVD | None = field(default=None, init=False, repr=False)
    reference_view_: np.ndarray | None = field(default=None, init=False, repr=False)
    neighbours_: NearestNeighbors | None = field(default=None, init=False, repr=False)

    def known_keywords(self, keyword_lists: list[list[str]]) -> np.ndarray:
        """Per film, how many of its keywords the view knows (shared by >= 2 films).

        A keyword no other film has adds nothing to the view: a film with five unique
        keywords has as little evidence as one with none.
        """
        assert self.vectorizer_ is not None, "fit first"
        vocabulary = self.vectorizer_.vocabulary_
        return np.array([sum(1 for k in set(kws) if k in vocabulary) for kws in keyword_lists])

    def has_evidence(self, keyword_lists: list[list[str]]) -> np.ndarray:
        """Mask of keyword-rich films: the ones clusters are fitted on."""
        return self.known_keywords(keyword_lists) >= self.min_keywords

    def fit(self, vectors: np.ndarray, keyword_lists: list[list[str]]) -> ThemeFeatures:
        self.vectorizer_ = TfidfVectorizer(analyzer=_tokens, min_df=2, sublinear_tf=True)
        tfidf = self.vectorizer_.fit_transform(keyword_lists)
        dim = max(1, min(self.svd_dim, tfidf.shape[1] - 1, tfidf.shape[0] - 1))
        self.svd_ = TruncatedSVD(dim, random_state=RANDOM_STATE).fit(tfidf)
        rich = self.has_evidence(keyword_lists)
        if not rich.any():
            raise ValueError("no film has enough theme keywords to build the keyword view")
        self.reference_view_ = self._own_view(keyword_lists)[rich]
        self.neighbours_ = NearestNeighbors(n_neighbors=min(self.neighbours, int(rich.sum())), metric="cosine")
        self.neighbours_.fit(np.asarray(vectors, np.float64)[rich])
        return self

    def _own_view(self, keyword_lists: list[list[str]]) -> np.ndarray:
        assert self.vectorizer_ is not None and self.svd_ is not None, "fit first"
        return normalize(self.svd_.transform(self.vectorizer_.transform(keyword_lists)))

    def keyword_view(self, vectors: np.ndarray, keyword_lists: list[list[str]]) -> np.ndarray:
        """Each film's keyword view, blended with its story neighbours' by lack of evidence."""
        own = self._own_view(keyword_lists)
        assert self.neighbours_ is not None and self.reference_view_ is not None, "fit first"
        trust = np.minimum(1.0, self.known_keywords(keyword_lists) / self.full_evidence)[:, None]
        if len(vectors) > EXACT_FLOAT64_MAX:  # 25k films: 45 s of float64 pairwise distances; float32 blocks instead
            # Only films that borrow (trust < 1) need neighbours: the others' weight on them is 0.
            idx = np.zeros((len(vectors), self.neighbours_.n_neighbors), int)
            borrow = np.flatnonzero(trust[:, 0] < 1.0)
            fitted = self.neighbours_._fit_X  # the keyword-rich films' vectors it was fitted on
            idx[borrow] = nearest_to(normalize(np.asarray(vectors)[borrow]), normalize(fitted), self.neighbours_.n_neighbors)
        else:
            _, idx = self.neighbours_.kneighbors(np.asarray(vectors, np.float64))
        # The neighbours' mean view in blocks of rows: gathered whole, (films, neighbours, svd_dim)
        # float64 was 1 GB at 100k films, the run's peak. TMDB 5000 is one block.
        reference = self.reference_view_
        mean = np.concatenate([reference[idx[i : i + MEAN_BLOCK]].mean(axis=1) for i in range(0, len(idx), MEAN_BLOCK)])
        return normalize(trust * own + (1 - trust) * normalize(mean))

    def transform(self, vectors: np.ndarray, keyword_lists: list[list[str]]) -> np.ndarray:
        return np.hstack([normalize(vectors), self.weight * self.keyword_view(vectors, keyword_lists)])

    def fit_transform(self, vectors: np.ndarray, keyword_lists: list[list[str]]) -> np.ndarray:
        return self.fit(vectors, keyword_lists).transform(vectors, keyword_lists)


@dataclass
class StoryOnly:
    """The sentence vector alone: the pre-issue-10 method, kept as a measured baseline stage."""

    def has_evidence(self, keyword_lists: list[list[str]]) -> np.ndarray:
        return np.ones(len(keyword_lists), bool)

    def fit_transform(self, vectors: np.ndarray, keyword_lists: list[list[str]]) -> np.ndarray:
        return normalize(vectors)
