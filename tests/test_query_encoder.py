"""The web process's query encoder: lean (no torch), equal to the indexer, safely exported.

Runs a real gunicorn worker against the session's real index, the real CSV and the real
model; nothing is stubbed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import requests

from bench import server
from indexer.ingest.load import load_movies
from indexer.ingest.text import embedding_text
from mgm.client import stored_vectors
from mgm.model import cache_namespace
from mgm.model_files import bundled_model_dir, export_dir, export_ready, model_identity
from mgm.onnx_export import quantized
from mgm.query_encoder import BatchingEncoder, EncoderUnavailable, QueryEncoder, ensure_export, load_query_encoder, query_graph
from mgm.settings import PROJECT_ROOT

HEAVY = {"torch", "transformers", "sentence_transformers"}

# A gunicorn config: the production one plus a hook that records, after every request, which
# of the heavy packages the worker has imported (and the torch libraries it has mapped).
# The hook runs after the response went out, so it also records the paths it has seen: the
# test waits for its last request's path before reading.
OVERLAY = """
import json, os, sys
from pathlib import Path
exec(Path("webapp/gunicorn.conf.py").read_text())
PATHS = []
def post_request(worker, req, environ, resp):
    PATHS.append(req.path)
    heavy = sorted({m.split(".")[0] for m in sys.modules} & {"torch", "transformers", "sentence_transformers"})
    maps = [l for l in Path("/proc/self/maps").read_text().splitlines() if "libtorch" in l]
    out = Path(os.environ["DUMP_DIR"], f"{os.getpid()}.json")
    out.with_suffix(".tmp").write_text(json.dumps({"heavy": heavy, "libtorch": len(maps), "paths": PATHS}))
    os.replace(out.with_suffix(".tmp"), out)
"""


def _dump_after(path: Path, last: str, seconds: float = 30) -> dict:
    """The worker's record once it includes the request to ``last``."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if path.is_file() and last in (seen := json.loads(path.read_text()))["paths"]:
            return seen
        time.sleep(0.1)
    raise AssertionError(f"the worker recorded no request to {last} within {seconds:.0f} s")


def test_a_real_gunicorn_worker_never_imports_torch(live_index, tmp_path):
    config = tmp_path / "overlay.conf.py"
    config.write_text(OVERLAY)
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    port = server.free_port()
    env = dict(
        os.environ,
        PORT=str(port),
        OPENSEARCH_URL=live_index.opensearch_url,
        INDEX_ALIAS=live_index.index_alias,
        MICRO_ALIAS=live_index.micro_alias,
        RUNS_INDEX=live_index.runs_index,
        DUMP_DIR=str(dumps),
        WEB_WORKERS="1",
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "--config", str(config), "webapp:create_app()"], cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        server.wait_ready(proc, f"{base}/healthz")
        for mode in ("hybrid", "semantic", "keyword"):
            resp = requests.get(f"{base}/api/search", params={"q": "a robot falls in love", "mode": mode}, timeout=60)
            assert resp.status_code == 200 and resp.json()["results"]
        assert requests.get(f"{base}/explore", params={"q": "heist in space"}, timeout=60).status_code == 200
        assert requests.get(f"{base}/api/micro-genres", params={"q": "space"}, timeout=60).status_code == 200
        (worker,) = server.worker_pids(proc.pid)
        seen = _dump_after(dumps / f"{worker}.json", "/api/micro-genres")
    finally:
        server.stop(proc)
    assert (seen["heavy"], seen["libtorch"]) == ([], 0)
    assert {"/api/search", "/explore"} <= set(seen["paths"])


def test_query_vectors_equal_the_indexed_ones_on_1000_movies(live_index, os_client):
    """The web encoder against the vectors the indexer stored (cosine >= 0.9999 each)."""
    movies = load_movies(live_index.movies_csv).movies[:1000]
    # One id per call: with several ids, stored_vectors answered every hit with one film's
    # vector (the script's doc-values buffer is reused; reported, mgm/client.py is not ours).
    indexed = {m.id: stored_vectors(os_client, live_index.index_alias, [m.id])[m.id] for m in movies}
    assert len(indexed) == 1000
    encoder = QueryEncoder(ensure_export(live_index), threads=2)
    texts = sorted(((embedding_text(m), m.id) for m in movies), key=lambda t: len(t[0]))  # similar lengths per batch
    ours = {}
    for start in range(0, len(texts), 32):
        chunk = texts[start : start + 32]
        ours.update(zip((i for _, i in chunk), encoder.encode([t for t, _ in chunk])))
    cosines = np.array([float(np.dot(ours[i], indexed[i]) / np.linalg.norm(indexed[i])) for i in ours])
    assert cosines.min() >= 0.9999, f"lowest cosine {cosines.min():.6f}"
    assert np.allclose(np.linalg.norm(np.stack(list(ours.values())), axis=1), 1.0, atol=1e-5)


