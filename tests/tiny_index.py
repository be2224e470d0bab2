"""Publish a small index from synthetic movies with the real loader, documents and store code.

No embedding model and no clustering: each synthetic theme is a micro-genre and its vectors
are seeded noise around a per-theme direction. It exists so tests of failure paths and of the
API's contract run in seconds (the fast tier) on an index of the real mapping.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from synthetic import THEMES, movies, write_csv

from indexer.ingest.load import load_movies
from indexer.publish.documents import MicroGenre, micro_doc, movie_doc, rating_prior
from indexer.publish.store import mapping, publish
from mgm.settings import Settings

DIM = 384


def tiny_settings(settings: Settings, prefix: str) -> Settings:
    return settings.scoped(prefix)


def build_tiny(client, settings: Settings, folder: Path, version: str, n: int = 60, before_swap=None) -> dict:
    """Publish ``n`` synthetic movies as ``<alias>-<version>`` and swap the aliases to them
    (``before_swap`` as in ``store.publish``)."""
    loaded = load_movies(write_csv(folder / f"tiny-{version}.csv", movies(n)))
    rng = np.random.default_rng(0)
    names = list(THEMES)
    axes = rng.normal(size=(len(names), DIM))
    micros = [MicroGenre(i, f"{name.title()} Stories", list(THEMES[name][:5]), i % 2, ("Adventure", "Drama")[i % 2]) for i, name in enumerate(names)]
    groups: list[list] = [[] for _ in names]
    for movie in loaded.movies:
        groups[movie.id % len(names)].append(movie)
    prior = rating_prior(groups)
    docs = []
    for movie in loaded.movies:
        theme = movie.id % len(names)
        v = axes[theme] + 0.3 * rng.normal(size=DIM)
        docs.append(movie_doc(movie, v / np.linalg.norm(v), micros[theme], prior))
    centroids = [axes[i] / np.linalg.norm(axes[i]) for i in range(len(names))]
    micro_docs = [micro_doc(m, groups[m.id], centroids[m.id], prior) for m in micros]
    plan = {
        settings.index_alias: (f"{settings.index_alias}-{version}", mapping("movies"), docs),
        settings.micro_alias: (f"{settings.micro_alias}-{version}", mapping("micro_genres"), micro_docs),
    }
    return publish(client, plan, before_swap=before_swap)
