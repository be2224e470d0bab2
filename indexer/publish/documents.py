"""Build the OpenSearch documents (the contract in opensearch/mappings/*.json). Pure functions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from indexer.ingest.load import Movie
from indexer.ingest.text import production_keywords, theme_keywords
from mgm.rating import film_rating, vote_weighted_mean, weighted_rating

TOP_MOVIES = 5
TOP_GENRES = 3


@dataclass(frozen=True)
class MicroGenre:
    id: int
    label: str
    keywords: list[str]  # label phrases first
    macro_id: int  # the macro theme most of its films have (a film's own may differ)
    macro_label: str
    phrases: list[str] = field(default_factory=list)  # what the label is made of
    evidence: list[dict] = field(default_factory=list)  # phrase, share here, share in the catalogue
    label_fit: float | None = None  # share of members carrying a label phrase


def movie_doc(
    movie: Movie,
    vector: np.ndarray,
    micro: MicroGenre,
    catalogue_mean: float,
    xy: tuple[float, float] | None = None,
    macro: tuple[int, str] | None = None,
) -> dict:
    """One film. ``rating_weighted`` (None under MIN_VOTES votes) is what sorting by rating uses;
    ``xy`` is its place on the movie map (``indexer.features.layout``), absent when not laid out; ``macro``
    (id, label) is the film's own macro theme, else its micro-genre's (films ``indexer add`` puts
    in without a full run)."""
    macro_id, macro_label = macro if macro is not None else (micro.macro_id, micro.macro_label)
    doc = {
        "id": movie.id,
        "title": movie.title,
        "original_title": movie.original_title,
        "tagline": movie.tagline or None,
        "overview": movie.overview,
        "genres": list(movie.genres),
        "keywords": theme_keywords(movie.keywords),
        "production": production_keywords(movie.keywords),
        "companies": list(movie.companies),
        "micro_genre": micro.label,
        "micro_genre_id": micro.id,
        "micro_genre_keywords": list(micro.keywords),
        "macro_genre": macro_label,
        "macro_genre_id": macro_id,
        "year": movie.year,
        "decade": movie.year // 10 * 10 if movie.year else None,
        "vote_average": movie.vote_average,
        "vote_count": movie.vote_count,
        "rating_weighted": film_rating(movie.vote_count, movie.vote_average, catalogue_mean),
        "popularity": movie.popularity,
        "runtime": movie.runtime,
        "budget": movie.budget,
        "revenue": movie.revenue,
        "original_language": movie.original_language,
        "poster_path": movie.poster_path,
        "embedding": np.round(np.asarray(vector, np.float64), 6).tolist(),
    }
    if movie.release_date:
        doc["release_date"] = movie.release_date
    if xy is not None:
        doc["map_x"], doc["map_y"] = float(xy[0]), float(xy[1])
    return doc


def _vote_stats(movies: list[Movie]) -> tuple[int, float]:
    return sum(m.vote_count for m in movies), vote_weighted_mean([(m.vote_count, m.vote_average) for m in movies])


def rating_prior(groups: list[list[Movie]]) -> float:
    """C for ``mgm.rating``: the vote-weighted mean rating of every film of the run."""
    return _vote_stats([m for g in groups for m in g])[1]


def micro_doc(micro: MicroGenre, members: list[Movie], centroid: np.ndarray, catalogue: float) -> dict:
    rated = [m for m in members if m.vote_count > 0]
    votes, rating = _vote_stats(members)
    years = [m.year for m in members if m.year]
    genres = Counter(g for m in members for g in m.genres)
    top = sorted(members, key=lambda m: (-m.vote_count, -m.popularity, m.id))[:TOP_MOVIES]
    return {
        "id": micro.id,
        "label": micro.label,
        "keywords": list(micro.keywords),
        "label_phrases": list(micro.phrases),
        "evidence": list(micro.evidence),
        "label_fit": micro.label_fit,
        "macro_genre": micro.macro_label,
        "macro_genre_id": micro.macro_id,
        "size": len(members),
        "mean_rating": round(float(np.mean([m.vote_average for m in rated])), 3) if rated else None,
        "weighted_rating": round(weighted_rating(votes, rating, catalogue), 3),
        "mean_popularity": round(float(np.mean([m.popularity for m in members])), 3),
        "year_min": min(years) if years else None,
        "year_max": max(years) if years else None,
        "top_genres": [g for g, _ in genres.most_common(TOP_GENRES)],
        "top_movies": [
            {
                "id": m.id,
                "title": m.title,
                "year": m.year,
                "vote_average": m.vote_average,
                "vote_count": m.vote_count,
                "rating_weighted": film_rating(m.vote_count, m.vote_average, catalogue),
            }
            for m in top
        ],
        "centroid": np.round(np.asarray(centroid, np.float64), 6).tolist(),
    }
