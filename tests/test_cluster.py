"""Failover on a real 3-node OpenSearch cluster, through the web app.

Run by ``make test-cluster`` (which ``make test`` runs after the main suite): it starts
``opensearch/local.sh up --nodes 3`` and points ``OPENSEARCH_URL`` at all three nodes. The
movies index is built with 2 shards and 1 replica, so every shard has a copy on a second
node. While 8 clients search through the app, the node holding a primary is SIGKILLed, then
restarted with the same script. The test counts the failed requests (bounded), measures the
time back to green, and checks that document counts and a fixed query set's results are
identical before and after. A reindex while a node is down must succeed, or fail cleanly
with the old alias still serving. The failover table and the reindex outcome are written
to ``artifacts/cluster-failover.json`` and ``artifacts/cluster-reindex.json`` (quoted in
docs/scale.md).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests
from opensearchpy.exceptions import TransportError

from mgm.client import make_client

ROOT = Path(__file__).resolve().parent.parent
NODES = 3
SHARDS, REPLICAS = 2, 1
CLIENTS = 8
# Fixed query set: plot descriptions, themes and a title, each in the three search modes.
QUERIES = [
    "astronaut stranded on mars",
    "zombie apocalypse survival",
    "bank heist crew",
    "shark attack island",
    "haunted house",
    "boxing underdog",
    "time travel paradox",
    "Titanic",
]
MODES = ("keyword", "semantic", "hybrid")
# At most this share of searches may fail while a node dies and comes back.
MAX_ERROR_RATE = 0.02
REPORT = ROOT / "artifacts" / "cluster-failover.json"
REINDEX_REPORT = ROOT / "artifacts" / "cluster-reindex.json"


def local_sh(*args: str, base_port: int) -> subprocess.CompletedProcess:
    """``opensearch/local.sh`` for the cluster whose first node listens on ``base_port``."""
    env = dict(os.environ, OPENSEARCH_PORT=str(base_port), OPENSEARCH_NODES=str(NODES))
    return subprocess.run(["opensearch/local.sh", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def cluster(settings):
    """The running 3-node cluster: its client and the HTTP port of node-1."""
    REPORT.parent.mkdir(exist_ok=True)
    assert len(settings.opensearch_hosts) == NODES, "OPENSEARCH_URL must list the 3 nodes: run `make test-cluster`"
    client = make_client(settings)
    status = cluster_health(client, 120, wait_for_nodes=str(NODES), wait_for_status="green")
    assert status["number_of_nodes"] == NODES and status["status"] == "green"
    return client, urlparse(settings.opensearch_hosts[0]).port


@pytest.fixture(scope="module")
def cluster_index(settings, cluster):
    """A full indexer run on the real CSV with 2 shards and 1 replica, in unique aliases."""
    from indexer.pipeline import run

    client, _ = cluster
    prefix = f"test-cluster-{uuid.uuid4().hex[:8]}"
    live = replace(
        settings,
        index_alias=f"{prefix}-movies",
        micro_alias=f"{prefix}-micro-genres",
        runs_index=f"{prefix}-runs",
        index_shards=SHARDS,
        index_replicas=REPLICAS,
    )
    try:
        run(live, progress=False)
        cluster_health(client, 120, wait_for_status="green")
        yield live
    finally:
        client.indices.delete(index=f"{prefix}-*", ignore_unavailable=True)


@pytest.fixture(scope="module")
def app_url(cluster_index):
    """The web app in a real server thread, given every node's URL. The per-client rate limit is
    off: the 8 load threads share one address, and on a quiet machine they passed its 50 requests
    a second, so its 429s (1,444 of 3,433 once, every one after the node restart) read as lost
    searches. What is measured here is the cluster, as in every load bench (``bench.server``)."""
    from werkzeug.serving import make_server

    from webapp import create_app

    server = make_server("127.0.0.1", 0, create_app(replace(cluster_index, rate_limit_per_second=0)), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


# What "identical results" can mean on replicated shards. A primary and its replica hold the
# same documents but not the same Lucene doc ids, so films with EQUAL scores come back in
# either order, depending on the copy that answered (measured on a healthy cluster: keyword
# "boxing underdog"). And k-NN is approximate: each copy builds its own HNSW graph, so the
# tail of a semantic or hybrid ranking differs between copies (measured: totals 239 vs 241).
# So: keyword answers are compared as their total and their (score, id) list, equal scores
# ordered by id, without the ties at the page's cut-off; semantic and hybrid answers as the
# set of their top 5 films.
VECTOR_TOP = 5


def canonical(results: list[dict]) -> list[int]:
    """Ids best first, ties by id, dropping the films tied with the last one shown.

    Only the order is compared, not the BM25 scores themselves: a primary and its replica keep
    their own segments, so term statistics (and a score) can differ slightly between copies
    (measured: Titanic's top hit scored 148.3 on one copy and 144.4 on the other, same films
    in the same order).
    """
    scored = sorted((-round(r["score"], 4), r["id"]) for r in results)
    cutoff = scored[-1][0] if scored else 0
    return [i for s, i in scored if s < cutoff]


def fixed_results(app_url: str) -> dict[str, dict]:
    """What must not change: per fixed query and mode, through the app."""
    out = {}
    for q in QUERIES:
        for mode in MODES:
            body = requests.get(f"{app_url}/api/search", params={"q": q, "mode": mode, "size": 20}, timeout=30).json()
            if mode == "keyword":
                out[f"{mode}:{q}"] = {"total": body["total"], "ranked": canonical(body["results"])}
            else:
                out[f"{mode}:{q}"] = {"top": sorted(r["id"] for r in body["results"][:VECTOR_TOP])}
    return out


class Load:
    """CLIENTS threads searching through the app until stopped; every outcome is counted.

    A keyword answer whose total differs from the healthy cluster's counts as an error too:
    it would be a silently partial answer (a shard missing from the result)."""

    def __init__(self, app_url: str, totals: dict[str, int]):
        self.app_url, self.totals = app_url, totals
        self.outcomes: Counter = Counter()
        self.lock, self.stop = threading.Lock(), threading.Event()
        self.threads = [threading.Thread(target=self._client, args=(i,)) for i in range(CLIENTS)]

    def _client(self, offset: int) -> None:
        session, i = requests.Session(), offset
        while not self.stop.is_set():
            q, mode = QUERIES[i % len(QUERIES)], MODES[(i // len(QUERIES)) % len(MODES)]
            i += 1
            try:
                resp = session.get(f"{self.app_url}/api/search", params={"q": q, "mode": mode, "size": 20}, timeout=30)
                if resp.status_code != 200:
                    outcome = f"http_{resp.status_code}"
                elif mode == "keyword" and resp.json()["total"] != self.totals[f"{mode}:{q}"]:
                    outcome = "partial"
                else:
                    outcome = "ok"
            except requests.RequestException as exc:
                outcome = type(exc).__name__
            with self.lock:
                self.outcomes[outcome] += 1

    def __enter__(self) -> Load:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join()

    @property
    def errors(self) -> int:
        return sum(n for outcome, n in self.outcomes.items() if outcome != "ok")


def cluster_health(client, seconds: int, **wait: str) -> dict:
    """``_cluster/health`` waiting up to ``seconds`` server-side for the ``wait_for_*`` conditions.
    (opensearch-py would read a ``timeout=`` argument as its own request timeout.)"""
    return client.cluster.health(params={**wait, "timeout": f"{seconds}s"}, request_timeout=seconds + 30)


def primary_node(client, index: str) -> int:
    """Number of a node (node-N) holding a primary shard of ``index``: killing it forces a promotion."""
    shards = client.cat.shards(index=index, format="json", h="prirep,node")
    return int(next(s["node"] for s in shards if s["prirep"] == "p").split("-")[1])


def kill_node(node: int, base_port: int, client) -> float:
    """SIGKILL node-N by its PID file; return the seconds until the cluster counts one node less."""
    pid = int(local_sh("pid", str(node), base_port=base_port).stdout.strip())
    os.kill(pid, signal.SIGKILL)
    t0 = time.perf_counter()
    cluster_health(client, 60, wait_for_nodes=str(NODES - 1))
    return time.perf_counter() - t0


def restart_node(base_port: int, client) -> float:
    """``local.sh up --nodes 3`` starts the missing node; return seconds until green.

    Replicas whose allocation failed while the node was away stay unassigned once OpenSearch has
    used up ``index.allocation.max_retries`` (a CI run saw the cluster yellow 180 s after the
    restart, 2 shards unassigned, none initialising): if green has not come in 180 s, they are
    retried once, as an operator would (``_cluster/reroute?retry_failed``), and given 180 s more."""
    t0 = time.perf_counter()
    result = local_sh("up", base_port=base_port)
    assert result.returncode == 0, result.stderr[-2000:]
    try:
        status = cluster_health(client, 180, wait_for_nodes=str(NODES), wait_for_status="green")
    except TransportError as slow:
        if slow.status_code != 408:  # 408: the wait timed out, the cluster is still yellow
            raise
        client.cluster.reroute(params={"retry_failed": "true"})
        status = cluster_health(client, 180, wait_for_nodes=str(NODES), wait_for_status="green")
    assert status["status"] == "green", status
    return time.perf_counter() - t0


def test_losing_a_node_loses_no_search_and_no_document(cluster, cluster_index, app_url):
    client, base_port = cluster
    alias = cluster_index.index_alias
    (index,) = client.indices.get_alias(name=alias)
    settings = client.indices.get_settings(index=index)[index]["settings"]["index"]
    assert (settings["number_of_shards"], settings["number_of_replicas"]) == (str(SHARDS), str(REPLICAS))
    nodes_with_copies = {s["node"] for s in client.cat.shards(index=index, format="json", h="node")}
    assert len(nodes_with_copies) >= 2, "shard copies must be spread over several nodes"

    count_before = client.count(index=alias)["count"]
    before = fixed_results(app_url)
    for _ in range(3):  # several rounds reach both copies of each shard
        assert fixed_results(app_url) == before, "results must be stable on a healthy cluster"
    victim = primary_node(client, index)

    with Load(app_url, {k: v["total"] for k, v in before.items() if "total" in v}) as load:
        time.sleep(3)
        detected = kill_node(victim, base_port, client)
        time.sleep(5)  # searches keep running on the two survivors
        until_restart = dict(load.outcomes)
        back_to_green = restart_node(base_port, client)
        time.sleep(2)
    total = sum(load.outcomes.values())

    count_after = client.count(index=alias)["count"]
    after = fixed_results(app_url)
    report = {
        "cluster": {"nodes": NODES, "shards": SHARDS, "replicas": REPLICAS, "clients": CLIENTS},
        "killed": f"node-{victim} (SIGKILL; it held a primary of {index})",
        "searches": total,
        "errors": load.errors,
        "error_rate": round(load.errors / total, 4),
        "outcomes": dict(load.outcomes),
        "outcomes_before_the_restart": until_restart,
        "seconds_to_notice_node_loss": round(detected, 1),
        "seconds_restart_to_green": round(back_to_green, 1),
        "documents_before_after": [count_before, count_after],
        "fixed_queries_identical": after == before,
        "fixed_queries": len(before),
    }
    REPORT.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    assert total > 50, "the 8 clients must have searched throughout"
    assert load.errors <= MAX_ERROR_RATE * total, report
    assert count_after == count_before > 4000
    assert after == before


def test_reindex_with_a_node_down_succeeds_or_leaves_the_old_alias_serving(cluster, cluster_index, app_url):
    from indexer.pipeline import run

    client, base_port = cluster
    alias = cluster_index.index_alias
    old = sorted(client.indices.get_alias(name=alias))
    count_before = client.count(index=alias)["count"]
    kill_node(primary_node(client, old[0]), base_port, client)
    try:
        with Load(app_url, {k: v["total"] for k, v in fixed_results(app_url).items() if "total" in v}) as load:
            try:
                report, error = run(cluster_index, progress=False), None
            except Exception as exc:  # noqa: BLE001 - a clean failure is an accepted outcome
                report, error = None, exc
    finally:
        restart_node(base_port, client)
    now = sorted(client.indices.get_alias(name=alias))
    outcome = {
        "reindex_with_node_down": "ok" if error is None else f"failed cleanly: {error}",
        "alias_before": old,
        "alias_after": now,
        "searches_during_reindex": dict(load.outcomes),
    }
    REINDEX_REPORT.write_text(json.dumps(outcome, indent=2) + "\n")
    print(json.dumps(outcome, indent=2))
    assert load.errors <= MAX_ERROR_RATE * sum(load.outcomes.values()), dict(load.outcomes)
    if error is None:
        assert report["status"] == "ok" and now == [report["movies_index"]] != old
    else:
        assert now == old, f"a failed reindex ({error}) must leave the alias where it was"
    assert client.count(index=alias)["count"] == count_before
    ok = requests.get(f"{app_url}/api/search", params={"q": QUERIES[0], "mode": "hybrid"}, timeout=30)
    assert ok.status_code == 200 and ok.json()["total"] > 0
