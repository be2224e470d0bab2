"""The app's hybrid fusion (``webapp.explore.fusion``) on hand-made hits: no OpenSearch."""

from __future__ import annotations

import pytest

from webapp.explore import fusion, search
from webapp.explore.search import close_films, inner_product_score


def hits(*scored: tuple[str, float]) -> list[dict]:
    return [{"_id": i, "_score": s, "_source": {"id": i}} for i, s in scored]


def test_min_max_mean_of_both_sides_and_zero_for_a_side_that_missed():
    fused = fusion.fuse(hits(("a", 10.0), ("b", 6.0), ("c", 2.0)), hits(("c", 1.8), ("d", 1.5)))
    scores = {h["_id"]: round(h["_score"], 3) for h in fused}
    assert scores == {"a": 0.5, "b": 0.25, "c": 0.5, "d": 0.0}
    assert [h["_id"] for h in fused][:2] == ["a", "c"]  # a tie keeps the BM25 side's order


def test_one_hit_alone_scores_one_and_an_empty_side_adds_nothing():
    assert fusion.normalised(hits(("a", 3.0))) == {"a": 1.0}
    assert [(h["_id"], h["_score"]) for h in fusion.fuse(hits(("a", 3.0)), [])] == [("a", fusion.KEYWORD_WEIGHT)]


def test_an_anchor_keeps_a_weak_vector_best_from_taking_the_full_vector_weight():
    """The vector side found 3 films, its best at cosine 0.47 (score 1 + cos): plain min-max
    gives it 1.0 and it beats BM25's clear first; scaled by at least cosine 0.65 it does not."""
    keyword = hits(("parker", 9.0), ("job", 5.0), ("cross", 2.0), ("other", 1.0))
    vector = hits(("cross", 1.47), ("furious", 1.46), ("checkmate", 1.45))
    plain = fusion.fuse(keyword, vector)
    anchored = fusion.fuse(keyword, vector, vector_top=1.65)
    assert [h["_id"] for h in plain][:2] == ["cross", "parker"]
    assert [h["_id"] for h in anchored][:2] == ["parker", "job"]
    strong = hits(("cross", 1.80), ("furious", 1.46), ("checkmate", 1.45))  # above the anchor: plain min-max
    assert fusion.fuse(keyword, strong, vector_top=1.65) == fusion.fuse(keyword, strong)


def test_a_mood_query_and_a_plot_are_anchored_at_their_own_cosines_on_the_close_films_scale():
    assert fusion.vector_top("heist crew double cross") == pytest.approx(1 + fusion.MOOD_VECTOR_ANCHOR)
    assert fusion.vector_top("heist crew double cross", mood_anchor=0.5) == pytest.approx(1.5)
    plot = "a banker wrongly jailed for killing his wife befriends a fellow inmate and digs his way out"
    assert fusion.vector_top(plot) == pytest.approx(1 + fusion.VECTOR_ANCHOR)
    assert fusion.vector_top(plot, mood_anchor=0.5) == fusion.vector_top(plot)  # a plot keeps its own
    assert fusion.vector_top(plot) == inner_product_score((1 + fusion.VECTOR_ANCHOR) / 2)  # close_films' own conversion


def test_parts_give_the_keyword_side_the_extras_and_both_the_window():
    vector_side = close_films([0.1] * 4, [])
    body = {
        "query": {"hybrid": {"pagination_depth": 50, "queries": [{"match": {"title": "x"}}, vector_side]}},
        "size": 50,
        "_source": ["id"],
        "aggs": {"seen": {}},
        "suggest": {"s": {}},
    }
    keyword, vector = fusion.parts(body)
    assert keyword == {"query": {"match": {"title": "x"}}, "size": 50, "_source": ["id"], "aggs": {"seen": {}}, "suggest": {"s": {}}}
    assert vector == {"query": vector_side, "size": 50, "_source": ["id"]}


def _gate(query: dict) -> list[dict]:
    """The membership gate (a ``should`` list) inside ``keyword_query``'s body."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "must" in node and "filter" in node:
                found.extend(node["filter"][0]["bool"]["should"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(query)
    return found


def test_a_plot_lets_a_close_film_into_its_bm25_set_only_on_two_shared_terms():
    close = close_films([0.1] * 4, [])
    plot = "a retired hitman hunts the gangsters who killed the dog his late wife gave him"
    assert search.is_plot(plot) and not search.is_plot("feel good road trip")
    wrapped = [g for g in _gate(search.keyword_query(plot, close=close)) if "script_score" not in g and close in g.get("bool", {}).get("filter", [])]
    assert wrapped == [{"bool": {"filter": [close, search.text_query(search.content_text(plot), search.PLOT_GATE_MIN_MATCH)]}}]
    mood = "feel good road trip"
    assert close in _gate(search.keyword_query(mood, close=close))  # a mood query's close films need one shared term, as before
