"""OpenSearch request bodies for the explorer, as pure functions of validated parameters.

Nothing here talks to the server, so every builder is unit-testable and the benchmark can
send exactly the bodies the app sends. User text only ever appears as the ``query`` value of
a ``multi_match`` (never spliced into DSL), and vectors come from the embedding model.
"""
from __future__ import annotations

from typing import Any

from webapp.params import Filters, SearchParams

# BM25 fields and boosts (tuned with bench/relevance.py; see docs/explorer.md).
KEYWORD_FIELDS = ["title^2", "keywords.text^2", "micro_genre.text", "tagline", "overview^2"]
# Semantic and hybrid modes rank a fixed window: k of the k-NN query and the hybrid query's
# pagination_depth. Keeping it fixed keeps pages consistent (min-max normalisation depends
# on the window), so pages beyond it are refused rather than silently reshuffled. Measured
# (bench/relevance.py, single client): window 50/100/200 -> hybrid MRR@10 0.830/0.836/0.848
# and OpenSearch took p50 18/34/50 ms; 100 keeps five pages of 20 at two thirds of the cost.
RANKED_WINDOW = 100
BROWSE_WINDOW = 10_000  # index.max_result_window
SORT_FIELDS = {
    "rating": [{"vote_average": {"order": "desc"}}, {"vote_count": {"order": "desc"}}],
    "popularity": [{"popularity": {"order": "desc"}}],
    "year": [{"year": {"order": "desc", "missing": "_last"}}, {"popularity": {"order": "desc"}}],
}
HIGHLIGHT_FIELDS = ("overview",)  # what the cards show; each field costs ~4 ms in hybrid


def filter_clauses(filters: Filters) -> list[dict[str, Any]]:
    """Term/range filters, shared by the BM25 bool query and the k-NN ``filter``."""
    clauses: list[dict[str, Any]] = []
    if filters.genre:
        clauses.append({"term": {"genres": filters.genre}})
    if filters.micro_genre is not None:
        clauses.append({"term": {"micro_genre_id": filters.micro_genre}})
    if filters.macro is not None:
        clauses.append({"term": {"macro_genre_id": filters.macro}})
    years = {k: v for k, v in (("gte", filters.year_from), ("lte", filters.year_to)) if v is not None}
    if years:
        clauses.append({"range": {"year": years}})
    if filters.min_rating is not None:
        clauses.append({"range": {"vote_average": {"gte": filters.min_rating}}})
    return clauses


def keyword_query(q: str) -> dict[str, Any]:
    """BM25 over title, TMDB keywords, micro-genre label, tagline and overview.

    ``cross_fields`` scores the query terms as if the fields were one blended field: a plot
    description spreads its words over overview, keywords and tagline, which ``best_fields``
    (one field wins) ranked far worse (MRR@10 0.25-0.56 vs 0.70-0.73 in bench/relevance.py).
    """
    return {"multi_match": {"query": q, "fields": KEYWORD_FIELDS, "type": "cross_fields", "tie_breaker": 0.3}}


def knn_query(vector: list[float], k: int, filters: list[dict[str, Any]], field: str = "embedding") -> dict[str, Any]:
    """Lucene k-NN with the filter applied inside the graph search (not a post-filter)."""
    body: dict[str, Any] = {"vector": vector, "k": k}
    if filters:
        body["filter"] = {"bool": {"filter": filters}}
    return {"knn": {field: body}}


def _filtered(query: dict[str, Any], filters: list[dict[str, Any]]) -> dict[str, Any]:
    return {"bool": {"must": [query], "filter": filters}} if filters else query


def window(params: SearchParams) -> int:
    """How deep this request can page: the ranked window for vector modes, else the index cap."""
    return RANKED_WINDOW if params.q and params.mode != "keyword" else BROWSE_WINDOW


def main_query(params: SearchParams, vector: list[float] | None) -> dict[str, Any]:
    """The query part: browse, BM25, k-NN, or a ``hybrid`` of BM25 and k-NN.

    ``hybrid`` in OpenSearch 2.19 takes no top-level filter, so each sub-query carries it.
    """
    filters = filter_clauses(params.filters)
    if not params.q:
        return {"bool": {"filter": filters}} if filters else {"match_all": {}}
    if params.mode == "keyword":
        return _filtered(keyword_query(params.q), filters)
    if vector is None:
        raise ValueError(f"mode {params.mode} needs the query vector")
    knn = knn_query(vector, RANKED_WINDOW, filters)
    if params.mode == "semantic":
        return knn
    return {
        "hybrid": {
            "pagination_depth": RANKED_WINDOW,
            "queries": [_filtered(keyword_query(params.q), filters), knn],
        }
    }


def aggregations() -> dict[str, Any]:
    """Facets, computed on the same filtered query as the hits."""

    def labelled(id_field: str, label_field: str, size: int) -> dict[str, Any]:
        return {"terms": {"field": id_field, "size": size}, "aggs": {"label": {"terms": {"field": label_field, "size": 1}}}}

    return {
        "genres": {"terms": {"field": "genres", "size": 30}},
        "micro_genres": labelled("micro_genre_id", "micro_genre", 20),
        "macro_genres": labelled("macro_genre_id", "macro_genre", 30),
        "decades": {"terms": {"field": "decade", "size": 30, "order": {"_key": "asc"}}},
    }


