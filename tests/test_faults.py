"""Fault injection against real servers. Each test ends with the aliases serving a complete
index holding every document, and says what it observed on the way.

- OpenSearch SIGKILLed during bulk indexing, then restarted (a second server on its own port).
- The indexer SIGKILLed between building and swapping (its lease must expire, not block forever).
- Two concurrent ``indexer run``: the second refuses with one line.
- A reindex while 8 clients search through gunicorn: not one non-200 answer.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
import requests
from servers import PYTHON, LocalOpenSearch, free_port, gunicorn, settings_env
from tiny_index import build_tiny, tiny_settings

from indexer.publish.lease import Lease, LeaseHeld, lease_index
from indexer.publish.store import alias_targets
from mgm.client import make_client
from mgm.settings import PROJECT_ROOT
from webapp import create_app

CHILD_ENV = {"PYTHONPATH": f"{PROJECT_ROOT / 'tests'}{os.pathsep}{PROJECT_ROOT}"}


def serving(client, settings) -> dict:
    """alias -> (its indices, documents behind it)."""
    return {a: (alias_targets(client, a), client.count(index=a)["count"]) for a in (settings.index_alias, settings.micro_alias)}


def child(code: str, settings, *args: str, **env: str) -> subprocess.Popen:
    """A Python child process running ``code`` (with ``args``) and ``settings`` in its environment."""
    return subprocess.Popen(
        [PYTHON, "-c", code, *args],
        cwd=PROJECT_ROOT,
        env=settings_env(settings, **CHILD_ENV, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


BUILD_CHILD = """
import sys
from pathlib import Path
from mgm.client import make_client
from mgm.settings import Settings
from tiny_index import build_tiny
settings = Settings.from_env()
build_tiny(make_client(settings, timeout=5), settings, Path(sys.argv[1]), sys.argv[2], n=int(sys.argv[3]))
"""


# --- 1. OpenSearch killed during the bulk load ------------------------------------------------


@pytest.fixture(scope="module")
def second_opensearch():
    state = Path(f"/tmp/mgm-fault-opensearch-{uuid.uuid4().hex[:8]}")  # reachable by the server's own user
    state.mkdir(mode=0o755)
    server = LocalOpenSearch(free_port(), state)  # never a leftover server answering on a fixed port
    try:
        server.up()
        yield server
    finally:
        server.down()
        shutil.rmtree(state, ignore_errors=True)


@pytest.mark.full
def test_opensearch_sigkilled_during_bulk_then_restarted(second_opensearch, settings, tmp_path):
    server = second_opensearch
    tiny = tiny_settings(replace(settings, opensearch_url=server.url), "fault-oskill")
    client = make_client(tiny)
    build_tiny(client, tiny, tmp_path, "v1", n=60)
    before = serving(client, tiny)
    app = create_app(tiny, load_model=False).test_client()
    assert app.get("/api/search?q=vault&mode=keyword").status_code == 200

    big = child(BUILD_CHILD, tiny, str(tmp_path), "v2", "20000")
    half_built = f"{tiny.index_alias}-v2"
    deadline, indexed = time.monotonic() + 120, 0
    while time.monotonic() < deadline:  # kill once the bulk load has indexed some documents
        try:
            stats = client.indices.stats(index=half_built, metric="indexing")
            indexed = stats["_all"]["primaries"]["indexing"]["index_total"]
            if indexed > 0:
                break
        except Exception:  # noqa: BLE001 - not created yet
            pass
        time.sleep(0.05)
    server.kill()
    assert big.wait(120) != 0, "the indexer must fail when OpenSearch dies under it"

    down = app.get("/api/search?q=vault&mode=keyword")
    assert down.status_code == 503 and "OpenSearch" in down.get_json()["error"]
    server.up()
    client.cluster.health(wait_for_status="yellow")
    assert serving(client, tiny) == before  # the old indices still serve, every document there
    assert app.get("/api/search?q=vault&mode=keyword").status_code == 200  # recovered, no restart

    result = build_tiny(client, tiny, tmp_path, "v3", n=60)
    after = serving(client, tiny)
    assert after == {tiny.index_alias: ([f"{tiny.index_alias}-v3"], 60), tiny.micro_alias: ([f"{tiny.micro_alias}-v3"], 6)}
    assert half_built in result["pruned"] or not client.indices.exists(index=half_built)
    print(
        f"\nFAULT os-sigkill-during-bulk: killed with {indexed} of 20000 documents in {half_built}; indexer exit {big.returncode}; "
        "API 503 while down, 200 after restart; "
        f"before {before}; after {after}; pruned {result['pruned']}"
    )


# --- 2. The indexer killed between building and swapping ------------------------------------


HOLD_CHILD = """
import sys
import time
from pathlib import Path
from indexer.publish.lease import Lease, lease_index
from mgm.client import make_client
from mgm.settings import Settings
from tiny_index import build_tiny
settings = Settings.from_env()
client = make_client(settings)
lease = Lease(client, lease_index(settings.runs_index), "doomed-run", settings.reindex_lease_ttl)
lease.acquire()

