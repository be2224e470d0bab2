"""Atomic reindex against the real OpenSearch: a failing reindex leaves the aliases alone."""
from __future__ import annotations

import pytest

from indexer.store import IndexingError, alias_targets, mapping, publish, write_run, last_run


def micro(i: int, **extra) -> dict:
    return {"id": i, "label": f"Genre {i}", "keywords": ["a", "b", "c", "d", "e"], "macro_genre": "M", "macro_genre_id": 0,
            "size": 3, "mean_rating": 6.0, "weighted_rating": 6.1, "mean_popularity": 2.0, "year_min": 1990,
            "year_max": 2000, "top_genres": ["Drama"], "top_movies": [{"id": 1, "title": "x", "year": 1990, "vote_average": 6.0}],
            "centroid": [0.05] * 384, **extra}


def plan(base: str, n: int, docs_a: list[dict], docs_b: list[dict]) -> dict:
    body = mapping("micro_genres")
    return {f"{base}-a": (f"{base}-a-{n}", body, docs_a), f"{base}-b": (f"{base}-b-{n}", body, docs_b)}


def counts(client, base: str) -> dict:
    return {alias: (alias_targets(client, alias), client.count(index=alias)["count"]) for alias in (f"{base}-a", f"{base}-b")}


@pytest.mark.parametrize(
    "bad_docs, problem",
    [
        ([micro(1), micro(2, bogus="not in the strict mapping")], "document rejected"),
        ([micro(1), micro(1), micro(2)], "expected 3"),  # a duplicate id: count mismatch
    ],
)
def test_failing_reindex_keeps_old_aliases_and_removes_half_built_indices(os_client, scratch_index, bad_docs, problem):
    base = scratch_index
    publish(os_client, plan(base, 1, [micro(i) for i in range(5)], [micro(i) for i in range(3)]))
    before = counts(os_client, base)
    assert before == {f"{base}-a": ([f"{base}-a-1"], 5), f"{base}-b": ([f"{base}-b-1"], 3)}

    with pytest.raises(IndexingError, match=problem):
        publish(os_client, plan(base, 2, [micro(i) for i in range(7)], bad_docs))

    assert counts(os_client, base) == before  # both aliases, same indices, same counts
    for index in (f"{base}-a-2", f"{base}-b-2"):
        assert not os_client.indices.exists(index=index)


def test_swap_moves_both_aliases_and_keeps_only_the_previous_index(os_client, scratch_index):
    base = scratch_index
    for n in (1, 2, 3):
        result = publish(os_client, plan(base, n, [micro(i) for i in range(n)], [micro(i) for i in range(n + 1)]))
    assert counts(os_client, base) == {f"{base}-a": ([f"{base}-a-3"], 3), f"{base}-b": ([f"{base}-b-3"], 4)}
    assert result["previous"] == {f"{base}-a": [f"{base}-a-2"], f"{base}-b": [f"{base}-b-2"]}
    assert sorted(result["pruned"]) == [f"{base}-a-1", f"{base}-b-1"]
    assert os_client.indices.exists(index=f"{base}-a-2") and not os_client.indices.exists(index=f"{base}-a-1")


def test_run_reports_are_stored_including_failures(os_client, scratch_index):
    runs = f"{scratch_index}-runs"
    write_run(os_client, runs, {"run_id": "r1", "status": "ok", "started_at": "2024-01-01T00:00:00Z", "timings": {"load": 0.1}})
    write_run(os_client, runs, {"run_id": "r2", "status": "failed", "started_at": "2024-01-02T00:00:00Z", "error": "boom"})
    latest = last_run(os_client, runs)
    assert latest["run_id"] == "r2" and latest["status"] == "failed" and latest["error"] == "boom"
