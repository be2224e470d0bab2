"""One home for each idea (issue 24): work that used to be done twice is done once, by one function.

- the taxonomy's features and the micro-genres' label fit: once per run, whoever reads them;
- the id registry: at most one read per request (``/trends`` made up to 11);
- the search facets: one definition, aggregated by OpenSearch or counted in the app;
- gunicorn: one starter (``bench.server``), for the tests and the benchmarks;
- the load generator: ``bench.load``, for every load benchmark;
- ``bench relevance`` ranks with the app's own ``webapp.explore.views.find``.
"""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest
from opensearchpy import helpers
from test_taxonomy_units import _themed

from indexer import incremental
from indexer.features.theme_features import ThemeFeatures
from indexer.pipeline import micro_genres
from indexer.publish import lineage
from indexer.taxonomy import quality
from indexer.taxonomy.compose import Taxonomy
from indexer.taxonomy.compose import report as taxonomy_report

# --- indexer: features and label fit, once per run ------------------------------------------


def _counting(monkeypatch, owner, name: str) -> list:
    calls: list = []
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    return calls


def _run_stages(corpus):
    """What ``indexer.pipeline`` does with a fitted taxonomy, in its order (no I/O)."""
    taxonomy = Taxonomy(features=ThemeFeatures(svd_dim=3, min_keywords=2), neighbours=8)  # the production clusterer: stages_of needs its placement
    result = taxonomy.fit(corpus)
    micro = micro_genres(result, corpus)
    report = taxonomy_report(result, corpus)
    micro, _ = lineage.assign(None, list(range(len(corpus.vectors))), result, corpus, micro)
    stages = incremental.stages_of(taxonomy, result, [g.id for g in micro])
    return result, micro, report, stages


def test_a_run_computes_the_features_once(monkeypatch):
    corpus, _ = _themed()
    transforms = _counting(monkeypatch, ThemeFeatures, "transform")
    result, _, _, stages = _run_stages(corpus)
    assert len(transforms) == 1  # Taxonomy.fit's fit_transform; stages_of reads result.features
    again = stages.features.transform(corpus.vectors, corpus.keyword_lists)
    assert np.allclose(result.features, again)
    own = np.linalg.norm(again - result.feature_centroids[result.labels], axis=1).mean()
    assert stages.clustered_distance == round(float(own), 4)


def test_a_run_measures_the_micro_genres_label_fit_once(monkeypatch):
    corpus, _ = _themed()
    fits = _counting(monkeypatch, quality, "label_fit")
    result, micro, report, _ = _run_stages(corpus)
    micro_calls = [args for args in fits if args[0] == result.groups]
    assert len(micro_calls) == 1  # Taxonomy.fit; the documents, the report and lineage read result.label_fits
    assert len(fits) == 2  # ... and once for the macro themes, in lineage.assign
    expected = quality.label_fit(result.groups, [m.phrases for m in result.micro], corpus.texts)
    assert result.label_fits == expected
    assert [m.label_fit for m in micro] == [round(f, 4) for f in expected]
    assert report["label_fit_mean"] == round(float(np.mean(expected)), 4)


# --- web: the id registry, at most one read per request ------------------------------------


@pytest.fixture
def registry(tiny_index, os_client):
    """Retired ids in the tiny index's registry: micro 900001 -> 900002 -> 0, macro 900003 -> 1."""
    index = tiny_index.ids_index
    docs = [("micro", 900001, 900002), ("micro", 900002, 0), ("macro", 900003, 1)]
    actions = [
        {"_index": index, "_id": f"{kind}-{old}", "_source": {"kind": kind, "id": old, "status": "retired", "successor": new, "run_id": "test"}}
        for kind, old, new in docs
    ]
    actions += [{"_index": index, "_id": f"micro-{i}", "_source": {"kind": "micro", "id": i, "status": "live", "run_id": "test"}} for i in range(6)]
    helpers.bulk(os_client, actions, refresh=True)
    yield index
    os_client.indices.delete(index=index, ignore_unavailable=True)


def _registry_reads(monkeypatch, app, index: str) -> list[str]:
    transport = app.extensions["opensearch"].transport
    reads: list[str] = []
    original = transport.perform_request

    def counting(method, url, *args, **kwargs):
        if url.lstrip("/").split("/")[0] == index:
            reads.append(f"{method} {url}")
        return original(method, url, *args, **kwargs)

    monkeypatch.setattr(transport, "perform_request", counting)
    return reads


