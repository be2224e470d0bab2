"""The micro-genre taxonomy as a pipeline of swappable stages, in the spirit of BERTopic.

    neighbours (film_space + nearest): each film's nearest films, read by both levels
    clusterer (KeywordThemes) -> labeler (PhraseLabeler): micro-genres
    themes (ShelfThemes): each film's macro theme, a facet beside its micro-genre
    features (ThemeFeatures): the space ``indexer add`` places new films in (and K-Means', the
    benchmark's comparison: ``Taxonomy(clusterer=KMeansClusterer(k=200), refine_rounds=1)``)

Each stage is a small object with an sklearn-like ``fit`` (and ``transform``/``predict`` where
it applies), so trying another clusterer or labeller is one argument:
``Taxonomy(clusterer=MyHDBSCAN(...)).fit(corpus)``. Everything here is pure: no I/O, no
OpenSearch; ``indexer.pipeline`` feeds it and stores what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from indexer.features.neighbours import SpaceCounts, film_space, nearest
from indexer.features.theme_features import ThemeFeatures
from indexer.features.vectors import normalize
from indexer.taxonomy import quality
from indexer.taxonomy.cluster import KMeansClusterer, merge_into_nearest, merge_small, refine_by_label
from indexer.taxonomy.franchise import franchises
from indexer.taxonomy.keyword_themes import FRANCHISE_MIN, KeywordThemes
from indexer.taxonomy.label import GENRE_HEADS, Named, Option, PhraseLabeler, PhraseStats, fallback_option, keyword_vocabulary, micro_options, phrases
from indexer.taxonomy.macro import ShelfThemes

NEIGHBOURS = 15  # each film's neighbourhood, itself included (measured: 15 and 25 fit alike, 50 worse)


@dataclass
class Corpus:
    """What the taxonomy reads of each film, in one order."""

    vectors: np.ndarray  # (n, 384) story embeddings, L2-normalized
    keyword_lists: list[list[str]]  # theme keywords (bookkeeping dropped)
    texts: list[str]  # grounding texts: keywords | overview | tagline, lower-cased
    genres: list[tuple[str, ...]]
    keyword_vectors: dict[str, np.ndarray] = field(default_factory=dict)  # theme keyword -> MiniLM vector
    titles: list[str] = field(default_factory=list)  # for the franchises (none: no film is in a series)
    stories: list[str] = field(default_factory=list)  # overviews: the themes a story names (none: keywords only)

    def __post_init__(self) -> None:
        self.texts = [t.lower() for t in self.texts]

    def phrase_stats(self) -> PhraseStats:
        vocabulary = keyword_vocabulary(self.keyword_lists)
        return PhraseStats([phrases(t, vocabulary) for t in self.texts], self.genres)


@dataclass
class TaxonomyResult:
    labels: np.ndarray  # micro-genre per film
    micro: list[Named]
    film_macro: np.ndarray  # macro theme per film (a facet of the film, not of its micro-genre)
    macro_of_micro: np.ndarray  # the macro theme most of each micro-genre's films have
    macro: list[Named]
    story_centroids: np.ndarray  # per micro-genre, in embedding space (normalized)
    feature_centroids: np.ndarray  # per micro-genre, in the clustering feature space
    features: np.ndarray  # per film, in the clustering feature space (computed once per run)
    label_fits: list[float]  # per micro-genre, the share of its films carrying its label (computed once per run)
    space: np.ndarray  # per film, its unit row in the neighbour space, float16 (indexer add's neighbours)
    space_counts: SpaceCounts  # the catalogue counts that space was built with

    @property
    def k(self) -> int:
        return len(self.micro)

    @property
    def groups(self) -> list[list[int]]:
        return groups_of(self.labels, self.k)

    @property
    def macro_groups(self) -> list[list[int]]:
        return groups_of(self.film_macro, len(self.macro))


def groups_of(labels: np.ndarray, k: int) -> list[list[int]]:
    members: list[list[int]] = [[] for _ in range(k)]
    for i, c in enumerate(labels):
        members[int(c)].append(i)
    return members


def centroids_of(x: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    return normalize(np.stack([x[g].mean(axis=0) if g else np.zeros(x.shape[1]) for g in groups]))


@dataclass
class Taxonomy:
    features: ThemeFeatures = field(default_factory=ThemeFeatures)
    clusterer: KeywordThemes | KMeansClusterer = field(default_factory=KeywordThemes)
    themes: ShelfThemes = field(default_factory=ShelfThemes)
    labeler: PhraseLabeler = field(default_factory=PhraseLabeler)
    neighbours: int = NEIGHBOURS
    min_size: int = FRANCHISE_MIN  # smaller groups are merged into their nearest neighbour (a tight keyword theme may hold 3 films)
    refine_rounds: int = 0  # label-guided reassignment between nearby groups (for K-Means' groups)
    refine_neighbours: int = 4
    dissolve_unnamed: bool = True  # groups no phrase describes join their nearest named group

    def fit(self, corpus: Corpus) -> TaxonomyResult:
        feats = self.features.fit_transform(corpus.vectors, corpus.keyword_lists)
        counts = SpaceCounts.of(corpus.keyword_lists, corpus.genres)
        space = film_space(corpus.vectors, corpus.keyword_lists, corpus.genres, corpus.keyword_vectors, counts)
        near = nearest(space, self.neighbours)
        space = normalize(space, space.dtype.type).astype(np.float16)  # for indexer add's neighbours: a quarter of float64's bytes
        labels = self.clusterer.group(corpus, feats, self.features.has_evidence(corpus.keyword_lists), near)
        labels = _compact(merge_small(labels, feats, self.min_size))
        stats = corpus.phrase_stats()
        for _ in range(self.refine_rounds):
            chosen = self.labeler.choose(*self._named(labels, corpus, stats))
            labels = refine_by_label(labels, feats, [set(c.phrases) for c in chosen], stats.movie_phrases, self.refine_neighbours)
            labels = _compact(merge_small(labels, feats, self.min_size))
        if self.dissolve_unnamed:
            labels = self._dissolve_unnamed(labels, feats, corpus, stats)
        k = int(labels.max()) + 1
        groups = groups_of(labels, k)
        story = centroids_of(corpus.vectors, groups)
        feature_centroids = np.stack([feats[g].mean(axis=0) for g in groups])
        _, _, options = self._named(labels, corpus, stats)
        micro = list(self.labeler.fit(groups, stats, story, options=options).named_)
        themes = self.themes.fit(corpus.genres, corpus.keyword_lists, near, franchises(corpus.titles, near))
        film_macro = themes.labels_
        macro_groups = groups_of(film_macro, len(themes.shelves_))
        shelves = [[Option(shelf.name, (), 1.0)] for shelf in themes.shelves_]
        macro = list(self.labeler.fit(macro_groups, stats, centroids_of(corpus.vectors, macro_groups), options=shelves).named_)
        fits = quality.label_fit(groups, [m.phrases for m in micro], corpus.texts)
        return TaxonomyResult(labels, micro, film_macro, majority(film_macro, groups), macro, story, feature_centroids, feats, fits, space, counts)

    def _named(self, labels: np.ndarray, corpus: Corpus, stats: PhraseStats) -> tuple[list[list[int]], PhraseStats, list[list[Option]]]:
        """The groups of ``labels`` with their label options: the clusterer's own names first
        (a keyword theme's name), then the labeller's c-TF-IDF options."""
        groups = groups_of(labels, int(labels.max()) + 1)
        own = self.clusterer.options(groups, corpus.keyword_lists, stats)
        return groups, stats, [first + (micro_options(g, stats) or fallback_option(g, stats)) for first, g in zip(own, groups)]

    def _dissolve_unnamed(self, labels: np.ndarray, feats: np.ndarray, corpus: Corpus, stats: PhraseStats, passes: int = 3) -> np.ndarray:
        """A group that no phrase describes (none carried by a third of its films) is not a
        micro-genre: its films join their nearest named group. Repeated, since moving films
        changes what the receiving groups carry."""
        for _ in range(passes):
            chosen = self.labeler.choose(*self._named(labels, corpus, stats))
            named = np.array([c for c, option in enumerate(chosen) if option.score > 0])
            if len(named) == len(chosen):
                break
            labels = _compact(merge_into_nearest(labels, feats, named))
        return labels


def majority(film_labels: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """Per group, the label most of its films have (ties: the lower label)."""
    return np.array([int(np.bincount(film_labels[g]).argmax()) if g else 0 for g in groups], int)


def _compact(labels: np.ndarray) -> np.ndarray:
    """Renumber labels 0..n-1 in order of first use, so no id is empty."""
    _, inverse = np.unique(labels, return_inverse=True)
    return inverse.astype(int)


def report(result: TaxonomyResult, corpus: Corpus) -> dict:
    """The honest measures of ``result`` (see ``indexer.taxonomy.quality``)."""
    groups = result.groups
    summary = quality.summary(groups, [m.phrases for m in result.micro], corpus.texts, corpus.keyword_lists, fits=result.label_fits)
    sample = np.random.default_rng(0).choice(len(corpus.vectors), size=min(3000, len(corpus.vectors)), replace=False)
    from sklearn.metrics import silhouette_score

    summary["silhouette_embedding"] = round(float(silhouette_score(corpus.vectors[sample], result.labels[sample], metric="cosine")), 4)
    summary["keyword_poor_groups"] = int(sum(all(len(corpus.keyword_lists[i]) < 2 for i in g) for g in groups))
    summary["macro_themes"] = len(result.macro)
    summary["genre_word_truth"] = quality.genre_word_truth(groups, [m.label for m in result.micro], corpus.genres, GENRE_HEADS)
    return summary