def stall(counts):
    lease.assert_held()
    print("BUILT", counts, flush=True)
    time.sleep(600)

build_tiny(client, settings, Path(sys.argv[1]), "v2", n=60, before_swap=stall)
"""


def test_indexer_sigkilled_between_build_and_swap(os_client, settings, tmp_path):
    tiny = tiny_settings(settings, f"test-fault-ixkill-{uuid.uuid4().hex[:6]}")
    ttl = 3.0
    try:
        build_tiny(os_client, tiny, tmp_path, "v1", n=60)
        before = serving(os_client, tiny)
        proc = child(HOLD_CHILD, tiny, str(tmp_path), REINDEX_LEASE_TTL=str(ttl))
        line = proc.stdout.readline()
        assert line.startswith("BUILT"), proc.stderr.read()
        proc.kill()
        proc.wait()
        built = [f"{tiny.index_alias}-v2", f"{tiny.micro_alias}-v2"]
        assert all(os_client.indices.exists(index=i) for i in built)  # complete, never swapped
        assert serving(os_client, tiny) == before

        successor = Lease(os_client, lease_index(tiny.runs_index), "next-run", ttl)
        with pytest.raises(LeaseHeld, match="doomed-run"):
            successor.acquire()  # the dead run's lease is still fresh
        time.sleep(ttl + 0.5)
        with successor:  # expired: taken over, not blocking forever
            result = build_tiny(os_client, tiny, tmp_path, "v3", n=60)
        after = serving(os_client, tiny)
        assert after == {tiny.index_alias: ([f"{tiny.index_alias}-v3"], 60), tiny.micro_alias: ([f"{tiny.micro_alias}-v3"], 6)}
        assert set(built) <= set(result["pruned"])  # the orphans of the killed run are gone
        print(
            f"\nFAULT indexer-sigkill-before-swap: aliases unchanged {before}; lease refused, then taken over after "
            f"{ttl:.0f} s; after {after}; pruned {result['pruned']}"
        )
    finally:
        os_client.indices.delete(index=f"{tiny.runs_index.removesuffix('-runs')}-*", ignore_unavailable=True)


FROZEN_CHILD = """
import sys
from indexer.publish.lease import Lease, LeaseLost, lease_index
from mgm.client import make_client
from mgm.settings import Settings
settings = Settings.from_env()
lease = Lease(make_client(settings), lease_index(settings.runs_index), "frozen-run", settings.reindex_lease_ttl)
lease.acquire()
print("HELD", flush=True)
sys.stdin.readline()  # SIGSTOPped here by the test, then resumed
try:
    lease.assert_held()
except LeaseLost as exc:
    print("LOST", exc, flush=True)
    sys.exit(3)
