"""Issue 16: `indexer add` on the real data: 200 held-out films added to a full run without them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from opensearchpy import helpers

from bench.catalogue import hold_out, read_rows, write_rows
from indexer.incremental import AddRefused, add
from indexer.pipeline import run
from indexer.taxonomy.identity import jaccard
from mgm.client import stored_vectors
from mgm.settings import PROJECT_ROOT


def _assignment(client, alias: str) -> dict[int, int]:
    return {int(h["_id"]): h["_source"]["micro_genre_id"] for h in helpers.scan(client, index=alias, query={"_source": ["micro_genre_id"]})}


def _env(s) -> dict[str, str]:
    """The CLI's environment for the scoped settings."""
    return {
        **os.environ,
        "INDEX_ALIAS": s.index_alias,
        "MICRO_ALIAS": s.micro_alias,
        "RUNS_INDEX": s.runs_index,
        "IDS_INDEX": s.ids_index,
        "OPENSEARCH_URL": s.opensearch_url,
    }


def _sizes_match(client, s) -> None:
    counts = client.search(index=s.index_alias, body={"size": 0, "aggs": {"m": {"terms": {"field": "micro_genre_id", "size": 1000}}}})
    by_id = {b["key"]: b["doc_count"] for b in counts["aggregations"]["m"]["buckets"]}
    docs = {h["_source"]["id"]: h["_source"]["size"] for h in helpers.scan(client, index=s.micro_alias, query={"_source": ["id", "size"]})}
    assert {i: n for i, n in docs.items() if n} == by_id


def test_add_puts_held_out_films_live_in_their_micro_genre(os_client, settings, scoped_settings, live_index, tmp_path):
    s = scoped_settings
    kept, held = tmp_path / "kept.csv", tmp_path / "held.csv"
    held_ids = hold_out(settings.movies_csv, kept, held, 200)
    base = run(s, csv=kept, progress=False)
    before = os_client.count(index=s.index_alias)["count"]
    report = add(s, held)
    assert report["counts"]["added"] + report["counts"]["updated"] == len(held_ids) - sum(report["rejected"].values())
    assert os_client.count(index=s.index_alias)["count"] == before + report["counts"]["added"]
    found = os_client.search(index=s.index_alias, body={"size": 0, "query": {"ids": {"values": [str(i) for i in held_ids]}}})
    assert found["hits"]["total"]["value"] == report["counts"]["added"] + report["counts"]["updated"]
    title = read_rows(held)[1][0]["title"]
    hits = os_client.search(index=s.index_alias, body={"size": 50, "query": {"match_phrase": {"title": title}}})["hits"]["hits"]
    assert any(int(h["_id"]) == held_ids[0] for h in hits)
    _sizes_match(os_client, s)

    # agreement with a full run containing them (the session's run on the whole CSV): a held-out
    # film agrees when its added group is the full run's group that best overlaps it
    added, full = _assignment(os_client, s.index_alias), _assignment(os_client, live_index.index_alias)
    shared = set(added) & set(full) - set(held_ids)
    groups_a: dict[int, set[int]] = {}
    groups_f: dict[int, set[int]] = {}
    for f in shared:
        groups_a.setdefault(added[f], set()).add(f)
        groups_f.setdefault(full[f], set()).add(f)
    best = {a: max(groups_f, key=lambda g: jaccard(frozenset(m), frozenset(groups_f[g]))) for a, m in groups_a.items()}
    live_held = [f for f in held_ids if f in added and f in full]
    agreement = sum(best.get(added[f]) == full[f] for f in live_held) / len(live_held)
    baseline = sum(best[added[f]] == full[f] for f in shared) / len(shared)  # the clustered films, same mapping

    status = subprocess.run([sys.executable, "-m", "indexer", "status"], capture_output=True, text=True, cwd=PROJECT_ROOT, env=_env(s))
    drift = json.loads(status.stdout)["since_last_run"]
    print(
        json.dumps(
            {
                "held_out": len(held_ids),
                "agreement_with_full_run": round(agreement, 4),
                "clustered_films_same_mapping": round(baseline, 4),
                "drift": drift,
                "full_run_seconds": base["total_seconds"],
            }
        )
    )
    assert drift["added"] == report["counts"]["added"] and drift["distance_ratio"] > 0
    # The run's own rule (indexer.taxonomy.place) put 0.83 of them where the full run does offline;
    # the nearest feature centroid it replaced, 0.50.
    assert agreement >= 0.75

    # an edited overview is re-embedded and re-assigned; the sizes stay right
    fields, rows = read_rows(held)
    edited = tmp_path / "edited.csv"
    write_rows(edited, fields, [dict(rows[0], overview="A crew of thieves plans the robbery of a bank vault.", keywords="[]")])
    film = int(rows[0]["id"])
    old_vector = np.asarray(stored_vectors(os_client, s.index_alias, [film])[film])
    again = add(s, edited)
    assert again["counts"]["updated"] == 1 and again["counts"]["added"] == 0
    new_vector = np.asarray(stored_vectors(os_client, s.index_alias, [film])[film])
    assert float(old_vector @ new_vector) < 0.95  # re-embedded from the new text
    _sizes_match(os_client, s)

    # too many films at once: refused with one line, nothing changed
    count = os_client.count(index=s.index_alias)["count"]
    with pytest.raises(AddRefused, match="full reindex"):
        add(replace(s, add_max_share=0.01), held)
    assert os_client.count(index=s.index_alias)["count"] == count


def test_cli_add_without_a_live_index_is_refused_in_one_line(scoped_settings, tmp_path):
    s = scoped_settings
    done = subprocess.run(
        [sys.executable, "-m", "indexer", "add", "--csv", str(tmp_path / "new.csv")], capture_output=True, text=True, cwd=PROJECT_ROOT, env=_env(s)
    )
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [f"indexer: add refused: no live index behind {s.micro_alias!r}: run a full reindex first"]


def test_cli_add_while_a_reindex_holds_the_lease_is_refused_in_one_line(os_client, scoped_settings, tmp_path):
    """A full run building new indices would swap in indices without the added films: an add
    refuses at its start, naming the run, and leaves the lease to its holder."""
    from indexer.publish.lease import LEASE_ID, Lease, lease_index

    s = scoped_settings
    with Lease(os_client, lease_index(s.runs_index), "full-run-in-progress", 60):
        done = subprocess.run(
            [sys.executable, "-m", "indexer", "add", "--csv", str(tmp_path / "new.csv")],
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
            env=_env(s),
        )
        holder = os_client.get(index=lease_index(s.runs_index), id=LEASE_ID)["_source"]["owner"]
    assert done.returncode == 1 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith("indexer: another reindex is running (run full-run-in-progress"), done.stderr
    assert holder == "full-run-in-progress"
