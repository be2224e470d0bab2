"""Orchestrate one indexer run: load -> text -> embed -> taxonomy -> index -> report.

Each stage is timed; the report (counts, rejections, k curve, metrics, versions) is written to
the runs index whether the run succeeds or fails.
"""

from __future__ import annotations

import hashlib
import os
import platform
import resource
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import sklearn
from tqdm import tqdm

from indexer import incremental
from indexer.features.embed import CACHE_FILE, EmbeddingCache
from indexer.features.layout import map_coordinates
from indexer.ingest.load import Movie, load_movies
from indexer.ingest.text import embedding_text, grounding_text, theme_keywords
from indexer.publish import lineage
from indexer.publish.documents import MicroGenre, micro_doc, movie_doc, rating_prior
from indexer.publish.index_settings import with_shards
from indexer.publish.lease import Lease, lease_index
from indexer.publish.store import mapping, publish, write_run
from indexer.taxonomy import quality
from indexer.taxonomy.compose import Corpus, Taxonomy, TaxonomyResult
from indexer.taxonomy.compose import report as taxonomy_report
from indexer.taxonomy.label import PhraseLabeler
from mgm.client import make_client
from mgm.settings import Settings

SKLEARN_WORKING_MB = 256
PACKAGES = ("numpy", "scikit-learn", "sentence-transformers", "keybert", "onnxruntime", "opensearch-py", "pandas")


@dataclass
class Timer:
    """Each stage's seconds, and the process's peak resident memory (MB) when it ended: the
    stage whose figure jumps is the one that grew the process (``bench scale`` reads both)."""

    timings: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(time.perf_counter() - start, 3)
            self.peak_rss_mb[name] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _bar(progress: bool, total: int, desc: str) -> tqdm:
    return tqdm(total=total, desc=desc, unit="it", file=sys.stderr, disable=not progress, leave=False)


def _versions(settings: Settings) -> dict[str, str]:
    found = {"python": platform.python_version(), "model": "sentence-transformers/all-MiniLM-L6-v2", "backend": settings.embed_backend}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            pass
    return found


def cached_layout(x: np.ndarray, cache_dir: Path) -> np.ndarray:
    """The movie map's layout, a pure function of the vectors: reuse it when they are unchanged.

    t-SNE costs tens of seconds on 4,800 films; a warm reindex must stay under 20 s.
    """
    path = cache_dir / f"map-{hashlib.sha256(np.ascontiguousarray(x).tobytes()).hexdigest()[:16]}.npy"
    try:
        layout = np.load(path)
        if layout.shape == (len(x), 2):
            return layout
    except (OSError, ValueError):
        pass
    layout = map_coordinates(x)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
    np.save(tmp, layout)
    os.replace(tmp, path)  # atomic: a concurrent run never reads half a file
    return layout


def corpus_of(movies: list[Movie], x: np.ndarray, embed: Callable[[list[str]], np.ndarray] | None = None) -> Corpus:
    """What the taxonomy reads of each movie; ``embed`` (texts -> vectors, e.g. the embedding
    cache) gives every theme keyword its vector for the macro themes' keyword meaning."""
    keyword_lists = [theme_keywords(m.keywords) for m in movies]
    keyword_vectors: dict[str, np.ndarray] = {}
    if embed is not None:
        keywords = sorted({k for kws in keyword_lists for k in kws})
        keyword_vectors = dict(zip(keywords, embed(keywords))) if keywords else {}
    return Corpus(
        x,
        keyword_lists,
        [grounding_text(m) for m in movies],
        [m.genres for m in movies],
        keyword_vectors,
        [m.title for m in movies],
        [m.overview for m in movies],
    )


