"""The one Bayesian weighted rating of the project, for a film and for a group of films.

WR = (v*R + m*C) / (v + m). For a film, v is its vote count and R its TMDB average; for a
group (a micro-genre, a decade), v is the sum of its films' votes and R their vote-weighted
mean, which is the same formula applied to all the group's votes at once. C is the
catalogue mean (the vote-weighted mean of every film: the mean of all votes) and m a fixed
number of "prior" votes: a film needs about m votes of its own before they outweigh the
catalogue, so a 10.0 from two votes lands next to C while Shawshank's 8,205 votes keep 8.5.

The indexer stores the film value as ``rating_weighted`` (what sorting uses) and the group
value on each micro-genre document; the Overview computes the group value from
aggregations with the same function, so every page shows the same number.
"""

from __future__ import annotations

PRIOR_VOTES = 100  # m: votes of the catalogue mean every film starts with
MIN_VOTES = 10  # below this a film shows "not enough votes" and has no rating_weighted


def weighted_rating(votes: float | None, rating: float | None, catalogue_mean: float, prior_votes: float = PRIOR_VOTES) -> float:
    """Bayesian average of ``votes`` ratings averaging ``rating``, shrunk toward ``catalogue_mean``."""
    if rating is None or not votes or votes <= 0:
        return catalogue_mean
    return (votes * rating + prior_votes * catalogue_mean) / (votes + prior_votes)


def film_rating(votes: int | None, rating: float | None, catalogue_mean: float) -> float | None:
    """A film's weighted rating, or None when it has fewer than ``MIN_VOTES`` votes (not rated)."""
    if votes is None or votes < MIN_VOTES or rating is None:
        return None
    return round(weighted_rating(votes, rating, catalogue_mean), 3)


def vote_weighted_mean(pairs: list[tuple[int, float]]) -> float:
    """C: the vote-weighted mean rating of (votes, rating) pairs, i.e. the mean of all votes."""
    votes = sum(v for v, _ in pairs)
    return sum(v * r for v, r in pairs) / votes if votes else 0.0
