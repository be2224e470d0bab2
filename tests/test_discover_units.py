"""Pure parts of the discovery pages: grouping liked films, interleaving rows, evidence, the map
layout, the folded stack and the no-tautology macro shift."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.features.layout import map_coordinates
from webapp.discover.data import evidence_from, shape_map, why
from webapp.discover.recommend import GROUP_COSINE, group_liked, interleave
from webapp.insights.chart_data import fold_other
from webapp.insights.findings import macro_shift


def unit(v):
    v = np.asarray(v, dtype=float)
    return v / np.linalg.norm(v)


def test_group_liked_separates_tastes_and_orders_largest_first():
    a, b = unit([1, 0, 0]), unit([0, 1, 0])
    near_a = unit([1, 0.2, 0])
    assert float(a @ near_a) >= GROUP_COSINE > float(a @ b)
    assert group_liked([b, a, near_a]) == [[1, 2], [0]]
    assert group_liked([a]) == [[0]]


def test_interleave_gives_slots_in_proportion_and_skips_duplicates():
    big, small = [1, 2, 3, 4, 5, 6], [10, 2, 11, 12]
    assert interleave([big, small], [2, 1], 6) == [1, 10, 2, 3, 11, 4]
    assert interleave([[1], [1]], [1, 1], 5) == [1]  # runs dry without looping


def test_evidence_from_significant_terms_gives_both_shares():
    resp = {"aggregations": {"evidence": {"doc_count": 20, "bg_count": 4000, "buckets": [{"key": "bank heist", "doc_count": 13, "bg_count": 48}]}}}
    assert evidence_from(resp) == [{"phrase": "bank heist", "share": 0.65, "catalogue_share": 0.012}]


def test_why_lists_the_films_keywords_among_the_evidence_in_evidence_order():
    evidence = [{"phrase": "heist", "share": 0.6, "catalogue_share": 0.01}, {"phrase": "vault", "share": 0.3, "catalogue_share": 0.002}]
    out = why(["Vault", "love", "heist"], evidence, 4, "Heists")
    assert [e["phrase"] for e in out["shared"]] == ["heist", "vault"]
    assert why(["love"], evidence, 4, "Heists")["shared"] == []


def test_shape_map_indexes_groups_once():
    hits = [
        {"fields": {"id": [i], "map_x": [0.1 * i], "map_y": [-0.1 * i], "title.raw": [f"T{i}"], "macro_genre": [m], "micro_genre": [u]}}
        for i, m, u in ((1, "A", "a1"), (2, "B", "b1"), (3, "A", "a2"))
    ]
    out = shape_map({"hits": {"hits": hits}})
    assert out["macros"] == ["A", "B"] and out["macro"] == [0, 1, 0]
    assert out["micros"] == ["a1", "b1", "a2"] and out["year"] == [None, None, None] and out["count"] == 3


def test_map_coordinates_are_seeded_scaled_and_keep_clusters_apart():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 32)) * 5
    x = np.vstack([c + rng.normal(size=(30, 32)) for c in centres])
    xy = map_coordinates(x)
    assert xy.shape == (90, 2) and np.abs(xy).max() == pytest.approx(1.0, abs=1e-3)
    assert np.array_equal(xy, map_coordinates(x))
    means = [xy[i * 30 : (i + 1) * 30].mean(axis=0) for i in range(3)]
    spread = max(xy[i * 30 : (i + 1) * 30].std() for i in range(3))
    assert min(np.linalg.norm(means[i] - means[j]) for i in range(3) for j in range(i + 1, 3)) > 2 * spread
    assert map_coordinates(x[:2]).shape == (2, 2)


def test_fold_other_keeps_the_largest_and_sums_the_rest():
    series = [{"key": k, "name": k, "counts": [c, c], "shares": []} for k, c in (("a", 5), ("b", 3), ("c", 1), ("d", 1))]
    table = {"periods": [1990, 2000], "totals": [10, 20], "sparse": [True, True], "series": series}
    out = fold_other(table, keep=2)
    assert [s["name"] for s in out["series"]] == ["a", "b", "Other (2)"]
    assert out["series"][-1]["counts"] == [2, 2] and out["series"][-1]["shares"] == [20.0, 10.0]
    assert fold_other(table, keep=3) is table  # folding one series would hide it for nothing


def test_macro_shift_never_states_a_tautology():
    one = {"macros": ["Ghost"], "share": [[100.0, 100.0]], "decades": [1990, 2000], "decade_totals": [80, 90]}
    assert "gained" not in macro_shift(one)["text"]
    flat = {"macros": ["A", "B"], "share": [[50.0, 50.0], [50.0, 50.0]], "decades": [1990, 2000], "decade_totals": [80, 90]}
    assert macro_shift(flat)["text"].startswith("Every macro theme kept its share")
    moved = {"macros": ["A", "B"], "share": [[60.0, 40.0], [40.0, 60.0]], "decades": [1990, 2000], "decade_totals": [80, 90]}
    found = macro_shift(moved, "micro-genre")
    assert found["numbers"]["gained"]["name"] == "B" and found["numbers"]["lost"]["name"] == "A"
    assert found["title"] == "Micro-genres over time"


def test_a_poster_placeholder_shows_the_titles_first_letter_not_its_punctuation():
    from webapp.explore.search import poster_initial

    titles = ("(500) Days of Summer", "The Matrix", "a Walk to Remember", "Alien", "...", None)
    assert [poster_initial(t) for t in titles] == ["5", "M", "W", "A", "?", "?"]