def test_concurrent_queries_share_one_pass_and_each_gets_its_own_vector(settings):
    """Requests that arrive while the model runs are encoded together in the next pass; every
    caller gets the vector a lone call gives, and one bad text fails only its own caller."""
    model = QueryEncoder(ensure_export(settings))
    texts = [f"a lonely robot learns to love, take {i}" + " again" * i for i in range(8)]
    alone = {t: model.encode([t])[0] for t in texts}
    batches: list[int] = []
    real_encode = model.encode

    def slow_first_pass(batch: list[str]):
        batches.append(len(batch))
        if len(batches) == 1:
            time.sleep(0.3)  # the other callers queue up meanwhile
        return real_encode(batch)

    model.encode = slow_first_pass
    encoder = BatchingEncoder(model)
    results: dict = {}

    def call(text) -> None:
        try:
            results[text] = encoder.encode_one(text)
        except Exception as exc:  # recorded: the bad text must fail alone
            results[text] = exc

    first = threading.Thread(target=call, args=(texts[0],))
    first.start()
    time.sleep(0.05)
    others = [threading.Thread(target=call, args=(t,)) for t in [*texts[1:], None]]
    for t in others:
        t.start()
    for t in [first, *others]:
        t.join(timeout=30)
    assert batches[:2] == [1, 8]  # the lone first call, then everyone who queued behind it in one pass
    assert isinstance(results[None], AttributeError)
    for text in texts:
        assert np.allclose(results[text], alone[text], atol=1e-5), text


def test_an_interrupted_pass_fails_its_callers_and_hands_the_model_on(settings):
    """Even an interruption that is not an Exception finishes every job of its pass (nobody
    waits forever) and the requests queued behind it still get their vectors."""
    model = QueryEncoder(ensure_export(settings))
    real_encode, passes = model.encode, []

    def interrupted_first_pass(batch: list[str]):
        passes.append(len(batch))
        if len(passes) == 1:
            time.sleep(0.3)
            raise KeyboardInterrupt
        return real_encode(batch)

    model.encode = interrupted_first_pass
    encoder = BatchingEncoder(model)
    results: dict = {}

    def call(text: str) -> None:
        try:
            results[text] = encoder.encode_one(text)
        except BaseException as exc:  # recorded: the first caller sees the interruption itself
            results[text] = exc

    first = threading.Thread(target=call, args=("first",))
    first.start()
    time.sleep(0.05)
    queued = [threading.Thread(target=call, args=(f"queued {i}",)) for i in range(3)]
    for t in queued:
        t.start()
    for t in [first, *queued]:
        t.join(timeout=30)
        assert not t.is_alive()
    assert isinstance(results["first"], KeyboardInterrupt)
    assert all(results[f"queued {i}"].shape == (384,) for i in range(3))
    assert encoder.encode_one("afterwards").shape == (384,)


