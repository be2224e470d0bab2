"""`python -m indexer add --csv new.csv`: new or edited films into the live index, no re-clustering.

A full run saves its ``Placement`` (``indexer.taxonomy.place``: the run's own rule for which
keyword theme a film is about, with the run's counts and neighbour space) and, for the drift
measure, its fitted feature stage (``ThemeFeatures``) and its micro-genres' centroids in that
space, with their persistent ids. ``add`` validates the rows like a full run, embeds only texts
the cache does not know, places each film by the run's rule, indexes it through the live alias
and rewrites the touched micro-genre documents (size, ratings, years, top films; label, keywords
and centroid stay those of the full run). No alias swap. Added films have no place on the movie
map until the next full run (its t-SNE layout is global).

Why a local file (``$CACHE_DIR/stages/<micro alias>/<run stamp>.joblib``: the live run's and the newest run's) and not OpenSearch: the stages are
pickled scikit-learn objects, and unpickling runs code, so they are only ever read from the
indexer's own volume, never from a database other clients can write to. The indexer volume
already holds the embedding cache ``add`` needs anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import joblib
import numpy as np
from opensearchpy import OpenSearch, helpers

from indexer.ingest.load import Movie, load_movies
from indexer.ingest.text import embedding_text, theme_keywords
from indexer.publish.documents import MicroGenre, micro_doc, movie_doc, rating_prior
from indexer.publish.lease import Lease, lease_index
from indexer.publish.store import alias_targets, write_run
from mgm.settings import Settings

if TYPE_CHECKING:  # scikit-learn is a second's import: `indexer status` (drift) never needs it
    from indexer.features.embed import EmbeddingCache
    from indexer.features.theme_features import ThemeFeatures
    from indexer.taxonomy.compose import Taxonomy, TaxonomyResult
    from indexer.taxonomy.place import Placement

BLOCK_ROWS = 8192  # films at a time in the drift baseline's distances


class AddRefused(RuntimeError):
    """``add`` will not run (too many films, no saved stages, no live index); nothing changed."""


@dataclass
class Stages:
    """What ``add`` needs of a full run: its placement rule, and the fitted features and the
    groups' centroids there (how far added films sit from their group: ``drift``)."""

    placement: Placement
    features: ThemeFeatures
    centroids: np.ndarray  # (groups, feature dim)
    ids: list[int]  # persistent micro-genre id per centroid row
    clustered_distance: float  # mean distance of the clustered films to their own centroid

    def distances(self, features: np.ndarray) -> np.ndarray:
        """(films, groups) Euclidean distances in the clustering space."""
        from indexer.taxonomy.cluster import sq_distances

        return np.sqrt(np.maximum(sq_distances(features, self.centroids), 0.0))

    def assign(self, movies: list[Movie], vectors: np.ndarray, embed: Callable[[list[str]], np.ndarray]) -> tuple[list[int], np.ndarray]:
        """Persistent micro-genre id (the run's rule) and distance to its centroid, per film;
        ``embed``: keywords -> vectors (the embedding cache)."""
        keyword_lists = [theme_keywords(m.keywords) for m in movies]
        ids = self.placement.place(vectors, keyword_lists, [m.genres for m in movies], embed, [m.overview for m in movies], [m.title for m in movies])
        dist = self.distances(self.features.transform(vectors, keyword_lists))
        row = {g: c for c, g in enumerate(self.ids)}
        return ids, dist[np.arange(len(ids)), [row[g] for g in ids]]


def stages_of(taxonomy: Taxonomy, result: TaxonomyResult, ids: list[int]) -> Stages:
    """The stages of a fitted run: its placement rule, and the clustered films' mean distance
    as the drift baseline."""
    from indexer.taxonomy.keyword_themes import KeywordThemes
    from indexer.taxonomy.place import Placement

    if not isinstance(taxonomy.clusterer, KeywordThemes):
        raise TypeError("indexer add places films by keyword themes: the run's clusterer must be KeywordThemes")
    placement = Placement.of(taxonomy.clusterer, result, ids, taxonomy.neighbours)
    centroids = np.asarray(result.feature_centroids, np.float64)
    return Stages(placement, taxonomy.features, centroids, list(ids), clustered_distance(result))


def clustered_distance(result: TaxonomyResult) -> float:
    """The clustered films' mean distance to their own centroid, read from the taxonomy's own
    feature rows (computed once per run). In blocks of rows: at 100k films, the whole (films,
    features) difference and gathered centroids were two float64 copies of the feature matrix
    (820 MB), the run's peak."""
    labels = np.asarray(result.labels, int)
    own = np.concatenate(
        [
            np.linalg.norm(result.features[i : i + BLOCK_ROWS] - result.feature_centroids[labels[i : i + BLOCK_ROWS]], axis=1)
            for i in range(0, len(labels), BLOCK_ROWS)
        ]
    )
    return round(float(own.mean()), 4)


