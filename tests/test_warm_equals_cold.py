"""Issue 23: a warm reindex, served from the caches, publishes exactly what a cold run does.

The caches (film and keyword vectors keyed by sha256 of model + backend + text, the map's
layout keyed by the vectors' hash) are what keep a warm reindex under 20 s, and they must never
change the result. Two real indexer runs on the same 300 films of the real CSV, each into fresh
aliases of its own so neither sees the other's ids: the first with an empty cache directory
(everything computed), the second reading what the first wrote. The run reports prove the
second encoded nothing; every published document must be equal, field for field.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import prefixed_aliases
from opensearchpy import helpers

from indexer.pipeline import run

FILMS = 300
RUN_FIELDS = ("taxonomy", "head_check", "k", "n_macro", "macro_genres", "top_micro_genres")  # what the run found, not when or how fast


def _first_rows(source: Path, target: Path, n: int) -> Path:
    """The header and the first ``n`` rows of ``source`` (written under the test's tmp_path only)."""
    with source.open(newline="", encoding="utf-8") as src, target.open("w", newline="", encoding="utf-8") as out:
        reader, writer = csv.reader(src), csv.writer(out)
        writer.writerow(next(reader))
        for _, row in zip(range(n), reader):
            writer.writerow(row)
    return target


def _documents(client, alias: str) -> dict[str, dict]:
    return {h["_id"]: h["_source"] for h in helpers.scan(client, index=alias, query={"query": {"match_all": {}}})}


@pytest.mark.full  # two indexer runs, the first encoding every text: not in `make test-fast`
def test_a_warm_run_publishes_what_a_cold_run_does(os_client, settings, tmp_path):
    films = _first_rows(settings.movies_csv, tmp_path / "films.csv", FILMS)
    cache = tmp_path / "cache"
    with prefixed_aliases(settings, os_client, "test-cold") as cold, prefixed_aliases(settings, os_client, "test-warm") as warm:
        cold_report = run(replace(cold, cache_dir=cache), csv=films, progress=False)
        warm_report = run(replace(warm, cache_dir=cache), csv=films, progress=False)

        assert cold_report["status"] == warm_report["status"] == "ok"
        assert cold_report["counts"]["encoded"] == cold_report["counts"]["movies"] > 0 and cold_report["counts"]["keywords_encoded"] > 0
        assert warm_report["counts"]["encoded"] == warm_report["counts"]["keywords_encoded"] == warm_report["counts"]["candidates_encoded"] == 0
        assert len(list(cache.glob("map-*.npy"))) == 1  # one layout, computed cold and read warm

        for alias in ("index_alias", "micro_alias"):
            cold_docs, warm_docs = _documents(os_client, getattr(cold, alias)), _documents(os_client, getattr(warm, alias))
            assert len(cold_docs) > 0 and cold_docs.keys() == warm_docs.keys()
            assert [i for i in cold_docs if cold_docs[i] != warm_docs[i]] == []
        assert {f: cold_report[f] for f in RUN_FIELDS} == {f: warm_report[f] for f in RUN_FIELDS}
