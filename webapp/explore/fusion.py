"""Hybrid fusion in the app: the BM25 side and the vector side in one ``_msearch``, then a
weighted mean of their min-max normalised scores.

Until stop 29 OpenSearch fused them (a search pipeline with the normalization processor,
min-max and a 0.5 / 0.5 mean). That min-max scales the vector side by its own best film,
however weak: "heist crew double cross" finds 3 films by meaning, the first (Alex Cross, whose
title is in its embedded text) at cosine 0.47, and that film took the full vector weight. So
the vector side is scaled by max(best cosine, an anchor): when nothing comes close, BM25
decides. OpenSearch 2.19's processor has no such bound, hence the fusion here. A long query
that describes a plot has cosines that mean something on their own scale (its film reaches
0.65 or more): ``VECTOR_ANCHOR``. A short mood query (at most ``search.MICRO_MATCH_MAX_WORDS``
topic words) reaches lower cosines: ``MOOD_VECTOR_ANCHOR``.

Measured (``python -m bench relevance``): for plots, split by md5 into halves a / b, the
anchor at cosine 0.60 / 0.65 / 0.70 gave plot MRR@10 0.907 / 0.923 / 0.928 on half a and
0.923 / 0.923 / 0.904 on half b, against 0.869 / 0.904 without. For mood queries
(``mood_anchor_curve``, chosen on the tuning part) 0.5 / 0.55 / 0.6 / 0.65 / 0.7 gave nDCG@10
0.689 / 0.691 / 0.694 / 0.689 / 0.688 against 0.688 without (held out: 0.718 at 0.6, 0.710 without).
"""

from __future__ import annotations

from typing import Any

from webapp.api.msearch import msearch
from webapp.explore.search import inner_product_score, is_plot

KEYWORD_WEIGHT = 0.5  # the vector side's is 1 - this (bench/relevance.py chose 0.5 / 0.5)
VECTOR_ANCHOR = 0.65  # cosine: a long query's vector side is scaled by at least this (chosen on half a: 0.60-0.70 alike)
MOOD_VECTOR_ANCHOR = 0.6  # ... and a mood query's (chosen on the mood set's tuning part: 0.5-0.7 swept)


def vector_top(q: str, mood_anchor: float = MOOD_VECTOR_ANCHOR) -> float:
    """The least top of the vector side's scale for ``q``, in ``search.close_films``' score
    units: ``VECTOR_ANCHOR`` for a query longer than a mood query (a plot), else ``mood_anchor``."""
    anchor = VECTOR_ANCHOR if is_plot(q) else mood_anchor
    return inner_product_score((1 + anchor) / 2)


def parts(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A ``hybrid`` search body as its two searches: the BM25 side keeps the body's other parts
    (aggregations, suggester, ``_source``), the vector side only its hits. Each fetches the
    hybrid's ``pagination_depth`` (its window)."""
    hybrid = body["query"]["hybrid"]
    keyword, vector = hybrid["queries"]
    depth = hybrid.get("pagination_depth", body.get("size", 10))
    rest = {k: v for k, v in body.items() if k not in ("query", "size", "from")}
    return {**rest, "query": keyword, "size": depth}, {"query": vector, "size": depth, "_source": body.get("_source", False)}


def normalised(hits: list[dict[str, Any]], top: float | None = None) -> dict[str, float]:
    """Hit id -> min-max score in [0, 1] over ``hits`` (best first). ``top`` raises the upper end
    of the scale when the best hit is below it; one hit alone scores 1."""
    if not hits:
        return {}
    high, low = hits[0]["_score"], hits[-1]["_score"]
    if top is not None:
        high = max(high, top)
    if high <= low:
        return {h["_id"]: 1.0 for h in hits}
    return {h["_id"]: max(0.0, (h["_score"] - low) / (high - low)) for h in hits}


def fuse(keyword_hits: list[dict[str, Any]], vector_hits: list[dict[str, Any]], vector_top: float | None = None) -> list[dict[str, Any]]:
    """Every film either side found, by KEYWORD_WEIGHT x BM25 + (1 - KEYWORD_WEIGHT) x vector,
    each min-max normalised (``vector_top`` in the vector side's own score units: ``normalised``);
    a film one side did not find scores 0 there. Ties keep the BM25 side's order."""
    keyword, vector = normalised(keyword_hits), normalised(vector_hits, vector_top)
    found: dict[str, dict[str, Any]] = {}
    for hit in [*keyword_hits, *vector_hits]:
        found.setdefault(hit["_id"], hit)
    scored = [dict(hit, _score=KEYWORD_WEIGHT * keyword.get(i, 0.0) + (1 - KEYWORD_WEIGHT) * vector.get(i, 0.0)) for i, hit in found.items()]
    return sorted(scored, key=lambda h: -h["_score"])


def hybrid_search(client, index: str, body: dict[str, Any], vector_top: float | None = None, also: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run a ``hybrid`` body as one ``_msearch`` and answer in ``_search``'s shape: the hits fused,
    the BM25 side's aggregations and suggestions. ``also``, a further search body, rides in the
    same ``_msearch`` (a genre browse's films); its hits come back as ``"also"``. A side OpenSearch
    rejects fails the search the way every ``_msearch`` of the app does (``webapp.api.msearch``)."""
    keyword, vector, *more = msearch(client, [(index, b) for b in [*parts(body), *([also] if also else [])]], "the hybrid search")
    hits = fuse(keyword["hits"]["hits"], vector["hits"]["hits"], vector_top)
    total = {"value": len(hits), "relation": "gte"}  # the films the two windows hold, not every match
    out = {"took": max(keyword["took"], vector["took"]), "hits": {"total": total, "hits": hits[: body.get("size", 10)]}}
    if more:
        out["also"] = more[0]["hits"]["hits"]
    for part in ("aggregations", "suggest"):
        if part in keyword:
            out[part] = keyword[part]
    return out