def head_check(movies: list[Movie], corpus: Corpus, micro: list[str], macro: list[str], film_macro: np.ndarray) -> dict:
    """The head-of-catalogue fit (``indexer.taxonomy.quality.head_check``) of the names each film is
    shown under, and the judged fan pairs (on ``film_macro``), per split; under "catalogue", the
    micro-genre fit of the 600 judged films behind them (``quality.catalogue_check``)."""
    judged, ids = quality.load_judged(), [m.id for m in movies]
    out = quality.head_check(judged, ids, micro, macro, corpus.genres)
    titles = [m.title for m in movies]
    macro_of = {t: int(film_macro[i]) for i, t in enumerate(titles)}
    micro_of = {t: micro[i] for i, t in enumerate(titles)}
    for split, pairs in quality.head_pairs(judged).items():
        held = quality.fan_pair_results(pairs, macro_of, micro_of)
        out.setdefault(split, {})["pairs"] = {k: held[k] for k in ("pairs", "held", "share", "failed")}
    out["catalogue"] = quality.catalogue_check(quality.load_judged(quality.CATALOGUE_FILMS), ids, micro)
    return out


def micro_genres(result: TaxonomyResult, corpus: Corpus) -> list[MicroGenre]:
    """The taxonomy's micro-genres with their macro theme and measured label fit (``result.label_fits``)."""
    fits = result.label_fits
    return [
        MicroGenre(
            id=c,
            label=named.label,
            keywords=named.keywords,
            macro_id=int(result.macro_of_micro[c]),
            macro_label=result.macro[int(result.macro_of_micro[c])].label,
            phrases=named.phrases,
            evidence=named.evidence,
            label_fit=round(fits[c], 4),
        )
        for c, named in enumerate(result.micro)
    ]


def run(settings: Settings, csv: Path | None = None, progress: bool = True) -> dict:
    """One full reindex; returns the run report (also stored in ``settings.runs_index``).

    The run holds the reindex lease from start to end, so a second run refuses at once
    (``LeaseHeld``, no report: it never started). The report is written *before* the
    alias swap, so the first page served from the new indices already finds its run.
    """
    started = datetime.now(UTC)
    run_id = started.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
    client = make_client(settings, timeout=120)
    lease = Lease(client, lease_index(settings.runs_index), run_id, settings.reindex_lease_ttl)
    lease.acquire()
    timer = Timer()
    report: dict = {
        "run_id": run_id,
        "status": "failed",
        "started_at": started.isoformat(),
        "timings": timer.timings,
        "peak_rss_mb": timer.peak_rss_mb,
    }
    t0 = time.perf_counter()

    def finish(status: str) -> None:
        now = datetime.now(UTC).isoformat()
        report.update(status=status, finished_at=now, total_seconds=round(time.perf_counter() - t0, 3))

    def before_swap(counts: dict[str, int]) -> None:
        lease.assert_held()
        report["counts"].update(indexed_movies=counts[settings.index_alias], indexed_micro=counts[settings.micro_alias])
        finish("ok")
        write_run(client, settings.runs_index, report)

    try:
        # scikit-learn's chunked pairwise searches (the keyword view's neighbours) hold this many
        # MB at a time, not its default 1 GB: TMDB 5000 still fits one chunk (unchanged), and 25k
        # films no longer peak 1.6 GB above the rest of the run.
        with sklearn.config_context(working_memory=SKLEARN_WORKING_MB):
            _run(settings, Path(csv or settings.movies_csv), progress, timer, report, client, before_swap)
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


