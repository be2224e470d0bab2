"""Planted-structure tests for each taxonomy stage: features, clusterer, hierarchy, labeller, metrics.

Each test builds a small synthetic catalogue whose right answer is known by construction, so a
stage that stops finding it fails here (no real data, no OpenSearch: the fast tier).
"""
from __future__ import annotations

import numpy as np
import pytest

from indexer import label, quality
from indexer.cluster import KMeansClusterer, merge_small, refine_by_label
from indexer.features import ThemeFeatures, normalize
from indexer.hierarchy import WardHierarchy, genre_profile
from indexer.taxonomy import Corpus, Taxonomy

THEMES = ["heist", "zombie", "vampire", "boxing", "wedding", "space station"]
GENRES = {"heist": ("Crime", "Thriller"), "zombie": ("Horror",), "vampire": ("Horror",), "boxing": ("Drama",),
          "wedding": ("Comedy", "Romance"), "space station": ("Science Fiction",)}


def planted(per_theme: int = 20, poor: int = 4, seed: int = 0) -> tuple[Corpus, np.ndarray]:
    """Films of six themes: story vectors near a theme centre, keywords from the theme's pool.

    The last ``poor`` films of each theme have no keywords at all (the keyword-poor case).
    Returns the corpus and the planted theme per film.
    """
    rng = np.random.default_rng(seed)
    centres = normalize(rng.normal(size=(len(THEMES), 32)))
    vectors, keywords, texts, genres, truth = [], [], [], [], []
    for t, theme in enumerate(THEMES):
        pool = [theme, f"{theme} crew", f"{theme} night", f"rival {t}", f"city {t}"]
        for j in range(per_theme):
            vectors.append(centres[t] + 0.1 * rng.normal(size=32))
            kws = [] if j >= per_theme - poor else [theme, *rng.choice(pool[1:], size=3, replace=False), "friendship"]
            keywords.append(kws)
            texts.append(" | ".join([f"a story about {theme}" if j % 2 == 0 else "a story", "", *kws]))
            genres.append(GENRES[theme])
            truth.append(t)
    return Corpus(normalize(np.array(vectors)), keywords, texts, genres), np.array(truth)


def purity(labels: np.ndarray, truth: np.ndarray) -> float:
    """Share of films whose group's majority theme is their own."""
    hits = 0
    for c in np.unique(labels):
        hits += np.bincount(truth[labels == c]).max()
    return hits / len(labels)


def test_features_borrow_keywords_for_keyword_poor_films_from_story_neighbours():
    corpus, truth = planted()
    feats = ThemeFeatures(weight=1.0, svd_dim=8, neighbours=5)
    view = feats.fit(corpus.vectors, corpus.keyword_lists).keyword_view(corpus.vectors, corpus.keyword_lists)
    poor = np.array([not k for k in corpus.keyword_lists])
    assert poor.sum() == 24 and not feats.has_evidence(corpus.keyword_lists)[poor].any()
    assert np.allclose(np.linalg.norm(view, axis=1), 1.0)  # nobody is left at the origin
    # a keyword-poor film's borrowed view is closest to its own theme's films
    rich_mean = np.stack([view[(truth == t) & ~poor].mean(axis=0) for t in range(len(THEMES))])
    assert (np.argmax(view[poor] @ rich_mean.T, axis=1) == truth[poor]).mean() >= 0.9
    x = feats.transform(corpus.vectors, corpus.keyword_lists)
    assert x.shape == (len(truth), 32 + view.shape[1])


def test_a_keyword_only_one_film_has_counts_as_no_evidence():
    corpus, _ = planted()
    corpus.keyword_lists[0] = ["unique-a", "unique-b", "unique-c", "unique-d"]
    feats = ThemeFeatures(svd_dim=8).fit(corpus.vectors, corpus.keyword_lists)
    assert feats.known_keywords(corpus.keyword_lists)[0] == 0 and not feats.has_evidence(corpus.keyword_lists)[0]


def test_clusterer_recovers_planted_themes_and_predicts_new_films():
    corpus, truth = planted()
    feats = ThemeFeatures(svd_dim=8).fit(corpus.vectors, corpus.keyword_lists)
    x = feats.transform(corpus.vectors, corpus.keyword_lists)
    clusterer = KMeansClusterer(k=6).fit(x, feats.has_evidence(corpus.keyword_lists))
    assert purity(clusterer.labels_, truth) >= 0.95
    assert (clusterer.predict(x) == clusterer.labels_).mean() >= 0.95


