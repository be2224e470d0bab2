"""Relevance of keyword, semantic and hybrid search on hand-written judged queries.

``bench/relevance.json`` holds plot queries (one expected film each, described in our own
words) and theme queries (relevant = the movie carries a TMDB keyword). Every mode is run
with the exact query the app sends (``webapp.search.main_query``); hybrid is run once per
fusion setting through a temporary search pipeline, so settings can be compared without
touching the app's pipeline. Metrics, all at cut-off 10:

- MRR@10: mean of 1/rank of the first relevant hit (0 when none in the top 10);
- recall@10: relevant hits in the top 10 / min(number relevant, 10), so a theme with 50
  tagged films can still reach 1.0.

To keep the choice honest the fusion setting is also picked on half of the queries and
scored on the other half (``holdout``).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mgm.client import make_client
from mgm.model import encode, load_model
from mgm.settings import Settings
from webapp.explorer import PIPELINE_DIR, HYBRID_PIPELINE
from webapp.params import SearchParams
from webapp.search import main_query

JUDGEMENTS = Path(__file__).with_name("relevance.json")
CUTOFF = 10


def _min_max(weights: tuple[float, float]) -> dict[str, Any]:
    return {"normalization-processor": {"normalization": {"technique": "min_max"},
                                        "combination": {"technique": "arithmetic_mean", "parameters": {"weights": list(weights)}}}}


def _l2(weights: tuple[float, float]) -> dict[str, Any]:
    return {"normalization-processor": {"normalization": {"technique": "l2"},
                                        "combination": {"technique": "arithmetic_mean", "parameters": {"weights": list(weights)}}}}


def _rrf(k: int) -> dict[str, Any]:
    return {"score-ranker-processor": {"combination": {"technique": "rrf", "rank_constant": k}}}


# Weights are (keyword, semantic).
FUSIONS: dict[str, dict[str, Any]] = {
    **{f"min_max {w:.1f}/{1 - w:.1f}": _min_max((w, round(1 - w, 1))) for w in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)},
    **{f"l2 {w:.1f}/{1 - w:.1f}": _l2((w, round(1 - w, 1))) for w in (0.3, 0.5, 0.7)},
    # RRF only at rank_constant 60: OpenSearch 2.19.1 ignores other values (neural-search
    # issue #1418, fixed after 2.19), so k=10 and k=60 gave identical rankings here.
    "rrf k=60": _rrf(60),
}


def load_judgements(path: Path = JUDGEMENTS) -> list[dict[str, Any]]:
    data = json.loads(path.read_text())
    plots = [dict(q, kind="plot") for q in data["plot"]]
    themes = [dict(q, kind="theme") for q in data["theme"]]
    return plots + themes


def metrics(hits: list[dict[str, Any]], judged: dict[str, Any], n_relevant: int) -> tuple[float, float]:
    """(reciprocal rank, capped recall) of one ranked list at ``CUTOFF``."""
    if judged["kind"] == "plot":
        expected = set(judged["expected"])
        relevant = [h["id"] in expected for h in hits[:CUTOFF]]
    else:
        relevant = [judged["keyword"] in h.get("keywords", []) for h in hits[:CUTOFF]]
    rr = next((1.0 / (i + 1) for i, ok in enumerate(relevant) if ok), 0.0)
    return rr, sum(relevant) / max(1, min(n_relevant, CUTOFF))


def _summary(per_query: list[tuple[float, float]]) -> dict[str, float]:
    n = len(per_query) or 1
    return {"mrr@10": round(sum(r for r, _ in per_query) / n, 4), "recall@10": round(sum(c for _, c in per_query) / n, 4)}


def run(settings: Settings) -> dict[str, Any]:
    client = make_client(settings, timeout=60)
    judgements = load_judgements()
    model = load_model(settings.model_dir, settings.embed_backend, settings.cache_dir)
    vectors = encode(model, [j["q"] for j in judgements])
    n_relevant = []
    for j in judgements:
        if j["kind"] == "plot":
            n_relevant.append(len(j["expected"]))
        else:
            body = {"query": {"term": {"keywords": j["keyword"]}}, "size": 0, "track_total_hits": True}
            n_relevant.append(client.search(index=settings.index_alias, body=body)["hits"]["total"]["value"])

    def evaluate(mode: str, pipeline: dict[str, Any] | None) -> list[tuple[float, float]]:
        scores = []
        for j, vec, n in zip(judgements, vectors, n_relevant):
            params = SearchParams(q=j["q"], mode=mode, size=CUTOFF)
            body: dict[str, Any] = {"query": main_query(params, vec.tolist()), "size": CUTOFF, "_source": ["id", "keywords"]}
            if pipeline is not None:
                body["search_pipeline"] = {"phase_results_processors": [pipeline]}
            hits = [h["_source"] for h in client.search(index=settings.index_alias, body=body)["hits"]["hits"]]
            scores.append(metrics(hits, j, n))
        return scores

    runs = {"keyword": evaluate("keyword", None), "semantic": evaluate("semantic", None)}
    for name, processor in FUSIONS.items():
        runs[f"hybrid {name}"] = evaluate("hybrid", processor)
    app_pipeline = json.loads((PIPELINE_DIR / f"{HYBRID_PIPELINE}.json").read_text())["phase_results_processors"][0]
    app_name = next((f"hybrid {n}" for n, p in FUSIONS.items() if p == app_pipeline), None)

    kinds = [j["kind"] for j in judgements]
    table = {}
    for name, scores in runs.items():
        row = _summary(scores)
        for kind in ("plot", "theme"):
            row[kind] = _summary([s for s, k in zip(scores, kinds) if k == kind])
        table[name] = row

    # Hold-out check: choose the fusion on even-numbered queries, score it on odd ones.
    def half(scores, parity):
        return _summary([s for i, s in enumerate(scores) if i % 2 == parity])

    fusion_names = [n for n in runs if n.startswith("hybrid ")]
    tuned = max(fusion_names, key=lambda n: half(runs[n], 0)["mrr@10"])
    holdout = {"chosen_on_even_queries": tuned, **{n: half(runs[n], 1) for n in ("keyword", "semantic", tuned)}}

    best_single = max(table["keyword"]["mrr@10"], table["semantic"]["mrr@10"])
    return {
        "queries": {"plot": kinds.count("plot"), "theme": kinds.count("theme")},
        "index_alias": settings.index_alias,
        "app_fusion": app_name,
        "app_hybrid_beats_both_singles_on_mrr": bool(app_name and table[app_name]["mrr@10"] > best_single),
        "results": table,
        "holdout": holdout,
    }
