"""The graded metrics of the relevance benchmark's mood section, on hand-made rankings with known values.

Pure: no OpenSearch and no model (``bench.relevance`` imports its clients lazily), so the fast tier
runs them. The last tests check the judged file itself (bench/mood_queries.json).
"""

from __future__ import annotations

import json
import math
from collections import Counter

import pytest

from bench.relevance import (
    CUTOFF,
    MOOD_DEPTH,
    PARAPHRASES,
    dcg,
    judged_share,
    load_mood,
    mean_defined,
    mood_scores,
    ndcg,
    precision_at,
    recall_at,
    reciprocal_rank_graded,
    summarise,
)

L3 = math.log2(3)  # the discount at rank 2


def test_dcg_is_linear_gain_over_log2_of_rank_plus_one():
    assert dcg([2, 1, 0]) == pytest.approx(2 / 1 + 1 / L3 + 0 / 2)
    assert dcg([0, 0, 2, 2]) == pytest.approx(2 / 2 + 2 / math.log2(5))
    assert dcg([]) == 0.0


def test_dcg_stops_at_the_cutoff():
    assert dcg([1] * 11) == pytest.approx(dcg([1] * 10))
    assert dcg([2, 2, 2], k=1) == 2.0


def test_ndcg_of_the_ideal_order_is_one():
    judged = {1: 2, 2: 1, 3: 0}
    assert ndcg([1, 2, 3], judged) == pytest.approx(1.0)


def test_ndcg_of_the_reversed_order():
    judged = {1: 2, 2: 1, 3: 0}
    # DCG (0, 1, 2) = 1/log2(3) + 2/2; ideal (2, 1, 0) = 2 + 1/log2(3)
    assert ndcg([3, 2, 1], judged) == pytest.approx((1 / L3 + 1) / (2 + 1 / L3))
    assert ndcg([3, 2, 1], judged) == pytest.approx(0.61991, abs=1e-5)


def test_ndcg_ideal_holds_relevant_films_the_ranking_missed():
    judged = {1: 2, 9: 2}  # film 9 was judged (another mode found it, or it was added by hand)
    assert ndcg([1], judged) == pytest.approx(2 / (2 + 2 / L3))


def test_ndcg_counts_unjudged_films_as_zero():
    assert ndcg([5, 1], {1: 2}) == pytest.approx((2 / L3) / 2)
    assert ndcg([5, 6, 7], {1: 2}) == 0.0


def test_ndcg_is_undefined_without_a_relevant_film():
    assert ndcg([1, 2], {1: 0, 2: 0}) is None
    assert ndcg([1, 2], {}) is None


def test_ndcg_ignores_films_past_the_cutoff():
    ranking = list(range(100, 110)) + [1]  # the one relevant film at rank 11
    assert ndcg(ranking, {1: 2}) == 0.0


def test_precision_counts_grade_one_and_two_over_ten():
    judged = {1: 2, 2: 1, 3: 0}
    assert precision_at([1, 2, 3, 4], judged) == pytest.approx(0.2)
    assert precision_at(list(range(10, 20)) + [1], judged) == 0.0  # rank 11
    assert precision_at([1] * 10, {1: 1}) == 1.0


def test_precision_does_not_reward_a_short_list():
    assert precision_at([1, 2], {1: 2, 2: 2}) == pytest.approx(2 / CUTOFF)
    assert precision_at([], {1: 2}) == 0.0


def test_reciprocal_rank_is_the_first_grade_two_film():
    judged = {1: 1, 2: 0, 3: 2, 4: 2}
    assert reciprocal_rank_graded([1, 2, 3, 4], judged) == pytest.approx(1 / 3)  # the grade-1 film at rank 1 does not count
    assert reciprocal_rank_graded([4, 1], judged) == 1.0
    assert reciprocal_rank_graded([1, 2], judged) == 0.0
    assert reciprocal_rank_graded(list(range(100, 110)) + [3], judged) == 0.0  # rank 11


def test_reciprocal_rank_with_a_lower_grade():
    assert reciprocal_rank_graded([9, 1], {1: 1}, grade=1) == 0.5


def test_recall_is_the_share_of_relevant_films_in_the_first_fifty():
    judged = {1: 2, 2: 1, 3: 2, 4: 1, 5: 0}
    assert recall_at([1, 5, 3, 8], judged) == pytest.approx(0.5)  # 1 and 3 of {1, 2, 3, 4}
    assert recall_at([5, 6], judged) == 0.0
    ranking = list(range(100, 100 + MOOD_DEPTH)) + [1, 2, 3, 4]
    assert recall_at(ranking, judged) == 0.0  # all four just past rank 50
    assert recall_at(ranking, judged, k=MOOD_DEPTH + 4) == 1.0


def test_recall_is_undefined_without_a_relevant_film():
    assert recall_at([1], {1: 0}) is None


def test_judged_share_of_what_is_shown():
    assert judged_share([1, 2, 3], {1: 0, 2: 2}) == pytest.approx(2 / 3)
    assert judged_share(list(range(20)), {i: 0 for i in range(10)}) == 1.0  # only the first 10
    assert judged_share([], {1: 2}) is None


