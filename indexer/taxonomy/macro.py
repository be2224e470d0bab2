"""Macro themes: a facet of each film, the fan's shelf it belongs on (issue 21).

Why a film-level facet and not a parent of the micro-genres (../shared/notes/taxonomy-experiments.md):
a micro-genre's films do not share one kind of film (a "casino" group holds The Hangover and
Casino Royale), so a film that inherits its micro-genre's macro theme inherits its errors: 11 of
15 famous-film macro failures in the notes were that. Each film keeps its micro-genre too, so a
micro-genre shows under every theme its films belong to.

Why shelves and not clusters named afterwards: clustering films into 16-28 themes and naming
each from a vocabulary left 3-5 themes unnamed and put whole clusters under a bare genre
("Adventures" for The Lord of the Rings), 0.47-0.69 fan fit on the head-of-catalogue check
(bench/head_films.json, tuning half, mean of 4 seeds). Deciding per film fits 0.97 there.

How a film's shelf is chosen (``mgm.shelves`` defines each shelf):
1. the shelves *true* of the film: allowed by its genres and carrying the shelf's theme in its
   own TMDB theme keywords (not the overview: a word there is often incidental, "teacher" in
   Silver Linings Playbook);
2. each scored by *support* × *specificity*: support is the share of the film's nearest
   neighbours (itself included) the shelf is true of, so an incidental keyword ("christmas" in
   Spotlight) that its neighbourhood does not share counts little; specificity is
   log(1 / the shelf's catalogue share), so "Mob and Gangster Sagas" outranks "Hitmen and Revenge
   Thrillers" for a film true of both (among bare kinds of film, support alone decides: Ted's
   neighbours make it a comedy, not a fantasy);
3. an animated film goes on the animated shelf first (fans file animation by its form), then
   themed shelves true of it with support >= ``min_support`` or, when its genres allow it, on
   which ``borrow_support`` of its neighbours are (a sequel whose keywords miss the theme joins
   its franchise: Kill Bill: Vol. 2 beside Vol. 1), then bare kinds of film ("Dramas"), then
   any bare kind, then any shelf the genres allow (a film with no genre);
4. a series' films join its first film's shelf (``keep_series_together``, ``indexer.taxonomy.franchise``):
   Men in Black II and 3 beside Men in Black.

Neighbours come from ``indexer.features.neighbours`` (story, keyword meaning and genres), the same ones
the micro-genres read.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from indexer.features.neighbours import support as neighbour_support
from mgm.shelves import SHELVES, Shelf

MIN_SUPPORT = 0.1  # a theme fewer than this share of a film's neighbours carry is incidental to it
BORROW_SUPPORT = 0.4  # a themed shelf this share of its neighbours are on is a candidate without the keyword
OWN_WEIGHT = 1.5  # ... but a shelf true of the film itself counts this much more


@dataclass
class ShelfThemes:
    """fit(genres, keyword lists, nearest films) -> ``labels_`` (a theme per film, 0..n-1) and
    ``shelves_`` (the shelf of each theme, largest first)."""

    min_support: float = MIN_SUPPORT
    borrow_support: float = BORROW_SUPPORT
    own_weight: float = OWN_WEIGHT
    shelves: tuple[Shelf, ...] = SHELVES
    labels_: np.ndarray | None = field(default=None, init=False, repr=False)
    shelves_: list[Shelf] = field(default_factory=list, init=False, repr=False)

    def fit(
        self, genres: list[tuple[str, ...]], keyword_lists: list[list[str]], near: np.ndarray, series: list[list[int]] | None = None
    ) -> ShelfThemes:
        """``near``: each film's nearest films, itself included (``indexer.features.neighbours.nearest``);
        ``series``: the franchises, each anchor first (``indexer.taxonomy.franchise.franchises``)."""
        truth = np.array([[s.true_of(g, " | ".join(kws)) for s in self.shelves] for g, kws in zip(genres, keyword_lists)])
        allowed = np.array([[s.allows(g) for s in self.shelves] for g in genres])
        support = neighbour_support(near, truth)
        fallback, first = np.array([s.fallback for s in self.shelves]), np.array([s.first for s in self.shelves])
        specificity = np.where(fallback, 1.0, np.log(1.0 / np.maximum(truth.mean(axis=0), 1.0 / len(truth))))
        score = support * specificity * np.where(truth, self.own_weight, 1.0)
        themed = ~fallback & ((truth & (support >= self.min_support)) | (allowed & (support >= self.borrow_support)))
        choice = choose_shelves((truth & first, themed, truth & fallback, truth, allowed & fallback, allowed), score)
        keep_series_together(choice, series or [], allowed, first)
        used = [s for s, _ in Counter(choice.tolist()).most_common()]
        renumber = {s: t for t, s in enumerate(used)}
        self.labels_ = np.array([renumber[s] for s in choice], int)
        self.shelves_ = [self.shelves[s] for s in used]
        return self


def keep_series_together(choice: np.ndarray, series: list[list[int]], allowed: np.ndarray, first: np.ndarray) -> None:
    """Each film of a series on its anchor's shelf (in place), when its genres allow that shelf
    and both are on the same side of the animated-first rule (The Jungle Book 2, animated, stays
    on the animated shelf beside the live-action Jungle Book)."""
    for films in series:
        shelf = choice[films[0]]
        for i in films[1:]:
            if allowed[i, shelf] and first[choice[i]] == first[shelf]:
                choice[i] = shelf


def choose_shelves(tiers: tuple[np.ndarray, ...], score: np.ndarray) -> np.ndarray:
    """Per film, the index of its shelf: the best-scored candidate of the first of ``tiers``
    ((films, shelves) masks, in order of preference) that has one for it."""
    out = np.empty(len(score), int)
    for i in range(len(score)):
        candidates = next((t[i] for t in tiers if t[i].any()), np.ones(score.shape[1], bool))
        out[i] = int(np.argmax(np.where(candidates, score[i], -np.inf)))
    return out