print("STILL HELD", flush=True)
"""


def test_a_frozen_run_whose_lease_was_taken_over_cannot_swap(os_client, settings):
    """SIGSTOP a lease holder past its expiry (a VM pause, a long GC): on waking it must not swap."""
    tiny = tiny_settings(settings, f"test-fault-frozen-{uuid.uuid4().hex[:6]}")
    ttl = 2.0
    proc = subprocess.Popen(
        [PYTHON, "-c", FROZEN_CHILD],
        cwd=PROJECT_ROOT,
        env=settings_env(tiny, **CHILD_ENV, REINDEX_LEASE_TTL=str(ttl)),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().startswith("HELD"), proc.stderr.read()
        proc.send_signal(signal.SIGSTOP)
        time.sleep(ttl + 0.5)
        with Lease(os_client, lease_index(tiny.runs_index), "next-run", 30):
            proc.send_signal(signal.SIGCONT)
            proc.stdin.write("go\n")
            proc.stdin.flush()
            out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 3 and out.startswith("LOST run frozen-run lost its reindex lease"), out
    finally:
        proc.kill()
        os_client.indices.delete(index=f"{tiny.runs_index}*", ignore_unavailable=True)


# --- 3 + 4. A reindex under 8 searching clients, and a second concurrent run -----------------

CLIENT_URLS = [
    "/api/search?q=astronaut+stranded+on+mars&mode=hybrid&size=10",
    "/api/search?q=bank+heist&mode=keyword&size=10",
    "/api/search?q=sharks&mode=semantic&size=10",
    "/api/search?genre=Animation&sort=rating",
    "/api/movies/603",
    "/api/movies/603/similar?size=5",
    "/api/micro-genres",
    "/api/overview",
    "/api/trends",
    "/explore?q=toys+come+to+life",
    "/overview",
]


def test_reindex_under_8_clients_and_a_concurrent_run_refused(live_index, os_client):
    """The full CLI on the real CSV, re-pointing the session's aliases while gunicorn serves them."""
    answers: Counter = Counter()
    failures: list[str] = []
    stop = threading.Event()
    env = settings_env(live_index, REINDEX_LEASE_TTL="30")
    with gunicorn(live_index, workers=2, threads=4) as url:

        def hammer(i: int) -> None:
            session = requests.Session()
            n = i
            while not stop.is_set():
                path = CLIENT_URLS[n % len(CLIENT_URLS)]
                n += 1
                try:
                    status = session.get(url + path, timeout=60).status_code
                except requests.RequestException as exc:
                    status = type(exc).__name__
                answers[status] += 1
                if status != 200:
                    failures.append(f"{status} {path}")

        before = serving(os_client, live_index)
        threads = [threading.Thread(target=hammer, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        first = subprocess.Popen(
            [PYTHON, "-m", "indexer", "run", "--quiet"], cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        lease_doc = lease_index(live_index.runs_index)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not os_client.exists(index=lease_doc, id="reindex", ignore=[404]):
            time.sleep(0.2)
        second = subprocess.run([PYTHON, "-m", "indexer", "run", "--quiet"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
        out, err = first.communicate(timeout=900)
        stop.set()
        for t in threads:
            t.join()
    assert first.returncode == 0, err
    assert second.returncode == 1 and second.stdout == ""
    assert second.stderr.count("\n") == 1 and second.stderr.startswith("indexer: another reindex is running"), second.stderr
    after = serving(os_client, live_index)
    report = os_client.search(index=live_index.runs_index, body={"size": 1, "sort": [{"finished_at": "desc"}]})["hits"]["hits"][0]["_source"]
    assert after[live_index.index_alias][0] != before[live_index.index_alias][0]  # swapped to the new run
    assert after[live_index.index_alias][1] == report["counts"]["movies"] == before[live_index.index_alias][1]
    assert after[live_index.micro_alias][1] == report["k"]
    assert not failures, f"{len(failures)} non-200 answers during the reindex: {Counter(failures).most_common(5)}"
    assert answers[200] > 100
    print(
        f"\nFAULT reindex-under-8-clients: {sum(answers.values())} requests, {dict(answers)}; "
        f"second run: {second.stderr.strip()!r}; before {before}; after {after}",
        file=sys.stderr,
    )