def test_merge_small_and_refine_by_label():
    x = np.array([[0.0], [0.1], [0.2], [5.0], [5.1], [9.0]])
    assert list(merge_small(np.array([0, 0, 0, 1, 1, 2]), x, min_size=2)) == [0, 0, 0, 1, 1, 1]
    labels = np.array([0, 0, 0, 1, 1, 1])
    phrases = [{"heist"}, {"heist"}, set(), {"zombie"}, {"heist"}, {"zombie"}]
    # film 4 carries group 0's label, not its own group's, and group 0 is among its 2 nearest
    refined = refine_by_label(labels, x, [{"heist"}, {"zombie"}], phrases, neighbours=2)
    assert list(refined) == [0, 0, 0, 1, 0, 1]
    assert list(refine_by_label(labels, x, [{"heist"}, {"zombie"}], phrases, neighbours=1)) == list(labels)


def test_hierarchy_merges_micro_genres_of_the_same_kind():
    rng = np.random.default_rng(1)
    kinds = 16
    centres = normalize(rng.normal(size=(kinds, 24)))
    micro = normalize(np.repeat(centres, 3, axis=0) + 0.05 * rng.normal(size=(kinds * 3, 24)))
    profiles = np.repeat(np.eye(kinds)[:, :8] + np.eye(kinds)[:, 8:].sum(axis=1, keepdims=True) * 0, 3, axis=0)
    h = WardHierarchy(n_range=range(15, 18)).fit(micro, profiles)
    macro = h.macro_of_micro_
    assert len(set(macro)) in (15, 16, 17) and len(h.curve_) == 3
    same_kind = [len(set(macro[3 * k : 3 * k + 3])) == 1 for k in range(kinds)]
    assert sum(same_kind) >= 14  # siblings stay together


def test_genre_profile_is_the_share_of_films_per_genre():
    prof = genre_profile([[0, 1], [2]], [("Drama",), ("Drama", "War"), ("Comedy",)], ["Comedy", "Drama", "War"])
    assert prof.tolist() == [[0.0, 1.0, 0.5], [1.0, 0.0, 0.0]]


def stats_of(corpus: Corpus) -> label.PhraseStats:
    return corpus.phrase_stats()


def test_labels_are_true_distinctive_and_never_glue_unrelated_phrases():
    corpus, truth = planted()
    groups = [list(np.flatnonzero(truth == t)) for t in range(len(THEMES))]
    named = label.PhraseLabeler().fit(groups, stats_of(corpus), np.zeros((6, 32))).named_
    fits = quality.label_fit(groups, [n.phrases for n in named], corpus.texts)
    for t, (n, fit) in enumerate(zip(named, fits)):
        assert THEMES[t] in " ".join(n.phrases) and fit >= 0.8, (n.label, fit)
        assert "friendship" not in n.phrases  # in every group: no lift, never a label
        assert 1 <= len(n.label.split()) <= 4 and n.label == label.title_case(n.label.lower()) or "-" in n.label
    assert len({n.label for n in named}) == len(named)
    assert named[4].label in {"Wedding Romance", "Wedding Comedy", "Wedding"}  # a genre word only when most share it


def test_two_phrases_only_when_carried_together_and_sensitive_topics_need_a_majority():
    texts = ["vampire | werewolf"] * 6 + ["vampire"] * 2 + ["suicide | lake"] * 3 + ["lake | boat"] * 7 + ["x"] * 40
    kws = [t.split(" | ") for t in texts]
    corpus = Corpus(np.zeros((len(texts), 2)), kws, texts, [("Horror",)] * 8 + [("Drama",)] * 10 + [("Comedy",)] * 40)
    stats = corpus.phrase_stats()
    options = label.micro_options(list(range(8)), stats)
    assert options[0].phrases == ("vampire", "werewolf")  # 75% carry both
    lake = label.micro_options(list(range(8, 18)), stats)
    assert all("suicide" not in o.phrases for o in lake)  # 30% carry it: not a name
    assert lake[0].phrases[0] == "lake"  # carried by all ten


