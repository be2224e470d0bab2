"""Taxonomy quality, before and after, in one run: `python -m bench taxonomy`.

"Before" is the pre-issue-10 method rebuilt from today's stages: the sentence vector alone
(``StoryOnly``), K-Means with k = 150 on every film, no merging, refinement or dissolving, and the same
labeller (so the difference measured is the grouping). "After" is the production taxonomy.
Both are scored by ``indexer.quality`` on the same films, plus the hand-written fan pairs in
bench/fan_pairs.json (judged on macro themes). The curve over the keyword-view weight and k
(one K-Means restart each) is how the production defaults were chosen.
"""
from __future__ import annotations

import json
import time
from pathlib import Path


from indexer import quality
from indexer.cluster import KMeansClusterer
from indexer.embed import CACHE_FILE, EmbeddingCache
from indexer.features import StoryOnly, ThemeFeatures
from indexer.load import load_movies
from indexer.pipeline import DEFAULT_K, corpus_of
from indexer.taxonomy import Corpus, Taxonomy, TaxonomyResult, report
from indexer.text import embedding_text
from mgm.model import cache_namespace, encode, model_for
from mgm.settings import Settings

PAIRS = Path(__file__).with_name("fan_pairs.json")
CURVE_WEIGHTS = (0.5, 0.7, 1.0)
CURVE_K = (150, 200, 250)
TARGETS = {"label_fit_mean": 0.75, "label_fit_below_0_3": 10, "lift_median": 10, "theme_recovery": 50, "fan_pairs_share": 0.9}


def fan_pairs() -> list[quality.FanPair]:
    data = json.loads(PAIRS.read_text())
    return [quality.FanPair(a, b, True, why) for a, b, why in data["together"]] + [
        quality.FanPair(a, b, False, why) for a, b, why in data["apart"]
    ]


def score(result: TaxonomyResult, corpus: Corpus, titles: list[str], seconds: float) -> dict:
    out = report(result, corpus)
    macro = {t: int(result.macro_of_micro[result.labels[i]]) for i, t in enumerate(titles)}
    micro = {t: int(result.labels[i]) for i, t in enumerate(titles)}
    out["fan_pairs"] = quality.fan_pair_results(fan_pairs(), macro, micro)
    out["seconds"] = round(seconds, 1)
    return out


def _fit(taxonomy: Taxonomy, corpus: Corpus, titles: list[str]) -> tuple[TaxonomyResult, dict]:
    start = time.perf_counter()
    result = taxonomy.fit(corpus)
    return result, score(result, corpus, titles, time.perf_counter() - start)


def examples(result: TaxonomyResult, corpus: Corpus, titles: list[str], votes: list[int]) -> dict:
    """What a reader checks by eye: largest micro-genres, every macro theme, weakest labels."""
    groups = result.groups
    fits = quality.label_fit(groups, [m.phrases for m in result.micro], corpus.texts)
    famous = [[titles[i] for i in sorted(g, key=lambda i: -votes[i])] for g in groups]
    largest = sorted(range(result.k), key=lambda c: -len(groups[c]))[:20]
    weakest = sorted(range(result.k), key=lambda c: fits[c])[:10]
    macros = []
    for m, named in enumerate(result.macro):
        members = sorted((c for c in range(result.k) if result.macro_of_micro[c] == m), key=lambda c: -len(groups[c]))
        macros.append({"label": named.label, "micro_genres": [result.micro[c].label for c in members]})

    def row(c: int) -> dict:
        return {"label": result.micro[c].label, "size": len(groups[c]), "fit": round(fits[c], 2), "films": famous[c][:5]}

    return {"largest": [row(c) for c in largest], "macro_themes": macros, "weakest": [row(c) for c in weakest]}


def run(settings: Settings) -> dict:
    movies = load_movies(settings.movies_csv).movies
    model = model_for(settings)
    x, _ = EmbeddingCache(settings.cache_dir / CACHE_FILE, cache_namespace(settings), lambda b: encode(model, b)).embed([embedding_text(m) for m in movies])
    corpus, titles = corpus_of(movies, x), [m.title for m in movies]
    before = Taxonomy(features=StoryOnly(), clusterer=KMeansClusterer(k=150), refine_rounds=0, min_size=1, dissolve_unnamed=False)
    _, before_scores = _fit(before, corpus, titles)
    after_result, after_scores = _fit(Taxonomy(clusterer=KMeansClusterer(k=DEFAULT_K)), corpus, titles)
    curve = []
    for weight in CURVE_WEIGHTS:
        for k in CURVE_K:
            _, s = _fit(Taxonomy(features=ThemeFeatures(weight=weight), clusterer=KMeansClusterer(k=k, n_init=1)), corpus, titles)
            curve.append({"weight": weight, "k": k, **{key: s[key] for key in ("groups", "label_fit_mean", "label_fit_below_0_3", "lift_median", "theme_recovery", "coherence")},
                          "fan_pairs_held": s["fan_pairs"]["held"]})
    return {
        "films": len(movies),
        "targets": TARGETS,
        "before": before_scores,
        "after": after_scores,
        "curve": curve,
        "examples": examples(after_result, corpus, titles, [m.vote_count for m in movies]),
    }