def test_retired_ids_cost_at_most_one_registry_read_per_request(tiny_app, registry, monkeypatch):
    reads = _registry_reads(monkeypatch, tiny_app, registry)
    client = tiny_app.test_client()
    cases = [
        ("/api/trends?micro=900001,900002,0,1&cloud_micro=900001", 1),  # was one GET per id and hop: 8
        ("/api/search?q=vault&mode=keyword&micro_genre=900001&macro=900003", 1),
        ("/api/search?q=vault&mode=keyword&micro_genre=0", 1),
        ("/api/search?q=vault&mode=keyword", 0),
        ("/micro-genres/900001", 1),
    ]
    for url, expected in cases:
        reads.clear()
        resp = client.get(url)
        assert resp.status_code < 400 or url.startswith("/micro-genres"), (url, resp.status_code)
        assert len(reads) == expected, (url, reads)
    resp = client.get("/api/search?micro_genre=900001")  # an empty query browses
    assert {r["micro_genre"]["id"] for r in resp.get_json()["results"]} == {0}  # the chain was followed
    assert client.get("/micro-genres/900002").headers["Location"].endswith("/micro-genres/0?moved_from=900002")


def test_a_new_retirement_is_seen_by_the_next_request(tiny_app, registry, os_client):
    client = tiny_app.test_client()
    assert client.get("/micro-genres/900004").status_code == 404
    os_client.index(
        index=registry, id="micro-900004", refresh=True, body={"kind": "micro", "id": 900004, "status": "retired", "successor": 2, "run_id": "test"}
    )
    assert client.get("/micro-genres/900004").headers["Location"].endswith("/micro-genres/2?moved_from=900004")


# --- web: one definition of the facets -----------------------------------------------------


def test_the_facets_have_one_definition():
    from webapp.explore import search

    aggs = search.aggregations()
    assert list(aggs) == list(search.FACETS) == list(search.count_facets([]))
    for name, facet in search.FACETS.items():
        assert aggs[name]["terms"]["field"] == facet.field and aggs[name]["terms"]["size"] == facet.size
        assert ("aggs" in aggs[name]) == (facet.label_field is not None)
    assert aggs["decades"]["terms"]["order"] == {"_key": "asc"}
    # the app's counting cuts each facet where OpenSearch's terms size does
    sources = [{"genres": [f"g{i:02d}"], "decade": 1900 + i} for i in range(40)]
    counted = search.count_facets(sources)
    assert len(counted["genres"]) == search.FACETS["genres"].size and len(counted["decades"]) == 40


# --- bench and tests: one gunicorn starter, one load generator ------------------------------


def test_tests_start_gunicorn_through_the_bench_starter(monkeypatch):
    import servers

    from bench import server

    started = []
    monkeypatch.setattr(server, "start", lambda settings, port, extra_env=None, **options: started.append((extra_env, options)) or "proc")
    monkeypatch.setattr(server, "stop", lambda proc, seconds=30: started.append(("stopped", proc)))
    with servers.gunicorn(object(), workers=2, threads=3) as url:
        assert url.startswith("http://127.0.0.1:")
    (env, options), stopped = started
    assert env == {"WEB_WORKERS": "2", "WEB_THREADS": "3", "BIND_HOST": "127.0.0.1"} and stopped == ("stopped", "proc")


def test_the_load_generator_counts_answers_and_errors():
    from bench import load, profile_search, search_latency, web_layout

    assert search_latency.closed_loop is load.closed_loop is web_layout.closed_loop is profile_search.closed_loop
    answered = itertools.count()

    def send(session, q: str) -> float:
        if next(answered) % 3 == 2:
            raise ValueError(q)
        time.sleep(0.002)
        return 1.0

    result = load.closed_loop(send, itertools.cycle(["a", "b"]), clients=2, seconds=0.3)
    assert result["requests"] > 10 and result["errors"] > 0
    assert result["latency_ms"]["p50"] >= 2 and result["opensearch_took_ms"]["p50"] == 1.0
    assert load.percentile([], 50) != load.percentile([], 50)  # NaN
    assert load.percentile([3.0, 1.0, 2.0], 50) == 2.0


def test_bench_relevance_ranks_with_the_apps_search():
    from bench import relevance
    from webapp.explore import views

    assert relevance.find is views.find