def test_macro_options_must_be_true_of_most_micro_genres():
    genres = [("Romance", "Comedy")] * 20 + [("Romance", "Comedy")] * 20 + [("Horror",)] * 60
    texts = ["wedding"] * 20 + ["dating"] * 20 + ["ghost"] * 60
    corpus = Corpus(np.zeros((100, 2)), [t.split() for t in texts], texts, genres)
    options = label.macro_options([list(range(20)), list(range(20, 40))], corpus.phrase_stats())
    assert options[0].text == "Romantic Comedy"
    assert all(o.text != "Wedding" for o in options if o.score >= 0)  # true of one of two micro-genres only


def test_quality_metrics_on_known_groups():
    texts = ["heist | bank", "heist", "a bank job", "zombie", "zombie town", "quiet"]
    kws = [["heist", "bank"], ["heist"], [], ["zombie"], ["zombie"], []]
    groups = [[0, 1, 2], [3, 4, 5]]
    assert quality.label_fit(groups, [["heist"], ["zombie"]], texts) == pytest.approx([2 / 3, 2 / 3])
    assert quality.label_lift(groups, [["heist"], ["zombie"]], texts) == pytest.approx([2.0, 2.0])
    assert quality.coherence(groups, kws) == pytest.approx(2 / 3)
    assert not quality.carries("heisting", ["heist"])  # whole words only
    pairs = [quality.FanPair("A", "B", True), quality.FanPair("A", "C", False), quality.FanPair("A", "Z", True)]
    res = quality.fan_pair_results(pairs, {"A": 0, "B": 0, "C": 1}, {"A": 0, "B": 1, "C": 2})
    assert (res["held"], res["pairs"], res["missing"]) == (2, 2, ["A / Z"])


def test_taxonomy_composes_the_stages_and_accepts_another_clusterer():
    corpus, truth = planted()
    result = Taxonomy(features=ThemeFeatures(svd_dim=8), clusterer=KMeansClusterer(k=6),
                      hierarchy=WardHierarchy(n_range=range(2, 4))).fit(corpus)
    assert result.k == 6 and purity(result.labels, truth) >= 0.9
    assert len(result.macro) in (2, 3) and result.macro_of_micro.shape == (6,)
    # no group is made of keyword-poor films only
    assert all(any(corpus.keyword_lists[i] for i in g) for g in result.groups)
    bigger = Taxonomy(features=ThemeFeatures(svd_dim=8), clusterer=KMeansClusterer(k=12), min_size=1,
                      hierarchy=WardHierarchy(n_range=range(2, 4))).fit(corpus)
    assert bigger.k > result.k


def test_two_groups_of_one_name_are_told_apart_by_a_phrase_not_a_number():
    """Both groups are about family (their only phrase a third carry); the smaller one is
    named by what else its films share, not "Family 2". The qualifier adds no claim: the
    label's phrases stay "family"."""
    big = ["family | vacation"] * 4 + ["family"] * 8 + ["boat"] * 6
    small = ["family | dysfunctional"] * 2 + ["family"] * 3 + ["dysfunctional | wedding", "aunt", "aunt"] + [f"one{i}" for i in range(4)]
    rest = ["x"] * 200
    texts = big + small + rest
    corpus = Corpus(np.zeros((len(texts), 2)), [t.split(" | ") for t in texts], texts, [()] * len(texts))
    stats = corpus.phrase_stats()
    groups = [list(range(18)), list(range(18, 30))]
    chosen = label.PhraseLabeler.choose(groups, stats)
    assert chosen[0].text == "Family"
    assert chosen[1].text == "Family: Dysfunctional" and chosen[1].phrases == ("family",)
    assert chosen[1].score > 0  # still a named group: ``Taxonomy`` dissolves groups whose option scores 0


def test_a_number_only_when_no_phrase_tells_the_groups_apart():
    texts = ["family"] * 10 + ["family"] * 6 + ["x"] * 200
    corpus = Corpus(np.zeros((len(texts), 2)), [t.split(" | ") for t in texts], texts, [()] * len(texts))
    chosen = label.PhraseLabeler.choose([list(range(10)), list(range(10, 16))], corpus.phrase_stats())
    assert [c.text for c in chosen] == ["Family", "Family 2"]