def stages_dir(cache_dir: Path, micro_alias: str) -> Path:
    return Path(cache_dir) / "stages" / micro_alias


def stages_path(cache_dir: Path, micro_alias: str, stamp: str) -> Path:
    return stages_dir(cache_dir, micro_alias) / f"{stamp}.joblib"


def save_stages(stages: Stages, cache_dir: Path, micro_alias: str, stamp: str, live: str | None) -> Path:
    """Save this run's stages and delete the alias's others but the live run's (22 MB each for TMDB 5000).

    The stages are saved before the run publishes, so the run being built and the one serving
    are the two kept (after the swap: the live run and the one it replaced, like the indices
    ``store.prune`` keeps). A failed run's stages go at the next run; the live run's never do,
    however many runs fail, since ``indexer add`` assigns new films with them.
    """
    path = stages_path(cache_dir, micro_alias, stamp)
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(stages, path, compress=3)
    for old in path.parent.glob("*.joblib"):
        if old.stem not in {stamp, live}:
            old.unlink(missing_ok=True)
    return path


def load_stages(path: Path) -> Stages:
    """The stages a full run saved; refused when they predate the placement rule (stop 39: runs
    before it saved no ``Placement``) or its current fields (stop 40 saves the films' post-drop
    choices), since ``add`` would then put films by another rule than the run's."""
    stages = joblib.load(path)
    placement = getattr(stages, "placement", None)
    if placement is None or {f.name for f in fields(placement)} - set(vars(placement)):  # today's fields, the saved values
        raise AddRefused(f"the live run's saved stages ({path}) predate indexer add's placement rule: run a full reindex first")
    return stages


def current_stamp(client: OpenSearch, settings: Settings) -> str | None:
    """The run stamp of the index behind the micro-genres alias, or None before the first run."""
    targets = alias_targets(client, settings.micro_alias)
    return targets[0][len(settings.micro_alias) + 1 :] if targets else None


def live_stamp(client: OpenSearch, settings: Settings) -> str:
    """The run stamp of the index behind the micro-genres alias (``indexer add`` needs one)."""
    stamp = current_stamp(client, settings)
    if stamp is None:
        raise AddRefused(f"no live index behind {settings.micro_alias!r}: run a full reindex first")
    return stamp


def adds_index(settings: Settings) -> str:
    """Add reports sit beside the run reports, so ``status`` can tell them apart."""
    return f"{settings.runs_index}-adds"


def movie_from_doc(src: dict) -> Movie:
    """A live movie document back as a ``Movie`` (to recompute its micro-genre's statistics)."""
    return Movie(
        id=int(src["id"]),
        title=src["title"],
        original_title=src.get("original_title") or src["title"],
        tagline=src.get("tagline") or "",
        overview=src.get("overview") or "",
        genres=tuple(src.get("genres") or ()),
        keywords=tuple(src.get("keywords") or ()),
        release_date=src.get("release_date"),
        year=src.get("year"),
        vote_average=float(src.get("vote_average") or 0.0),
        vote_count=int(src.get("vote_count") or 0),
        popularity=float(src.get("popularity") or 0.0),
        runtime=src.get("runtime"),
        budget=int(src.get("budget") or 0),
        revenue=int(src.get("revenue") or 0),
        original_language=src.get("original_language") or "",
        poster_path=src.get("poster_path"),
        companies=tuple(src.get("companies") or ()),
    )


def micro_from_doc(src: dict) -> MicroGenre:
    return MicroGenre(
        id=int(src["id"]),
        label=src["label"],
        keywords=list(src["keywords"]),
        macro_id=int(src["macro_genre_id"]),
        macro_label=src["macro_genre"],
        phrases=list(src.get("label_phrases") or []),
        evidence=list(src.get("evidence") or []),
        label_fit=src.get("label_fit"),
    )


def add(settings: Settings, csv: Path, progress: bool = False) -> dict:
    """Add (or update) the films of ``csv`` in the live index; returns the add report.

    It holds the reindex lease throughout: a full run building new indices meanwhile would
    swap in indices without these films, and two adds would rewrite the same micro-genre
    documents from stale counts. Either refuses at its start instead (``LeaseHeld``).
    """
    from mgm.client import make_client

    started = datetime.now(UTC)
    client = make_client(settings, timeout=120)
    run_id = "add-" + started.strftime("%Y%m%d-%H%M%S-%f")
    with Lease(client, lease_index(settings.runs_index), run_id, settings.reindex_lease_ttl):
        return _add(settings, csv, client, run_id, started)


