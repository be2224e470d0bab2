"""Which micro-genre a film added after a full run joins (``python -m indexer add``): the full
run's own rule, against the full run's catalogue.

Why not the nearest centroid in the clustering feature space (stops 16-38): the micro-genres are
keyword themes a film *chooses* (``indexer.taxonomy.keyword_themes``), not regions of a space, and
a centroid cannot tell which theme a film is centrally about. Holding 200 films out of TMDB 5000
(``tests/test_incremental.py``'s split) and adding them to a run without them, the centroid put
0.50 of them in the group the full run gives them; this rule puts 0.83 there (docs/indexer.md).

A new film is read and weighed like every film of the run (``Salience``: its keywords, the themes
its overview names, each theme's rarity in the run's catalogue), its neighbours are its nearest
films of the run in the run's neighbour space (``film_space`` with the run's counts), and it joins
the micro-genre of the strongest theme it carries that the run kept (weighed by its neighbours'
themes when its strongest theme is one the run dropped, as in step 3, and joining theirs when
none chose that one and ``dropped_join`` of them chose another, if the run had that vote on; a comedy joins that
theme's comedies when the run set them apart, step 6); a film none of whose nearest
films shares that micro-genre, while ``consensus_need`` of its ``consensus_of`` nearest share
another, joins theirs (step 4 of keyword_themes); a film carrying no kept theme joins the
micro-genre most of its nearest films are in (step 5). The collective steps (dropping undersized
themes, regathering a scattered franchise) stay with the full run: one film cannot make a theme.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from indexer.features.neighbours import SpaceCounts, film_space
from indexer.features.vectors import nearest_to, normalize
from indexer.taxonomy.keyword_themes import COMEDY, KeywordThemes, neighbour_weighed, outvote
from indexer.taxonomy.salience import Salience

if TYPE_CHECKING:
    from indexer.taxonomy.compose import TaxonomyResult


@dataclass
class Placement:
    """place(new films) -> the persistent micro-genre id of each, by the run's rule."""

    salience: Salience
    counts: SpaceCounts
    rows: np.ndarray  # (films, dims) float16: the run's films in the neighbour space, unit rows
    carried: list[frozenset[int]]  # per film of the run, the themes it carries
    groups: np.ndarray  # per film of the run, its micro-genre's persistent id
    chose: np.ndarray  # per film of the run, the theme it chose when step 3's drop ended (-1: none)
    theme_groups: dict[int, tuple[int, int]]  # kept theme -> the micro-genre most of its films ended in: (others, comedies)
    neighbours: int  # a film's neighbourhood, itself included (the run's)
    consensus_of: int
    consensus_need: int
    dropped_floor: float | None  # step 3's second choice (None: off)
    dropped_join: int  # step 3's vote for a film whose theme dropped (0: off)

    @classmethod
    def of(cls, themes: KeywordThemes, result: TaxonomyResult, ids: Sequence[int], neighbours: int) -> Placement:
        """The placement of a fitted run: ``themes`` its fitted clusterer, ``result`` what it
        returned (micro-genre per film, the films' neighbour space), ``ids`` the persistent id
        of each micro-genre."""
        assert themes.salience_ is not None and themes.film_theme_ is not None, "fit the keyword themes first"
        assert themes.apart_ is not None and themes.chose_ is not None, "fit the keyword themes first"
        groups = np.asarray(ids, np.int64)[np.asarray(result.labels, int)]
        ended: dict[tuple[int, bool], Counter] = {}
        for theme, apart, group in zip(themes.film_theme_.tolist(), themes.apart_.tolist(), groups.tolist()):
            if theme >= 0:
                ended.setdefault((theme, apart), Counter())[group] += 1
        others = {t: c.most_common(1)[0][0] for (t, apart), c in ended.items() if not apart}
        comedies = {t: c.most_common(1)[0][0] for (t, apart), c in ended.items() if apart}
        either = {**comedies, **others}  # a theme with one side only uses it for both
        theme_groups = {t: (others.get(t, g), comedies.get(t, g)) for t, g in either.items()}
        return cls(
            themes.salience_,
            result.space_counts,
            result.space,
            [frozenset(t) for t in themes.carried_],
            groups,
            themes.chose_,
            theme_groups,
            neighbours,
            themes.consensus_of,
            themes.consensus_need,
            themes.dropped_floor,
            themes.dropped_join,
        )

    def place(
        self,
        vectors: np.ndarray,
        keyword_lists: list[list[str]],
        genres: list[tuple[str, ...]],
        embed: Callable[[list[str]], np.ndarray],
        stories: Sequence[str] = (),
        titles: Sequence[str] = (),
    ) -> list[int]:
        """The persistent micro-genre id of each new film (story ``vectors``, theme keyword lists,
        genres, overviews and titles). ``embed`` gives keywords their vectors (the embedding
        cache): the films' own and the theme keywords their overviews name."""
        readings = self.salience.read(keyword_lists, stories, titles)
        words = sorted({k for r in readings for k in [*r.keywords, *r.said]})
        keyword_vectors = dict(zip(words, embed(words))) if words else {}
        unit = normalize(film_space(vectors, keyword_lists, genres, keyword_vectors, self.counts)).astype(np.float32)
        near = _ordered(unit, self.rows, self.neighbours - 1)
        out = []
        for i, reading in enumerate(readings):
            pull = self.salience.pull(reading, vectors[i], keyword_vectors, [reading.themes, *(self.carried[j] for j in near[i])])
            nearby = [int(self.groups[j]) for j in near[i]]
            kept = [(p, t) for t, p in pull.items() if t in self.theme_groups]
            if not kept:
                out.append(Counter(nearby).most_common(1)[0][0])
                continue
            theme = max(kept)[1]
            if self.dropped_floor is not None and max(pull, key=pull.__getitem__) not in self.theme_groups:
                # its strongest theme is not one the run kept: the run's second choice, by its neighbours' themes.
                # The run asks this only of films whose theme was dropped for size, not of one too rare to
                # compete; asking it of both agrees with the full run as well (0.834 against 0.829, stop 40).
                others = [t if t in self.theme_groups else -1 for t in self.chose[near[i]].tolist()]  # -1: no film ended there
                theme = neighbour_weighed(pull, self.theme_groups, others, self.dropped_floor, default=theme)
                if self.dropped_join:
                    theme = outvote(theme, others, self.dropped_join)
            group = self.theme_groups[theme][COMEDY in genres[i]]
            out.append(outvote(group, nearby[: self.consensus_of], self.consensus_need) if self.consensus_of else group)
        return out


def _ordered(queries: np.ndarray, reference: np.ndarray, k: int) -> np.ndarray:
    """(queries, k): each query's ``k`` most similar reference rows, nearest first."""
    near = nearest_to(queries, reference, k)
    sims = np.einsum("qd,qkd->qk", queries, np.asarray(reference[near], np.float32))
    return np.take_along_axis(near, np.argsort(-sims, axis=1, kind="stable"), axis=1)
