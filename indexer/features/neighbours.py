"""Each film's nearest films by what it is about: the neighbourhood both taxonomy levels read.

Why one space for both: micro-genres (``indexer.taxonomy.keyword_themes``) and macro themes
(``indexer.taxonomy.macro``) both ask "do this film's neighbours share the theme?", so the films an
incidental keyword would mislead are outvoted the same way at both levels, and the search is
done once per run.

The space, each part L2-normalised and weighted:
- the story vector (MiniLM on tagline, overview and keywords);
- the film's *keyword meaning*: the mean MiniLM vector of its theme keywords, each weighted by
  its agreement with the film's own story (max(cos, 0)) and its rarity (IDF). Rare central
  keywords ("crime family", "toy comes to life") count; incidental ones ("lawyer", "airplane")
  agree little with the story and count little. A TF-IDF + SVD view drops exactly those rare
  keywords (../shared/notes/taxonomy-experiments.md measured 0.2% of their axis kept);
- the TMDB genres, which tell a heist comedy from a heist thriller.

Exact cosine neighbours, blocked so memory stays at ``vectors.CHUNK`` x films: the space and the search
took 1.5 s for 4,800 films here.
The cost grows with the square of the catalogue (see docs/scale.md).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from indexer.features.vectors import nearest_to, normalize

KEYWORD_WEIGHT = 0.7
GENRE_WEIGHT = 0.5
FLOAT32_ABOVE = 8_192  # films: above, the space is built and normalised in float32 (half the memory)


@dataclass(frozen=True)
class SpaceCounts:
    """What a film's row in the film space reads of the rest of the catalogue: how many films
    carry each keyword (its rarity) and the genre vocabulary. A full run counts its own films;
    ``indexer add`` builds new films' rows with the full run's counts, so they land in the same
    space as the films they are compared with."""

    films: int
    carrying: dict[str, int]  # keyword -> films carrying it
    genres: tuple[str, ...]  # the one-hot columns, sorted

    @classmethod
    def of(cls, keyword_lists: list[list[str]], genres: list[tuple[str, ...]]) -> SpaceCounts:
        carrying = Counter(k for kws in keyword_lists for k in set(kws))
        return cls(len(keyword_lists), dict(carrying), tuple(sorted({g for gs in genres for g in gs})))


def keyword_meaning(
    vectors: np.ndarray,
    keyword_lists: list[list[str]],
    keyword_vectors: dict[str, np.ndarray],
    dtype: type[np.floating] = np.float64,
    counts: SpaceCounts | None = None,
) -> np.ndarray:
    """Per film, the salience-weighted mean of its keywords' vectors (zero rows: no keyword known),
    normalised in ``dtype``; the keywords' rarity from ``counts`` (default: these films').

    weight(keyword) = max(cos(keyword, film story), 0) * log(films / films carrying the keyword).
    """
    counts = counts or SpaceCounts.of(keyword_lists, [])
    out = np.zeros((len(keyword_lists), vectors.shape[1]), np.float32)
    for i, kws in enumerate(keyword_lists):
        known = [k for k in dict.fromkeys(kws) if k in keyword_vectors]
        if not known:
            continue
        kv = np.stack([keyword_vectors[k] for k in known])
        weights = np.maximum(kv @ vectors[i], 0.0) * np.log(max(counts.films, 1) / np.array([max(counts.carrying.get(k, 0), 1) for k in known]))
        out[i] = weights @ kv
    return normalize(out, dtype)


def genre_matrix(genres: list[tuple[str, ...]], vocabulary: tuple[str, ...] | None = None) -> np.ndarray:
    """One-hot genres over ``vocabulary`` (default: these films'), L2-normalised (a film with four
    genres counts as much as one with one). A genre outside the vocabulary is no column."""
    vocabulary = vocabulary if vocabulary is not None else tuple(sorted({g for gs in genres for g in gs}))
    index = {g: j for j, g in enumerate(vocabulary)}
    out = np.zeros((len(genres), len(vocabulary)))
    for i, gs in enumerate(genres):
        for g in gs:
            if g in index:
                out[i, index[g]] = 1.0
    return normalize(out)


def film_space(
    vectors: np.ndarray,
    keyword_lists: list[list[str]],
    genres: list[tuple[str, ...]],
    keyword_vectors: dict[str, np.ndarray],
    counts: SpaceCounts | None = None,
) -> np.ndarray:
    """The story vector, the keyword meaning (the story itself for a film without keywords) and
    the genres, side by side, with the catalogue ``counts`` (default: these films'). Above
    ``FLOAT32_ABOVE`` films every part is built in float32: at 100k films the float64 parts and
    their float32 copies held 1.5 GB at once."""
    counts = counts or SpaceCounts.of(keyword_lists, genres)
    dtype: type[np.floating] = np.float32 if len(vectors) > FLOAT32_ABOVE else np.float64
    story = normalize(vectors, dtype)
    meaning = keyword_meaning(story, keyword_lists, keyword_vectors, dtype, counts)
    meaning = np.where((np.linalg.norm(meaning, axis=1) > 0)[:, None], meaning, story)
    return np.hstack([story, KEYWORD_WEIGHT * meaning, GENRE_WEIGHT * genre_matrix(genres, counts.genres).astype(dtype)])


def nearest(space: np.ndarray, k: int) -> np.ndarray:
    """(films, k): each film's ``k`` nearest films by cosine, itself included (in no order)."""
    if len(space) > FLOAT32_ABOVE:
        space = np.asarray(space, np.float32)
        unit = space / np.maximum(np.linalg.norm(space, axis=1, keepdims=True), np.float32(1e-12))
    else:  # as it always was: TMDB 5000's neighbours are unchanged
        unit = normalize(space).astype(np.float32)
    return nearest_to(unit, unit, k)


def support(near: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """(films, columns): the share of each film's neighbours for which each column of the boolean
    ``truth`` (films, columns) holds."""
    return truth[near].mean(axis=1)