def search_body(params: SearchParams, vector: list[float] | None) -> dict[str, Any]:
    """The full ``_search`` body for ``/api/search`` (hybrid mode also needs the search pipeline)."""
    body: dict[str, Any] = {
        "query": main_query(params, vector),
        "from": params.offset,
        "size": params.size,
        "track_total_hits": True,
        "aggs": aggregations(),
    }
    if params.sort != "relevance":
        body["sort"] = SORT_FIELDS[params.sort]
    elif not params.q:
        body["sort"] = SORT_FIELDS["popularity"]  # browsing: every score is equal
    if params.q and params.mode != "hybrid":  # hybrid highlights afterwards: highlight_body
        body["highlight"] = highlight(params.q)
    return body


def highlight(q: str) -> dict[str, Any]:
    """Mark the query's words in the overview, using the BM25 query whatever the mode."""
    return {
        "encoder": "html",  # escapes the text; only the <mark> tags are markup
        "pre_tags": ["<mark>"],
        "post_tags": ["</mark>"],
        "fields": {f: {"number_of_fragments": 1, "fragment_size": 160} for f in HIGHLIGHT_FIELDS},
        "highlight_query": keyword_query(q),
    }


def highlight_body(q: str, ids: list[str]) -> dict[str, Any]:
    """Highlights for one page of hybrid hits, fetched after ranking.

    A ``hybrid`` query runs its fetch phase (highlighting included) over its whole ranked
    window, not just the page: with a window of 100, inline highlighting measured 20 ms
    of OpenSearch time per query vs 11 ms without it. Highlighting just the page's ids
    in a second request costs about 2 ms. Keyword and semantic queries fetch only the
    page, so they highlight inline and save the round trip.
    """
    return {
        "query": {"ids": {"values": ids}},
        "size": len(ids),
        "_source": False,
        "highlight": highlight(q),
    }


def similar_body(vector: list[float], exclude: list[int], filters: Filters, size: int) -> dict[str, Any]:
    """Nearest movies to ``vector``, never returning the ``exclude`` ids (the seed movies)."""
    clauses = filter_clauses(filters)
    must_not = [{"ids": {"values": [str(i) for i in exclude]}}]
    knn = knn_query(vector, size, [{"bool": {"filter": clauses, "must_not": must_not}}])
    return {"query": knn, "size": size}


def suggest_body(q: str, size: int) -> dict[str, Any]:
    """Title autocomplete: search_as_you_type prefix match, popular titles first on ties."""
    match = {
        "multi_match": {
            "query": q,
            "type": "bool_prefix",
            "operator": "and",  # every typed word must occur, the last one as a prefix
            "fields": ["title.suggest", "title.suggest._2gram", "title.suggest._3gram"],
        }
    }
    boost = {"field_value_factor": {"field": "popularity", "modifier": "log2p", "missing": 1}}
    return {
        "query": {"function_score": {"query": match, "functions": [boost], "boost_mode": "multiply"}},
        "size": size,
        "_source": ["id", "title", "year"],
    }


MICRO_SOURCE = {"excludes": ["centroid"]}


def micro_list_body(size: int) -> dict[str, Any]:
    return {"query": {"match_all": {}}, "size": size, "sort": [{"size": "desc"}, {"id": "asc"}], "_source": MICRO_SOURCE}


def micro_search_body(vector: list[float], size: int, exclude: int | None = None) -> dict[str, Any]:
    """Micro-genres whose centroid is nearest to ``vector`` (a query, or another centroid)."""
    filters = [{"bool": {"must_not": [{"ids": {"values": [str(exclude)]}}]}}] if exclude is not None else []
    return {"query": knn_query(vector, size, filters, field="centroid"), "size": size, "_source": MICRO_SOURCE}


# --- responses -> API shapes ----------------------------------------------------------------


def shape_hit(hit: dict[str, Any]) -> dict[str, Any]:
    """One search result in the API's shape."""
    src = hit["_source"]
    return {
        "id": src["id"],
        "title": src.get("title"),
        "year": src.get("year"),
        "overview": src.get("overview"),
        "genres": src.get("genres", []),
        "micro_genre": {"id": src.get("micro_genre_id"), "label": src.get("micro_genre")},
        "macro_genre": src.get("macro_genre"),
        "macro_genre_id": src.get("macro_genre_id"),
        "vote_average": src.get("vote_average"),
        "vote_count": src.get("vote_count"),
        "poster_path": src.get("poster_path"),
        "score": hit.get("_score"),
        "highlight": {k: v[0] for k, v in hit.get("highlight", {}).items()},
    }


def shape_facets(aggs: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Aggregations -> ``{"genres": [{"key","count"}], ...}``; id facets carry their label."""
    facets: dict[str, list[dict[str, Any]]] = {}
    for name, agg in aggs.items():
        rows = []
        for bucket in agg["buckets"]:
            row = {"key": bucket["key"], "count": bucket["doc_count"]}
            if "label" in bucket:
                labels = bucket["label"]["buckets"]
                row["label"] = labels[0]["key"] if labels else str(bucket["key"])
            rows.append(row)
        facets[name] = rows
    return facets


def shape_micro(src: dict[str, Any]) -> dict[str, Any]:
    """A micro-genre document without its vector."""
    return {k: v for k, v in src.items() if k != "centroid"}