def _add(settings: Settings, csv: Path, client: OpenSearch, run_id: str, started: datetime) -> dict:
    stamp = live_stamp(client, settings)
    path = stages_path(settings.cache_dir, settings.micro_alias, stamp)
    if not path.exists():
        raise AddRefused(f"no saved taxonomy stages for the live run ({path}): run a full reindex first")
    loaded = load_movies(csv)
    movies = loaded.movies
    if not movies:
        raise AddRefused(f"{csv}: no usable movie (rejected: {dict(loaded.rejected)})")
    live = client.count(index=settings.index_alias)["count"]
    if len(movies) > settings.add_max_share * live:
        raise AddRefused(f"{len(movies)} films exceed ADD_MAX_SHARE={settings.add_max_share} of the {live} indexed: run a full reindex instead")
    stages = load_stages(path)
    cache = _cache(settings)
    x, encoded = cache.embed([embedding_text(m) for m in movies])
    ids, distance = stages.assign(movies, x, lambda words: cache.embed(words)[0])
    live_films = _live_films(client, settings.index_alias)
    updated = {m.id: live_films[m.id][1] for m in movies if m.id in live_films}
    for m, group in zip(movies, ids):
        live_films[m.id] = (m, group)
    prior = rating_prior([[m for m, _ in live_films.values()]])
    micro_docs = {h["_source"]["id"]: h["_source"] for h in helpers.scan(client, index=settings.micro_alias, query={})}
    micro = {i: micro_from_doc(d) for i, d in micro_docs.items()}
    _bulk(client, settings.index_alias, [movie_doc(m, x[n], micro[ids[n]], prior) for n, m in enumerate(movies)])
    touched = set(ids) | set(updated.values())
    members: dict[int, list[Movie]] = {i: [] for i in touched}
    for m, group in live_films.values():
        if group in members:
            members[group].append(m)
    _bulk(client, settings.micro_alias, [micro_doc(micro[i], members[i], np.asarray(micro_docs[i]["centroid"]), prior) for i in sorted(touched)])
    report = {
        "run_id": run_id,
        "status": "ok",
        "kind": "add",
        "live_run": stamp,
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "counts": {"rows": loaded.rows, "added": len(movies) - len(updated), "updated": len(updated), "encoded": encoded},
        "rejected": dict(loaded.rejected),
        "assigned_distance_sum": round(float(distance.sum()), 4),
        "assigned_films": len(movies),
        "clustered_distance": stages.clustered_distance,
        "micro_genres_touched": sorted(int(t) for t in touched),
    }
    write_run(client, adds_index(settings), report)
    return report


def _live_films(client: OpenSearch, alias: str) -> dict[int, tuple[Movie, int]]:
    """Every live film (the fields a micro-genre document is computed from) with its micro-genre."""
    fields = ["id", "title", "original_title", "year", "release_date", "genres", "vote_average", "vote_count", "popularity", "micro_genre_id"]
    return {
        int(h["_id"]): (movie_from_doc(h["_source"]), int(h["_source"]["micro_genre_id"]))
        for h in helpers.scan(client, index=alias, query={"_source": fields})
    }


def _cache(settings: Settings) -> EmbeddingCache:
    """The full run's embedding cache (films and keywords); the model is loaded only when some
    text is new."""
    from indexer.features.embed import CACHE_FILE, EmbeddingCache
    from mgm.model import cache_namespace, encode, model_for

    loaded: list = []

    def encode_new(batch: list[str]) -> np.ndarray:
        if not loaded:
            loaded.append(model_for(settings))
        return encode(loaded[0], batch, settings.embed_batch_size)

    return EmbeddingCache(settings.cache_dir / CACHE_FILE, cache_namespace(settings), encode_new)


def _bulk(client: OpenSearch, index: str, docs: list[dict]) -> None:
    actions = ({"_index": index, "_id": str(d["id"]), "_source": d} for d in docs)
    helpers.bulk(client, actions, refresh=True)


def drift(client: OpenSearch, settings: Settings) -> dict | None:
    """Films added since the live full run, and how far they sit from their centroids.

    ``distance_ratio`` = mean distance of the added films to their micro-genre's centroid over
    that of the clustered films (clustering space): near 1 the additions fit the taxonomy; well
    above it they are stretching it, and a full reindex is due.
    """
    index = adds_index(settings)
    if not alias_targets(client, settings.micro_alias):
        return None
    stamp = live_stamp(client, settings)
    adds = []
    if client.indices.exists(index=index):
        adds = [h["_source"] for h in helpers.scan(client, index=index, query={}) if h["_source"].get("live_run") == stamp]
    out = {
        "live_run": stamp,
        "adds": len(adds),
        "added": sum(a["counts"]["added"] for a in adds),
        "updated": sum(a["counts"]["updated"] for a in adds),
    }
    assigned = sum(a["assigned_films"] for a in adds)
    if assigned:
        mean = sum(a["assigned_distance_sum"] for a in adds) / assigned
        clustered = adds[0]["clustered_distance"]
        out.update(assigned_distance=round(mean, 4), clustered_distance=clustered, distance_ratio=round(mean / clustered, 3))
    return out