def test_two_workers_exporting_at_once_share_no_temporary_folder(settings, tmp_path):
    """Both exports run (in subprocesses, as a worker would) into one empty cache: one result."""
    fresh = replace(settings, cache_dir=tmp_path / "cache")
    folders, errors = [], []

    def export() -> None:
        try:
            folders.append(ensure_export(fresh))
        except Exception as exc:  # reported below, with the other thread's outcome
            errors.append(exc)

    threads = [threading.Thread(target=export) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(folders) == 2 and folders[0] == folders[1] and export_ready(folders[0])
    assert sorted(p.name for p in fresh.cache_dir.iterdir()) == [folders[0].name]  # no temporary folder left
    assert not (folders[0] / "model.safetensors").exists()  # the export runs without the torch weights
    vector = QueryEncoder(folders[0]).encode(["two rival magicians"])
    assert vector.shape == (1, 384)


def test_export_and_embedding_cache_are_keyed_by_the_model_files_and_backend(settings, tmp_path):
    source = bundled_model_dir(settings.model_dir)
    copy = tmp_path / "model-copy"
    shutil.copytree(source, copy)
    assert model_identity(copy) == model_identity(source)  # same files, same identity
    with open(copy / "README.md", "a") as fh:
        fh.write("\nchanged\n")
    assert model_identity(copy) != model_identity(source)
    assert export_dir(copy, settings.cache_dir) != export_dir(source, settings.cache_dir)
    cpu = replace(settings, embed_device="cpu")
    keys = {
        cache_namespace(replace(cpu, embed_backend="onnx")),
        cache_namespace(replace(cpu, embed_backend="torch")),
        cache_namespace(replace(cpu, model_dir=copy)),
    }
    assert len(keys) == 3


def test_the_int8_query_encoder_gives_a_query_one_vector_whatever_runs_beside_it(settings):
    """Dynamic quantization takes each activation's int8 scale from the whole batch, so int8
    vectors of one text differ with its batch-mates; the web app's int8 encoder therefore
    encodes each query alone, and concurrent requests get exactly a lone call's vector."""
    folder = ensure_export(settings)
    raw = QueryEncoder(folder, graph=quantized(folder))
    text, other = "two rival magicians", "a very long and rambling description of a heist " * 8
    assert not np.array_equal(raw.encode([text, other])[0], raw.encode([text])[0]), "int8 batches no longer move a vector: max_batch=1 may go"
    encoder = load_query_encoder(replace(settings, query_backend="onnx-int8"))
    assert encoder.max_batch == 1
    texts = [f"{text}, take {i}" + " again" * i for i in range(8)]
    alone = {t: raw.encode([t])[0] for t in texts}
    results: dict = {}
    threads = [threading.Thread(target=lambda t=t: results.__setitem__(t, encoder.encode_one(t))) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert all(np.array_equal(results[t], alone[t]) for t in texts)
    fp32 = QueryEncoder(folder).encode(texts)
    assert min(float(a @ results[t]) for a, t in zip(fp32, texts)) >= 0.98  # the float32 vectors it stands in for


def test_an_unknown_query_backend_is_refused_with_the_setting_named(settings):
    with pytest.raises(EncoderUnavailable, match=r"unknown QUERY_BACKEND 'fp16': use onnx or onnx-int8"):
        query_graph(replace(settings, query_backend="fp16"))
    assert query_graph(replace(settings, query_backend="onnx"))[1] is None


def test_gunicorn_refuses_an_unknown_query_backend_in_one_line(settings):
    env = server.settings_env(settings, PORT=str(server.free_port()), QUERY_BACKEND="fp16")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    done = subprocess.run(
        [str(gunicorn), "--config", "webapp/gunicorn.conf.py", "webapp:create_app()"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "unknown QUERY_BACKEND 'fp16'" in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_a_model_that_cannot_be_exported_names_the_command_to_run(settings, tmp_path):
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text("{}")
    with pytest.raises(EncoderUnavailable, match=r"run `python -m mgm.onnx_export`"):
        ensure_export(replace(settings, model_dir=broken, cache_dir=tmp_path / "cache"))
    assert not any((tmp_path / "cache").glob("*.tmp"))


def _pins(name: str) -> dict[str, str]:
    lines = (PROJECT_ROOT / name).read_text().splitlines()
    return dict(line.lower().split("==") for line in lines if line and not line.startswith("#"))


def test_the_locks_are_lean_and_pinned_alike():
    web, indexer, dev = _pins("requirements/web.txt"), _pins("requirements/indexer.txt"), _pins("requirements/dev.txt")
    for lock in (web, indexer, dev):  # no torch anywhere: not even the dev venv needs it
        assert not HEAVY & {n.replace("-", "_") for n in lock} and "sentence-transformers" not in lock
        assert not any(n.startswith("nvidia-") for n in lock)
    assert {n: indexer.get(n) for n in web} == web and {n: dev.get(n) for n in indexer} == indexer  # same versions


IMPORTED_DISTRIBUTIONS = """
import importlib, importlib.metadata as md, json, pkgutil, sys
import mgm.dashboards, mgm.query_encoder, webapp
for m in pkgutil.walk_packages(webapp.__path__, "webapp."):  # the page families' packages too
    importlib.import_module(m.name)
names = md.packages_distributions()
print(json.dumps(sorted({d for t in {m.split('.')[0] for m in sys.modules} for d in names.get(t, [])})))
"""


def test_the_web_image_holds_every_package_the_web_process_imports():
    """Imported in a fresh interpreter, every webapp module's packages are in requirements/web.txt."""
    done = subprocess.run([sys.executable, "-c", IMPORTED_DISTRIBUTIONS], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {n.lower().replace("_", "-") for n in json.loads(done.stdout)} - {"setuptools"}  # setuptools: in every Python image
    web = {n.replace("_", "-") for n in _pins("requirements/web.txt")}
    assert imported - web == set()
    assert not imported & {"torch", "transformers", "sentence-transformers"}
