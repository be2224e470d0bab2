"""`indexer add` of 200 held-out films vs a warm full reindex, measured in one run (issue 16).

Into throwaway aliases: a full run on the catalogue without 200 evenly spread films (warm:
embeddings cached), then ``add`` of those 200, then a full run on the whole catalogue (the
baseline a reindex would cost). Also reported: how often ``add`` put a held-out film in the
group the full run containing it gives it (matched by persistent id, which the full run keeps).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from opensearchpy import helpers

from bench.catalogue import hold_out
from indexer.incremental import add, stages_dir
from indexer.pipeline import run as reindex
from mgm.client import make_client
from mgm.settings import Settings

HELD_OUT = 200


def _assignment(client, alias: str, ids: list[int]) -> dict[int, int]:
    query = {"query": {"ids": {"values": [str(i) for i in ids]}}, "_source": ["micro_genre_id"]}
    return {int(h["_id"]): h["_source"]["micro_genre_id"] for h in helpers.scan(client, index=alias, query=query)}


def run(settings: Settings) -> dict:
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    bench = settings.scoped(prefix)
    client = make_client(settings)
    tmp = Path(tempfile.mkdtemp(prefix="mgm-bench-"))
    kept, held = tmp / "kept.csv", tmp / "held.csv"
    held_ids = hold_out(settings.movies_csv, kept, held, HELD_OUT)
    load_at_start = os.getloadavg()
    try:
        base = reindex(bench, csv=kept, progress=False)
        start = time.perf_counter()
        added = add(bench, held)
        add_seconds = round(time.perf_counter() - start, 3)
        by_add = _assignment(client, bench.index_alias, held_ids)
        full = reindex(bench, progress=False)  # the whole catalogue; persistent ids make groups comparable
        by_full = _assignment(client, bench.index_alias, held_ids)
        both = [i for i in held_ids if i in by_add and i in by_full]
        return {
            "held_out": HELD_OUT,
            "add_seconds": add_seconds,
            "full_reindex_seconds": full["total_seconds"],
            "add_vs_full": round(add_seconds / full["total_seconds"], 4),
            "base_run_seconds": base["total_seconds"],
            "add_counts": added["counts"],
            "same_micro_genre_as_full_run": round(sum(by_add[i] == by_full[i] for i in both) / len(both), 4),
            "full_run_identity": full["identity"],
            "load_average": {"start": load_at_start, "end": os.getloadavg()},
        }
    finally:
        client.indices.delete(index=f"{prefix}-*", ignore_unavailable=True)
        shutil.rmtree(stages_dir(bench.cache_dir, bench.micro_alias), ignore_errors=True)
