"""Orchestrate one indexer run: load -> text -> embed -> cluster -> label -> index -> report.

Each stage is timed; the report (counts, rejections, k curve, metrics, versions) is written to
the runs index whether the run succeeds or fails.
"""
from __future__ import annotations

import platform
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
from tqdm import tqdm

from indexer import cluster as clustering
from indexer import label as labelling
from indexer.documents import MicroGenre, micro_doc, movie_doc, rating_prior
from indexer.embed import CACHE_FILE, EmbeddingCache
from indexer.load import Movie, load_movies
from indexer.lease import Lease, lease_index
from indexer.store import mapping, publish, write_run
from indexer.text import embedding_text, grounding_text, theme_keywords
from mgm.client import make_client
from mgm.settings import Settings

PACKAGES = ("numpy", "scikit-learn", "sentence-transformers", "keybert", "onnxruntime", "opensearch-py", "pandas")


@dataclass
class Timer:
    timings: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(time.perf_counter() - start, 3)


@dataclass
class Mined:
    clustering: clustering.Clustering
    micro: list[MicroGenre]
    relevance: float
    quality: dict
    members: list[list[int]]


def _bar(progress: bool, total: int, desc: str) -> tqdm:
    return tqdm(total=total, desc=desc, unit="it", file=sys.stderr, disable=not progress, leave=False)


def _groups(labels: np.ndarray, k: int) -> list[list[int]]:
    members: list[list[int]] = [[] for _ in range(k)]
    for i, c in enumerate(labels):
        members[int(c)].append(i)
    return members


def _versions(settings: Settings) -> dict[str, str]:
    found = {"python": platform.python_version(), "model": "sentence-transformers/all-MiniLM-L6-v2", "backend": settings.embed_backend}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            pass
    return found


def mine(movies: list[Movie], x: np.ndarray, k: int | str, settings: Settings, labeler: labelling.Labeler, timer: Timer) -> Mined:
    """Cluster the vectors and label micro-genres and macro themes."""
    with timer.stage("k_sweep"):
        if k == "auto":
            curve, _ = clustering.cached_sweep(x, settings.cache_dir)
            k = clustering.choose_k(curve)
        else:
            curve = []
    with timer.stage("cluster"):
        result = clustering.cluster(x, int(k), curve)
    with timer.stage("label"):
        texts = [grounding_text(m) for m in movies]
        vocabulary = labelling.keyword_vocabulary([theme_keywords(m.keywords) for m in movies])
        movie_phrases = [labelling.phrases(t, vocabulary) for t in texts]
        members = _groups(result.labels, result.k)
        micro_kw, micro_labels = labeler.name(members, texts, movie_phrases, result.centroids)
        macro_members = [
            [i for c in np.flatnonzero(result.macro_of_micro == m) for i in members[c]] for m in range(result.n_macro)
        ]
        macro_centroids = clustering.normalize(np.stack([x[g].mean(axis=0) for g in macro_members]))
        _, macro_labels = labeler.name(macro_members, texts, movie_phrases, macro_centroids, min_words=1)
        member_texts = [[texts[i] for i in g] for g in members]
        relevance = labelling.label_relevance(micro_kw, member_texts)
        baseline = labelling.frequent_keywords(members, movie_phrases)
        quality = {
            "label_distinctiveness": round(labelling.label_distinctiveness(micro_kw, members, movie_phrases), 4),
            "baseline": {
                "method": "5 most frequent keyword phrases per micro-genre (no contrast, no KeyBERT)",
                "label_relevance": round(labelling.label_relevance(baseline, member_texts), 4),
                "label_distinctiveness": round(labelling.label_distinctiveness(baseline, members, movie_phrases), 4),
            },
        }
    micro = [
        MicroGenre(c, micro_labels[c], micro_kw[c], int(result.macro_of_micro[c]), macro_labels[int(result.macro_of_micro[c])])
        for c in range(result.k)
    ]
    return Mined(result, micro, relevance, quality, members)


