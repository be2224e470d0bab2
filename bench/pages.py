"""Server time of the Landing, Overview, Trends, About, map, micro-genre and likes pages and their JSON endpoints.

Measured in-process with Flask's test client (no network, no gunicorn): the time from request
to complete response body, over ``REQUESTS`` requests each, in three states:
- warm: the in-process aggregation cache holds the page;
- cold_app: ``agg_cache.reset()`` before every request (OpenSearch's shard request cache may
  still answer the aggregations);
- cold_all: also clears OpenSearch's request cache of the two indices, so every aggregation
  is computed again.
Baseline in the same run: the raw ``_msearch`` round trips the pages send, straight from the
client, with and without OpenSearch's request cache.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import numpy as np

from mgm.settings import Settings
from webapp import create_app
from webapp.api.msearch import msearch_lines
from webapp.insights import agg_cache
from webapp.insights.aggregations import overview_searches, picked_body, top_movies_body, trends_searches
from webapp.insights.chart_data import default_picked, ranked_micro_ids
from webapp.insights.params import Filters, parse_trends

REQUESTS = 50
TARGET_WARM_P95_MS = 50.0
TARGET_COLD_P95_MS = 300.0


def _stats(samples: list[float]) -> dict:
    arr = np.array(samples)
    return {
        "p50_ms": round(float(np.percentile(arr, 50)), 2),
        "p95_ms": round(float(np.percentile(arr, 95)), 2),
        "max_ms": round(float(arr.max()), 2),
        "n": len(samples),
    }


def _time(fn: Callable[[], object], before: Callable[[], object] | None = None, n: int = REQUESTS) -> dict:
    samples = []
    for _ in range(n):
        if before:
            before()
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return _stats(samples)


def run(settings: Settings) -> dict:
    app = create_app(settings, load_model=False)
    client = app.extensions["opensearch"]
    http = app.test_client()
    movies, micro = agg_cache.concrete_indices(client, settings.index_alias, settings.micro_alias)
    macro = http.get("/api/overview").get_json()["catalog"]["macros"][0]["id"]
    landing = http.get("/api/landing").get_json()
    micro_id = landing["largest"][0]["micro_id"]
    liked = ",".join(str(f["id"]) for f in landing["rows"][0]["films"][:3])
    urls = [
        "/",
        "/overview",
        "/trends",
        "/about-model",
        "/api/landing",
        "/api/overview",
        "/api/trends",
        f"/api/trends?year_from=1980&year_to=2009&macro={macro}",
        f"/trends?macro={macro}",
        # discovery pages: the map's JSON is cached per index; micro-genre pages and likes query live
        "/map",
        "/api/map",
        f"/micro-genres/{micro_id}",
        f"/micro-genres/{micro_id}?sort=rating&page=2",
        f"/likes?ids={liked}",
    ]

    def get(url: str) -> Callable[[], None]:
        def fetch() -> None:
            resp = http.get(url)
            assert resp.status_code == 200, (url, resp.status_code)
            resp.get_data()

        return fetch

    def clear_opensearch_cache() -> None:
        agg_cache.reset()
        client.indices.clear_cache(index=f"{movies},{micro}", request=True)

    endpoints = {}
    for url in urls:
        get(url)()  # fill the cache once
        endpoints[url] = {
            "warm": _time(get(url)),
            "cold_app": _time(get(url), before=agg_cache.reset),
            "cold_all": _time(get(url), before=clear_opensearch_cache),
        }
    agg_cache.reset()

    overview = http.get("/api/overview").get_json()
    trends = http.get("/api/trends").get_json()
    params = parse_trends({})
    follow_ups = {
        "overview": [(movies, top_movies_body(Filters(), ranked_micro_ids(overview)))],
        "trends": [(movies, picked_body(params.filters, default_picked(trends)))],
    }

    def msearch(searches, cache: bool) -> Callable[[], None]:
        body = msearch_lines(searches, request_cache=cache, ignore_unavailable=True)  # as the pages send it
        return lambda: client.msearch(body=body)

    baseline = {}
    firsts = {
        "overview": overview_searches(movies, micro, settings.runs_index, Filters()),
        "trends": trends_searches(movies, params),
    }
    for name, searches in firsts.items():
        baseline[name] = {
            "msearch_cached": _time(msearch(searches, True)),
            "msearch_uncached": _time(msearch(searches, False)),
            "follow_up_uncached": _time(msearch(follow_ups[name], False)),
        }
    alias_lookup = _time(lambda: agg_cache.concrete_indices(client, settings.index_alias, settings.micro_alias))

    warm_p95 = max(e["warm"]["p95_ms"] for e in endpoints.values())
    cold_p95 = max(e["cold_all"]["p95_ms"] for e in endpoints.values())
    return {
        "server": "Flask test client, in-process (no network, no gunicorn); OpenSearch on 127.0.0.1",
        "requests_per_measurement": REQUESTS,
        "indices": {"movies": movies, "micro": micro},
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpu_count": os.cpu_count(),
        "endpoints": endpoints,
        "baseline": {**baseline, "alias_lookup": alias_lookup},
        "targets": {"warm_p95_ms": TARGET_WARM_P95_MS, "cold_p95_ms": TARGET_COLD_P95_MS},
        "worst": {"warm_p95_ms": warm_p95, "cold_all_p95_ms": cold_p95},
        "meets_targets": {"warm": warm_p95 <= TARGET_WARM_P95_MS, "cold": cold_p95 <= TARGET_COLD_P95_MS},
    }