def test_mean_defined_skips_undefined_values():
    assert mean_defined([None, 0.5, 1.0]) == 0.75
    assert mean_defined([1 / 3, 1 / 3, 1 / 3]) == 0.3333
    assert mean_defined([None, None]) is None
    assert mean_defined([]) is None


def test_mood_scores_of_one_query():
    judged = {1: 2, 2: 1, 3: 2, 4: 0}
    row = mood_scores([4, 1, 9], [3, 2, 4], returned=3, judged=judged)
    ideal = 2 + 2 / L3 + 1 / 2
    assert row["ndcg@10"] == pytest.approx((2 / L3) / ideal)
    assert row["p@10"] == pytest.approx(0.1)
    assert row["mrr@10"] == 0.5
    assert row["recall@50"] == pytest.approx(1 / 3)
    assert row["p@10_sorted_by_rating"] == pytest.approx(0.2)
    assert row["judged@10"] == pytest.approx(2 / 3)
    assert row["judged@10_sorted_by_rating"] == 1.0
    assert row["results"] == 3
    assert row["fan@10"] is None  # no fan-expected films for this query
    assert mood_scores([4, 1, 9], [], 3, judged, fan=[9, 7])["fan@10"] == 0.5  # one of the two known films on page one


def test_summarise_means_and_results_returned():
    rows = [
        {
            "ndcg@10": 1.0,
            "p@10": 0.5,
            "mrr@10": 1.0,
            "recall@50": None,
            "p@10_sorted_by_rating": 0.0,
            "judged@10": 1.0,
            "judged@10_sorted_by_rating": 1.0,
            "fan@10": None,
            "results": 0,
        },
        {
            "ndcg@10": 0.5,
            "p@10": 0.3,
            "mrr@10": 0.0,
            "recall@50": 0.5,
            "p@10_sorted_by_rating": 0.2,
            "judged@10": 0.5,
            "judged@10_sorted_by_rating": None,
            "fan@10": 0.25,
            "results": 40,
        },
    ]
    out = summarise(rows)
    assert out["queries"] == 2
    assert out["ndcg@10"] == 0.75 and out["p@10"] == 0.4 and out["mrr@10"] == 0.5
    assert out["recall@50"] == 0.5  # the undefined one left out
    assert out["judged@10_sorted_by_rating"] == 1.0 and out["fan@10"] == 0.25
    assert out["results"] == {"mean": 20, "median": 20.0, "zero": 1}


NO_SQUARE_ANSWER = frozenset({"circus horror"})  # judged queries the catalogue holds no squarely fitting film for


def test_the_judged_file():
    """bench/mood_queries.json: enough queries of 2-6 words (7 saying what they do not want, 8 in everyday phrasings; one word only for a language, a
    kind of cinema or a fan's name for a kind of film: "bollywood", "blockbusters", "whodunit"), a fixed held-out third (every third of
    each batch, in written order), sane grades."""
    queries = load_mood()
    assert len(queries) >= 90
    assert len({q["query"] for q in queries}) == len(queries)
    positions: Counter = Counter()
    for q in queries:
        positions[q.get("batch")] += 1
        # "war movies not about world war 2"; "coming of age movies that make you cry"
        longest = {"negation and studios": 7, "everyday phrasings": 8}.get(q.get("batch"), 6)
        assert (1 if q.get("batch") in ("languages", "box office and recency", "fan jargon") else 2) <= len(q["query"].split()) <= longest, q["query"]
        assert q["split"] == ("held_out" if positions[q.get("batch")] % 3 == 0 else "tune"), q["query"]
        assert set(q["judged"].values()) <= {0, 1, 2}
        assert all(isinstance(i, int) and i > 0 for i in q["judged"])
        # a relevant film at least; "circus horror" has no circus horror film in the catalogue, only near ones
        assert any(g == 2 for g in q["judged"].values()) or q["query"] in NO_SQUARE_ANSWER, f"{q['query']!r} has no squarely relevant film"
        assert any(g >= 1 for g in q["judged"].values()), f"{q['query']!r} has no relevant film"
    held_out = sum(q["split"] == "held_out" for q in queries)
    assert abs(held_out - len(queries) / 3) <= 1


def test_the_paraphrases_file():
    """bench/paraphrases.json: each wording is another way of saying a judged query (it exists, the
    words differ) and, as the file is about what a query does not want, it is read as saying so,
    like its judged query."""
    from webapp.api.params import Filters
    from webapp.explore.intents import read_query

    judged = {q["query"] for q in load_mood()}
    pairs = json.loads(PARAPHRASES.read_text())["pairs"]
    assert len(pairs) >= 20 and len({p["query"] for p in pairs}) == len(pairs)
    for pair in pairs:
        assert pair["as"] in judged and pair["query"] != pair["as"]
        assert read_query(pair["query"], Filters()).filters.without and read_query(pair["as"], Filters()).filters.without, pair