def run(settings: Settings, csv: Path | None = None, k: int | str = "auto", progress: bool = True) -> dict:
    """One full reindex; returns the run report (also stored in ``settings.runs_index``).

    The run holds the reindex lease from start to end, so a second run refuses at once
    (``LeaseHeld``, no report: it never started). The report is written *before* the
    alias swap, so the first page served from the new indices already finds its run.
    """
    started = datetime.now(timezone.utc)
    run_id = started.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
    client = make_client(settings.opensearch_url, timeout=120)
    lease = Lease(client, lease_index(settings.runs_index), run_id, settings.reindex_lease_ttl)
    lease.acquire()
    timer = Timer()
    report: dict = {"run_id": run_id, "status": "failed", "started_at": started.isoformat(), "timings": timer.timings}
    t0 = time.perf_counter()

    def finish(status: str) -> None:
        now = datetime.now(timezone.utc).isoformat()
        report.update(status=status, finished_at=now, total_seconds=round(time.perf_counter() - t0, 3))

    def before_swap(counts: dict[str, int]) -> None:
        lease.assert_held()
        report["counts"].update(indexed_movies=counts[settings.index_alias], indexed_micro=counts[settings.micro_alias])
        finish("ok")
        write_run(client, settings.runs_index, report)

    try:
        _run(settings, Path(csv or settings.movies_csv), k, progress, timer, report, client, before_swap)
        finish("ok")
        return report
    except BaseException as exc:
        finish("failed")
        report["error"] = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        lease.release()
        try:
            write_run(client, settings.runs_index, report)
        except Exception:  # the run's own error matters more than a lost report
            if report["status"] == "ok":
                raise


def _run(settings: Settings, csv: Path, k: int | str, progress: bool, timer: Timer, report: dict, client, before_swap) -> None:
    from keybert import KeyBERT

    from mgm.model import MODEL_NAME, encode, load_model

    with timer.stage("load"):
        loaded = load_movies(csv)
    report["rejected"] = dict(loaded.rejected)
    report["counts"] = {"rows": loaded.rows, "movies": len(loaded.movies), "retention": round(loaded.retention, 4)}
    movies = loaded.movies
    if len(movies) < 2:
        raise ValueError(f"{csv}: only {len(movies)} usable movie(s)")
    with timer.stage("model"):
        model = load_model(settings.model_dir, settings.embed_backend, settings.cache_dir)
    with timer.stage("embed"):
        cache = EmbeddingCache(settings.cache_dir / CACHE_FILE, MODEL_NAME, lambda b: encode(model, b))
        texts = [embedding_text(m) for m in movies]
        with _bar(progress, len(texts), "embed") as bar:
            x, encoded = cache.embed(texts, progress=bar.update)
    report["counts"]["encoded"] = encoded
    encoded_candidates = []

    def embed_phrases(phrases: list[str]) -> np.ndarray:
        vectors, n = cache.embed(phrases)
        encoded_candidates.append(n)
        return vectors

    labeler = labelling.Labeler(KeyBERT(model=model), embed_phrases)
    mined = mine(movies, x, k, settings, labeler, timer)
    result = mined.clustering
    report["counts"]["candidates_encoded"] = sum(encoded_candidates)
    with timer.stage("documents"):
        groups = [[movies[i] for i in g] for g in mined.members]
        prior = rating_prior(groups)
        movie_docs = [movie_doc(m, x[i], mined.micro[int(result.labels[i])]) for i, m in enumerate(movies)]
        micro_docs = [micro_doc(g, groups[g.id], result.centroids[g.id], prior) for g in mined.micro]
    stamp = report["run_id"].lower()
    movies_index, micro_index = f"{settings.index_alias}-{stamp}", f"{settings.micro_alias}-{stamp}"
    report.update(movies_index=movies_index, micro_index=micro_index)
    report.update(
        k=result.k,
        n_macro=result.n_macro,
        silhouette=round(result.silhouette, 4),
        davies_bouldin=round(result.davies_bouldin, 4),
        label_relevance=round(mined.relevance, 4),
        label_quality=mined.quality,
        k_curve=result.curve,
        macro_curve=result.macro_curve,
        versions=_versions(settings),
        macro_genres=sorted({(g.macro_id, g.macro_label) for g in mined.micro}),
        top_micro_genres=[
            {"id": d["id"], "label": d["label"], "keywords": d["keywords"], "size": d["size"], "macro_genre": d["macro_genre"]}
            for d in sorted(micro_docs, key=lambda d: -d["size"])[:20]
        ],
    )
    with timer.stage("index"), _bar(progress, len(movie_docs) + len(micro_docs), "index") as bar:
        published = publish(
            client,
            {
                settings.index_alias: (movies_index, mapping("movies"), movie_docs),
                settings.micro_alias: (micro_index, mapping("micro_genres"), micro_docs),
            },
            progress=bar.update,
            before_swap=before_swap,
        )
    report.update(replaced=published["previous"], pruned=published["pruned"])
