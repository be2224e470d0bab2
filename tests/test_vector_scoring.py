"""The exact vector score (``webapp.explore.search.close_films``) on the real index and real queries.

It scores with k-NN's ``innerproduct`` space, which is the cosine only because every stored
vector and every query vector is unit length. These check that premise on the index, and
that the results equal OpenSearch's own ``cosinesimil`` scoring: same films, same totals,
scores of 1 + cos where lucene's are (1 + cos) / 2, and the same set where OpenSearch only
filters (the hybrid gate, a sort by rating), which applies ``min_score`` differently.
"""

from __future__ import annotations

import numpy as np
import pytest

from bench.queries import fresh_queries
from mgm.client import stored_vectors
from webapp.explore.search import KNN_MIN_SCORE, close_films

QUERIES = 20
TIE = 1e-6  # cosine: float32 rounding of one score


def cosine_body(vector: list[float], min_score: float) -> dict:
    """The same search scored with the script's cosine (the reference)."""
    script = {"source": "knn_score", "lang": "knn", "params": {"field": "embedding", "query_value": vector, "space_type": "cosinesimil"}}
    return {"script_score": {"query": {"match_all": {}}, "script": script, "min_score": min_score}}


@pytest.fixture(scope="module")
def vectors(app, live_index) -> list[list[float]]:
    encoder = app.extensions["query_encoder"]
    texts = fresh_queries(live_index.movies_csv, n=QUERIES, seed=7)
    return [[float(x) for x in encoder.encode_one(t)] for t in texts]


def _search(os_client, index: str, query: dict) -> dict:
    return os_client.search(index=index, body={"query": query, "size": 200, "_source": False, "track_total_hits": True})["hits"]


@pytest.mark.parametrize("min_score", [KNN_MIN_SCORE, 0.0])
def test_inner_product_scoring_equals_the_cosine(os_client, live_index, vectors, min_score):
    for vector in vectors:
        ours = _search(os_client, live_index.index_alias, close_films(vector, [], min_score))
        reference = _search(os_client, live_index.index_alias, cosine_body(vector, min_score))
        assert ours["total"]["value"] == reference["total"]["value"]
        # The same order, except between films whose cosines differ only by float32 rounding
        # (0.68709415 vs 0.68709433 swapped places once): each next film scores no higher.
        cosine = {h["_id"]: 2 * h["_score"] for h in reference["hits"]}
        ranked = [cosine[h["_id"]] for h in ours["hits"][:-1]]  # the last may tie with one past the cut
        assert all(a >= b - TIE for a, b in zip(ranked, ranked[1:]))
        assert np.allclose([h["_score"] for h in ours["hits"]], [2 * h["_score"] for h in reference["hits"]], atol=1e-5)


def test_the_same_films_when_opensearch_only_filters(os_client, live_index, vectors):
    """In filter context and under a sort by a field, OpenSearch computes no score to rank by;
    the set must still be the films above the threshold."""
    for vector in vectors[:5]:
        ranked = _search(os_client, live_index.index_alias, close_films(vector, []))
        filtered = os_client.count(index=live_index.index_alias, body={"query": {"bool": {"filter": [close_films(vector, [])]}}})
        by_rating = os_client.search(
            index=live_index.index_alias,
            body={
                "query": close_films(vector, []),
                "sort": [{"rating_weighted": {"order": "desc", "missing": "_last"}}],
                "size": 0,
                "track_total_hits": True,
            },
        )["hits"]
        assert 0 < ranked["total"]["value"] < 4000  # a cutoff, not the catalogue
        assert filtered["count"] == by_rating["total"]["value"] == ranked["total"]["value"]


def test_query_and_stored_vectors_are_unit_length(os_client, live_index, vectors):
    assert np.allclose(np.linalg.norm(np.asarray(vectors), axis=1), 1.0, atol=1e-4)
    ids = [int(h["_id"]) for h in _search(os_client, live_index.index_alias, {"match_all": {}})["hits"][:50]]
    stored = np.asarray(list(stored_vectors(os_client, live_index.index_alias, ids).values()))
    assert len(stored) == 50 and np.allclose(np.linalg.norm(stored, axis=1), 1.0, atol=1e-4)