def _run(settings: Settings, csv: Path, progress: bool, timer: Timer, report: dict, client, before_swap) -> None:
    from keybert import KeyBERT

    from mgm.model import cache_namespace, encode, model_for

    with timer.stage("load"):
        loaded = load_movies(csv)
    report["rejected"] = dict(loaded.rejected)
    report["counts"] = {"rows": loaded.rows, "movies": len(loaded.movies), "retention": round(loaded.retention, 4)}
    movies = loaded.movies
    if len(movies) < 2:
        raise ValueError(f"{csv}: only {len(movies)} usable movie(s)")
    with timer.stage("model"):
        model = model_for(settings)
    with timer.stage("embed"):
        cache = EmbeddingCache(settings.cache_dir / CACHE_FILE, cache_namespace(settings), lambda b: encode(model, b, settings.embed_batch_size))
        texts = [embedding_text(m) for m in movies]
        with _bar(progress, len(texts), "embed") as bar:
            x, encoded = cache.embed(texts, progress=bar.update)
    report["counts"]["encoded"] = encoded
    encoded_candidates = []

    def embed_phrases(phrases: list[str]) -> np.ndarray:
        vectors, n = cache.embed(phrases)
        encoded_candidates.append(n)
        return vectors

    with timer.stage("keywords"):  # each theme keyword once, for the macro themes (cached like the films)
        corpus = corpus_of(movies, x, embed_phrases)
    report["counts"]["keywords_encoded"] = encoded_candidates.pop()
    with timer.stage("taxonomy"):
        taxonomy = Taxonomy(labeler=PhraseLabeler(KeyBERT(model=model), embed_phrases))
        result = taxonomy.fit(corpus)
        micro = micro_genres(result, corpus)
        report["taxonomy"] = taxonomy_report(result, corpus)
    report["counts"]["candidates_encoded"] = sum(encoded_candidates)
    with timer.stage("identity"):  # persistent ids and kept labels (issue 16); recorded after the swap
        previous = lineage.read_previous(client, settings.index_alias, settings.micro_alias, settings.ids_index)
        micro, ids = lineage.assign(previous, [m.id for m in movies], result, corpus, micro)
        stages = incremental.stages_of(taxonomy, result, [g.id for g in micro])
        report["identity"] = dict(ids.summary(), clustered_distance=stages.clustered_distance)
        report["head_check"] = head_check(
            movies, corpus, [micro[int(c)].label for c in result.labels], [ids.macro(int(t))[1] for t in result.film_macro], result.film_macro
        )
        incremental.save_stages(
            stages,
            settings.cache_dir,
            settings.micro_alias,
            report["run_id"].lower(),  # what `indexer add` assigns with
            live=incremental.current_stamp(client, settings),
        )
    with timer.stage("documents"):
        groups = [[movies[i] for i in g] for g in result.groups]
        prior = rating_prior(groups)
        xy = cached_layout(x, settings.cache_dir)  # the movie map's 2-D layout
        # A generator: the index stage streams the films to bulk, never a list of them all.
        movie_docs = (
            movie_doc(m, x[i], micro[int(result.labels[i])], prior, xy[i], ids.macro(int(result.film_macro[i]))) for i, m in enumerate(movies)
        )
        micro_docs = [micro_doc(g, groups[c], result.story_centroids[c], prior) for c, g in enumerate(micro)]
    stamp = report["run_id"].lower()
    movies_index, micro_index = f"{settings.index_alias}-{stamp}", f"{settings.micro_alias}-{stamp}"
    report.update(movies_index=movies_index, micro_index=micro_index)
    report.update(
        k=result.k,
        n_macro=len(result.macro),
        silhouette=report["taxonomy"]["silhouette_embedding"],
        label_fit=report["taxonomy"]["label_fit_mean"],
        versions=_versions(settings),
        macro_genres=sorted(ids.macro(t) for t in range(len(result.macro))),
        top_micro_genres=[
            {"id": d["id"], "label": d["label"], "keywords": d["keywords"], "size": d["size"], "macro_genre": d["macro_genre"]}
            for d in sorted(micro_docs, key=lambda d: -d["size"])[:20]
        ],
    )
    with timer.stage("index"), _bar(progress, len(movies) + len(micro_docs), "index") as bar:
        published = publish(
            client,
            {
                settings.index_alias: (movies_index, with_shards(mapping("movies"), settings), movie_docs),
                settings.micro_alias: (micro_index, with_shards(mapping("micro_genres"), settings), micro_docs),
            },
            progress=bar.update,
            before_swap=before_swap,
        )
    lineage.record(client, settings.ids_index, ids, report["run_id"])
    report.update(replaced=published["previous"], pruned=published["pruned"])
