"""Atomic reindex against the real OpenSearch: a failing reindex leaves the aliases alone."""

from __future__ import annotations

import pytest

from indexer.publish.lease import Lease, LeaseHeld, LeaseLost, lease_index
from indexer.publish.store import (
    IndexingError,
    SwapError,
    alias_targets,
    discard_unaliased,
    last_run,
    mapping,
    missing_fields,
    publish,
    swap_aliases,
    write_run,
)


def micro(i: int, **extra) -> dict:
    return {
        "id": i,
        "label": f"Genre {i}",
        "keywords": ["a", "b", "c", "d", "e"],
        "macro_genre": "M",
        "macro_genre_id": 0,
        "size": 3,
        "mean_rating": 6.0,
        "weighted_rating": 6.1,
        "mean_popularity": 2.0,
        "year_min": 1990,
        "year_max": 2000,
        "top_genres": ["Drama"],
        "top_movies": [{"id": 1, "title": "x", "year": 1990, "vote_average": 6.0}],
        "centroid": [0.05] * 384,
        **extra,
    }


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


# --- safe publishing: the swap is a compare-and-set, sent once, verified; the lease ---------


def test_report_hook_runs_after_building_and_before_the_swap(os_client, scratch_index):
    base = scratch_index
    publish(os_client, plan(base, 1, [micro(i) for i in range(2)], [micro(i) for i in range(2)]))
    seen = {}

    def before_swap(counts):
        seen["counts"] = counts
        seen["aliases"] = {a: alias_targets(os_client, a) for a in (f"{base}-a", f"{base}-b")}
        seen["built"] = os_client.count(index=f"{base}-a-2")["count"]

    publish(os_client, plan(base, 2, [micro(i) for i in range(4)], [micro(i) for i in range(3)]), before_swap=before_swap)
    assert seen == {"counts": {f"{base}-a": 4, f"{base}-b": 3}, "aliases": {f"{base}-a": [f"{base}-a-1"], f"{base}-b": [f"{base}-b-1"]}, "built": 4}
    assert counts(os_client, base) == {f"{base}-a": ([f"{base}-a-2"], 4), f"{base}-b": ([f"{base}-b-2"], 3)}


def test_a_failing_hook_swaps_nothing(os_client, scratch_index):
    base = scratch_index
    publish(os_client, plan(base, 1, [micro(0)], [micro(0)]))
    before = counts(os_client, base)

    def lost(_counts):
        raise LeaseLost("run x lost its reindex lease")

    with pytest.raises(LeaseLost):
        publish(os_client, plan(base, 2, [micro(i) for i in range(3)], [micro(0)]), before_swap=lost)
    assert counts(os_client, base) == before and not os_client.indices.exists(index=f"{base}-a-2")


def test_swap_is_idempotent_and_refuses_a_stale_view(os_client, scratch_index):
    base = scratch_index
    publish(os_client, plan(base, 1, [micro(0)], [micro(0)]))
    publish(os_client, plan(base, 2, [micro(0), micro(1)], [micro(0)]))
    new = {f"{base}-a": f"{base}-a-2", f"{base}-b": f"{base}-b-2"}
    assert swap_aliases(os_client, new) == {f"{base}-a": [f"{base}-a-2"], f"{base}-b": [f"{base}-b-2"]}  # already there: no call
    for n in (3, 4):
        os_client.indices.create(index=f"{base}-a-{n}", body=mapping("micro_genres"))
        os_client.indices.create(index=f"{base}-b-{n}", body=mapping("micro_genres"))
    stale = {f"{base}-a": [f"{base}-a-1"], f"{base}-b": [f"{base}-b-1"]}  # what a racing run saw earlier
    with pytest.raises(SwapError, match="aliases unchanged"):
        swap_aliases(os_client, {f"{base}-a": f"{base}-a-3", f"{base}-b": f"{base}-b-3"}, previous=stale)
    assert counts(os_client, base) == {f"{base}-a": ([f"{base}-a-2"], 2), f"{base}-b": ([f"{base}-b-2"], 1)}


def test_cleanup_never_deletes_an_index_an_alias_points_to(os_client, scratch_index):
    base = scratch_index
    publish(os_client, plan(base, 1, [micro(0)], [micro(0)]))
    os_client.indices.create(index=f"{base}-a-9", body=mapping("micro_genres"))
    assert discard_unaliased(os_client, [f"{base}-a-1", f"{base}-a-9", f"{base}-a-missing"]) == [f"{base}-a-9"]
    assert os_client.indices.exists(index=f"{base}-a-1")


def test_lease_refuses_a_second_holder_until_released(os_client, scratch_index):
    index = lease_index(f"{scratch_index}-runs")
    first = Lease(os_client, index, "run-1", ttl=30)
    with first:
        with pytest.raises(LeaseHeld, match=r"another reindex is running \(run run-1, pid \d+ on .+\); its lease expires at"):
            Lease(os_client, index, "run-2", ttl=30).acquire()
        first.assert_held()  # renewals are compare-and-set on our own version
    with Lease(os_client, index, "run-2", ttl=30) as second:
        second.assert_held()


def test_ensure_sees_a_live_index_built_before_the_mapping_gained_a_field(os_client, scratch_index):
    """An index made from an older movies mapping (no ``title.trigram``) is reported stale;
    one made from the current mapping is not."""
    old = mapping("movies")
    del old["mappings"]["properties"]["title"]["fields"]["trigram"]
    alias = f"{scratch_index}-movies"
    os_client.indices.create(index=f"{scratch_index}-old", body=old)
    os_client.indices.put_alias(index=f"{scratch_index}-old", name=alias)
    assert missing_fields(os_client, alias, "movies") == ["title.trigram"]
    os_client.indices.create(index=f"{scratch_index}-new", body=mapping("movies"))
    os_client.indices.update_aliases(
        body={"actions": [{"remove": {"index": f"{scratch_index}-old", "alias": alias}}, {"add": {"index": f"{scratch_index}-new", "alias": alias}}]}
    )
    assert missing_fields(os_client, alias, "movies") == []
