"""Micro-genres as keyword themes: each film joins the theme it is most centrally about (issue 21).

Why not K-Means over the films: its groups formed around whatever keywords their films happened
to share most, often a setting or a role ("Lawyer" held The Godfather, "Violence" held Whiplash
and Drive), and a fan check of the 200 most-voted films accepted 58-67% of their micro-genres
(tuning half, 4 seeds: the seed alone moved it by 9 points). Fans name a film's micro-genre by
its premise: mafia, toys that come to life, a heist. So here the *themes* are found first, in
TMDB's curated keyword vocabulary, and each film is then put in one of them:

1. **Themes**: every theme keyword two or more films carry, grouped with its near-synonyms
   (average-linkage clustering of the keywords' MiniLM vectors, cosine distance below
   ``synonym_distance``: "zombie" with "zombie apocalypse", "mafia" with "mafia boss"). A keyword
   that only says when a film is set is none (``says_when``: "1980s", "future"): Looper, Terminator
   Genisys and In Time sat in "Future", a name a blind judge turned down for all 16 famous films it
   was offered for (head check, tuning half, mean of 8 tie orders: 0.808 -> 0.831, pooled 0.881 ->
   0.906; held out unchanged, 0.816 / 0.882).
2. **Salience** (``indexer.taxonomy.salience``): a film's pull towards each theme it carries is the keyword's agreement with the
   film's own story (max(cos, 0)) times the theme's rarity (log(films / films carrying it)), so
   "crime family" beats "lawyer" for The Godfather and "toy comes to life" beats "airplane" for
   Toy Story 2; times (``floor`` + the share of its nearest films that carry the theme too,
   ``indexer.features.neighbours``), so a theme its neighbours share wins over an incidental one.
   A theme keyword the film's *overview* names but its keyword list lacks counts too, at
   ``mention_weight`` of its pull: TMDB gave WALL·E the single keyword "romantic comedy", and its
   overview says "the last robot left on an Earth". Mentions also count as carriers (for rarity,
   neighbours and size), which is what lets "heist" survive as a micro-genre: 19 films carry the
   keyword, 57 once overviews count (Ocean's Twelve's "three huge heists" among them). Only the labeller's theme vocabulary is
   read in overviews (no generic words: "love", "world", "family"). A theme a film carries *and*
   its overview names pulls ``1 + confirm_weight`` times as hard: the overview states the premise,
   the keyword list mixes it with incidents ("a cyborg assassin" for The Terminator, beside
   "dystopia"; "two magicians whose intense rivalry" for The Prestige, beside "magic").
3. **Size**: a theme fewer than ``min_size`` films choose is dropped (the smallest first, one at
   a time: ``_drop_smallest``) and its films choose again, until every theme has enough films to
   browse. A *tight* theme is the exception: one whose films are mostly each other's nearest
   films (a franchise or a closed world: "jedi", "hobbit", "transformers", "the muppets") stays a
   micro-genre from ``franchise_min`` films up, because a fan names those films by it and a broad neighbour
   ("Sword and Sorcery", "Robot") reads as a miss (head check, tuning half: 0.711 -> 0.742).
   Equally small themes drop in the order of their names (``_tie_order``); that order still moves
   a few famous films, so the bench judges by the mean over shuffled orders (``order_seed``).
   A film whose first theme dropped then chooses once more, with its neighbours
   (``_with_neighbours``): each kept theme it carries pulls times (``dropped_floor`` + the share
   of its nearest films that chose it). Its next-strongest keyword alone was often incidental:
   V for Vendetta sat in "Catholic", Saw in "Killer", Contact in "Scientist" (now "Dystopia",
   "Serial Killer", "Alien"). A film none of whose carried themes its neighbours chose keeps its
   next by pull: GoldenEye stays in "Virus" though 7 of its 14 nearest films are in "British
   Secret Service", a theme it does not carry (a vote that would move it, ``dropped_join``, is
   measured and off: ``DROPPED_JOIN``).
4. **A film its own series outvotes**: a film none of whose ``consensus_of`` nearest films shares
   its theme, while ``consensus_need`` of them share another, joins theirs. A sequel's keyword
   list can lack its series' theme: The Return of the King carries "middle-earth (tolkien)" but
   not "hobbit", whose theme its four nearest films (the other Tolkien films) chose, and it sat
   alone in "Ghost" (head check, tuning half: 0.804 -> 0.825, pooled 0.876 -> 0.897; held out
   0.796 / 0.864 -> 0.796 / 0.874; theme recovery 93 kept). And a franchise a drop scattered
   gets its theme back: films whose first choice was a theme dropped for size, and who ended
   in a broad theme (carried by ``broad_share`` of the catalogue or more) or in none, return
   to it when ``franchise_min`` or more of them share it and they are mostly each other's
   nearest (``franchise_cohesion``). The Terminators and RoboCop chose "cyborg" first, only 6
   films did, and they scattered into "Dystopia" and "Future" (tuning half unchanged, 0.825 /
   0.897, and 28 films moved, each read by eye as a better name; held out 0.796 / 0.874 ->
   0.816 / 0.883).
5. **Films without a theme** (no keyword, or only ones too rare to be a theme) join the theme
   most of their nearest films are in.
6. **Comedies apart**: a broad theme's group ("sport", "teenager", "new york": a generic word,
   named with the genre most of its films share) that holds ``min_size`` comedies and as many
   other films becomes two, so each name's genre word is true of its films: DodgeBall and The
   Waterboy in "Sport Comedy", Southpaw and The Wrestler in "Sport Drama" (genre-word truth 0.736 -> 0.778; head
   check unchanged).

Each group is named by its theme keyword most of its films carry; the labeller's own options
stand behind it. Deterministic: no random seed moves the result.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Container, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.cluster import AgglomerativeClustering

from indexer.features.vectors import BLOCK_CELLS
from indexer.taxonomy.label import (
    MAX_LABEL_WORDS,
    MIN_FIT,
    TIME_SETTINGS,
    Option,
    PhraseStats,
    genre_words,
    is_generic,
    says_when,
    title_case,
)
from indexer.taxonomy.salience import CONFIRM_WEIGHT, MENTION_WEIGHT, SUPPORT_FLOOR, Salience, mention_phrases

SYNONYM_DISTANCE = 0.15
MIN_SIZE = 8
FRANCHISE_MIN = 3  # the smallest tight theme kept (a trilogy)
FRANCHISE_COHESION = 0.5  # a tight theme's films: on average, at least half the others are among their nearest
# Step 4's vote: of a film's CONSENSUS_OF nearest films, CONSENSUS_NEED share a theme the film is
# not in, and none shares the film's own. Tuning half, (of, need) (3, 3) / (4, 4) / (5, 4) / (5, 5) /
# (6, 5): micro fit 0.794 / 0.814 / 0.825 / 0.804 / 0.804 (0.804 without; 7 to 70 films move).
CONSENSUS_OF = 5
CONSENSUS_NEED = 4
# Step 4's second rule: a theme carried by at least this share of the catalogue is broad (TMDB
# 5000: 96 films; "dystopia" 139, "future" 128, "sport"). Tuning half, off / 0.01 / 0.02 / 0.04:
# bench/taxonomy.py "scattered_curve"; 0.02 moved 28 films (the Terminators and RoboCop to
# "Cyborg", The Island to "Clone", Happy Gilmore and Caddyshack from "Sport" to "Golf").
BROAD_SHARE = 0.02
# Step 3's second choice: a film whose first theme dropped weighs each kept theme it carries by
# (DROPPED_FLOOR + the share of its nearest films that chose it). Head check, tuning half, mean of
# 8 tie orders, off / 0.1 / 0.25 / 0.5 / 1: micro fit 0.831 / 0.835 / 0.845 / 0.856 / 0.842, pooled
# 0.906 / 0.910 / 0.920 / 0.920 / 0.906; theme recovery 94.2 / 90.1 / 92.9 / 93.0 / 92.9.
DROPPED_FLOOR = 0.5
# A vote after it (``dropped_join``, off): when none of its nearest films (itself left out) chose
# the theme that gives, while 5 or more of them chose one other, it joins theirs without carrying
# it (GoldenEye "Virus" -> "British Secret Service"). Off, because the judges disagree (stop 40,
# docs/indexer.md): a pairwise judge preferred the new name for 46 of the 82 films it renamed
# outside the check, against 26; the catalogue check's judge, picking among every name each film
# could have, chose the old one for 5 of the 10 of its films it moved and the new for 2 (The Croods
# "Dinosaur", Coraline "Princess", In Bruges "Paris"); held out, 2012 went "Apocalypse" ->
# "Post-apocalyptic" (0.816 -> 0.806). Label fit 0.903 -> 0.897. bench/taxonomy.py measures it.
DROPPED_JOIN = 0
# A broad theme's genre word must be true of most of its films: at 0.35 (the labeller's share for
# telling two groups apart) "Dying and Death Horror" held Ice Age and Meet Joe Black, with 12 of
# its 33 films horror; 11 names claimed a genre most of their films lack, none at 0.5 (the run
# report's "genre_word_truth", docs/indexer.md). At 0.6 theme recovery fell 91 -> 88.
THEME_GENRE_SHARE = 0.5
COMEDY = "Comedy"  # the TMDB genre step 6 sets apart
NAME_SCORE = 10.0  # above any c-TF-IDF option score, so the theme's own name is tried first
WHOLE_MATRIX_MAX = 5_000  # keywords: up to here (TMDB 5000: 4,436), one linkage over every distance (100 MB of them at most)
GRAPH_SLACK = 1e-4  # cosine: the threshold graph's float32 dot products keep every pair float64 would


@dataclass
class KeywordThemes:
    """group(corpus, ..., nearest) -> a micro-genre per film; options(groups, keyword lists) -> names."""

    synonym_distance: float = SYNONYM_DISTANCE
    min_size: int = MIN_SIZE
    floor: float = SUPPORT_FLOOR
    franchise_min: int = FRANCHISE_MIN
    franchise_cohesion: float = FRANCHISE_COHESION
    mention_weight: float = MENTION_WEIGHT
    confirm_weight: float = CONFIRM_WEIGHT
    consensus_of: int = CONSENSUS_OF
    consensus_need: int = CONSENSUS_NEED
    broad_share: float = BROAD_SHARE
    dropped_floor: float | None = DROPPED_FLOOR  # None: a film whose theme dropped takes its next by pull alone
    dropped_join: int = DROPPED_JOIN  # 0 (production): a film whose theme dropped never joins a theme it does not carry
    time_settings: frozenset[str] = TIME_SETTINGS  # when-words that are no theme (the labeller reads label.TIME_SETTINGS itself)
    order_seed: int | None = None  # None: equally small themes drop in the order of their names; a seed shuffles it (bench)
    theme_of_: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    keyword_lists_: list[list[str]] = field(default_factory=list, init=False, repr=False)  # keywords, then the themes overviews name
    salience_: Salience | None = field(default=None, init=False, repr=False)  # step 2's rule with the catalogue's counts (for indexer add)
    carried_: list[set[int]] = field(default_factory=list, init=False, repr=False)  # per film, the themes it carries or its overview names
    apart_: np.ndarray | None = field(default=None, init=False, repr=False)  # per film: in its theme's group of comedies apart (step 6)
    film_theme_: np.ndarray | None = field(default=None, init=False, repr=False)  # the theme each film is in
    chose_: np.ndarray | None = field(default=None, init=False, repr=False)  # each film's theme when the drop ended (step 3's second choice reads it)

    def synonyms(self, keyword_lists: list[list[str]], keyword_vectors: dict[str, np.ndarray]) -> dict[str, int]:
        """Theme keyword -> theme number, for the keywords at least two films carry that say
        what a film is about: not generic ones ("love", "murder", "new york"), the labeller's own
        vocabulary rule (``indexer.taxonomy.label.keyword_vocabulary``), nor ones that only say
        when it is set (``says_when``: "1980s", "future").

        The themes are the clusters of average linkage (cosine) cut at ``synonym_distance``.
        Above ``WHOLE_MATRIX_MAX`` keywords they are found per close component
        (``linkage_by_component``: the same partition without the n^2/2 distances, which were the
        100k run's peak). Up to it, scikit-learn's whole-matrix linkage stays, for its theme
        *numbers*: ``group`` breaks ties between equally small themes by number, and
        scikit-learn numbers its clusters in the heap order of its cut of the whole tree, which
        the per-component linkage never builds. With the same partition numbered otherwise,
        TMDB 5000's taxonomy came out with 220 micro-genres instead of 221.
        """
        df = Counter(k for kws in keyword_lists for k in set(kws))
        vocabulary = sorted(k for k, c in df.items() if c >= 2 and k in keyword_vectors and not says_when(k, self.time_settings))
        if len(vocabulary) < 2:
            return {k: i for i, k in enumerate(vocabulary)}
        vectors = np.stack([keyword_vectors[k] for k in vocabulary])
        if len(vocabulary) <= WHOLE_MATRIX_MAX:
            merge = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average", distance_threshold=self.synonym_distance)
            return dict(zip(vocabulary, merge.fit_predict(vectors).tolist()))
        return dict(zip(vocabulary, linkage_by_component(vectors, self.synonym_distance).tolist()))

    def group(self, corpus, features: np.ndarray, evidence: np.ndarray, near: np.ndarray) -> np.ndarray:
        """A group number per film (0..n-1, every group at least ``min_size`` films when the
        catalogue allows it). ``corpus`` is an ``indexer.taxonomy.compose.Corpus``; ``near`` each film's
        nearest films; the feature space and evidence mask (K-Means' inputs) are not used."""
        self.theme_of_ = theme_of = self.synonyms(corpus.keyword_lists, corpus.keyword_vectors)
        salience = Salience(theme_of, mention_phrases(corpus.keyword_lists, theme_of), self.floor, self.mention_weight, self.confirm_weight)
        readings = salience.read(corpus.keyword_lists, corpus.stories, corpus.titles)
        salience.count(readings)
        self.salience_, self.keyword_lists_ = salience, [[*r.keywords, *r.said] for r in readings]
        self.carried_ = carried = [r.themes for r in readings]
        pull = [salience.pull(r, corpus.vectors[i], corpus.keyword_vectors, [carried[j] for j in near[i]]) for i, r in enumerate(readings)]
        films = Counter(salience.carrying)
        tight = self._tight(carried, films, near)
        least = {t: self.franchise_min if t in tight else self.min_size for t in films}
        active = {t for t, n in films.items() if n >= least[t]}
        first, choice, active = _drop_smallest(pull, active, least, _tie_order(theme_of, self.order_seed))
        self.chose_ = np.asarray(choice, np.int32)
        if self.dropped_floor is not None:
            choice = _with_neighbours(first, choice, pull, active, near, self.dropped_floor, self.dropped_join)
        chosen = _outvoted(np.array(choice), near, self.consensus_of, self.consensus_need)
        if self.broad_share:
            broad = {t for t, n in films.items() if n >= self.broad_share * len(readings)}
            chosen = _regathered(np.array(first), chosen, active, broad, near, self.franchise_min, self.franchise_cohesion)
        labels, themes = _join_neighbours(chosen, near)
        self.film_theme_ = np.asarray(themes)[labels]
        generic = {t for k, t in theme_of.items() if is_generic(k)}
        labels, split = _comedies_apart(labels, self.film_theme_, generic, corpus.genres, self.min_size)
        self.apart_ = np.array([t in split and COMEDY in gs for t, gs in zip(self.film_theme_.tolist(), corpus.genres)], bool)
        return labels

    def _tight(self, carried: list[set[int]], films: Counter, near: np.ndarray) -> set[int]:
        """The themes below ``min_size`` (and at least ``franchise_min`` films) whose films are
        mostly each other's nearest films: on average, each has at least ``franchise_cohesion``
        of the theme's other films among its neighbours. A franchise passes (the Star Wars films
        are each other's nearest); an incidental small keyword ("courage", "scar") does not."""
        small = {t for t, n in films.items() if self.franchise_min <= n < self.min_size}
        members: dict[int, list[int]] = {t: [] for t in small}
        for i, themes in enumerate(carried):
            for t in themes & small:
                members[t].append(i)
        return {t for t, films_of in members.items() if _cohesion(films_of, near) >= self.franchise_cohesion}

    def options(self, groups: list[list[int]], keyword_lists: list[list[str]], stats: PhraseStats) -> list[list[Option]]:
        """Per group (of the films ``group`` was given, merged or not since), the keyword of its
        films' theme that most of them carry, as its first label option, when at least
        ``MIN_FIT`` of them carry it. A broad theme ("love", "murder") is named with the genre
        most of its films share ("Love Drama"), never alone."""
        keyword_lists = self.keyword_lists_ or keyword_lists  # with the themes overviews name, as grouped
        out = []
        for g in groups:
            theme = Counter(self.film_theme_[g].tolist()).most_common(1)[0][0] if g else -1
            counts = Counter(k for i in g for k in set(keyword_lists[i]) if self.theme_of_.get(k) == theme)
            best = max(((c, k) for k, c in counts.items()), default=None)
            if not best or best[0] < MIN_FIT * len(g):
                out.append([])
                continue
            name = title_case(best[1])
            if is_generic(best[1]):
                genre = next(iter(genre_words(g, stats, best[1], THEME_GENRE_SHARE, commonest=True)), None)
                name = f"{name} {genre}" if genre and len(name.split()) + len(genre.split()) <= MAX_LABEL_WORDS else ""
            out.append([Option(name, (best[1],), NAME_SCORE)] if name else [])
        return out


def _drop_smallest(pull: list[dict[int, float]], active: set[int], least: dict[int, int], rank: np.ndarray) -> tuple[list[int], list[int], set[int]]:
    """Step 3 of the module docstring: each film chooses its strongest ``active`` theme; then,
    while some theme has fewer choosers than its ``least``, the smallest (ties by ``rank``) is
    dropped and only its films choose again. Returns the first choices, the final ones (-1: no
    theme left) and the themes kept.

    One at a time, because a drop feeds the themes its films turn to, and a theme just short of
    its size may be made whole by them. Dropping the smallest third per pass (stops 29-37) lost
    such themes: head check, tuning half, mean of 8 tie orders, fit 0.827 -> 0.831, pooled 0.907
    -> 0.906, theme recovery 90.5 -> 94.2 (docs/indexer.md). A heap of the undersized themes keeps
    it as fast: a film chooses again only when its own theme goes."""
    active = set(active)
    choice = [_strongest(row, active) for row in pull]
    first = list(choice)
    size = Counter(choice)
    members: dict[int, list[int]] = defaultdict(list)
    for i, t in enumerate(choice):
        members[t].append(i)
    heap = [(size[t], rank[t], t) for t in active if size[t] < least[t]]
    heapq.heapify(heap)
    while heap:
        n, _, t = heapq.heappop(heap)
        if t not in active or n != size[t]:  # dropped already, or grown since this entry
            continue
        active.discard(t)
        for i in members.pop(t, []):
            new = choice[i] = _strongest(pull[i], active)
            size[new] += 1
            members[new].append(i)
            if new >= 0 and size[new] < least[new]:
                heapq.heappush(heap, (size[new], rank[new], new))
    return first, choice, active


def _with_neighbours(
    first: list[int], choice: list[int], pull: list[dict[int, float]], active: set[int], near: np.ndarray, floor: float, join: int = 0
) -> list[int]:
    """Step 3's second choice: each film whose ``first`` theme was dropped takes
    ``neighbour_weighed`` among the ``active`` themes, its nearest films (itself left out) read
    with their ``choice``; then ``outvote`` over all of them, ``join`` needed (0: no vote). One
    simultaneous pass over the choices as the drop left them.

    The vote is for a film none of whose carried themes its neighbours chose: its next keyword
    was often incidental (GoldenEye "Virus", Watchmen "Conspiracy") while its neighbours agree on
    what it is about ("British Secret Service", "Superhero")."""
    out = list(choice)
    for i, (was, now) in enumerate(zip(first, choice)):
        if was != now:
            others = [choice[j] for j in near[i] if j != i]
            out[i] = neighbour_weighed(pull[i], active, others, floor, default=now)
            if join:
                out[i] = outvote(out[i], others, join)
    return out


def neighbour_weighed(pull: dict[int, float], kept: Container[int], nearby: Sequence[int], floor: float, default: int) -> int:
    """Step 3's second choice for one film: of the ``kept`` themes it carries, the one with the
    strongest pull x (``floor`` + the share of its ``nearby`` films' themes that are it);
    ``default`` when it carries none. ``indexer add`` places a film by the same rule."""
    chose = Counter(nearby)
    weighed = [(p * (floor + chose[t] / max(len(nearby), 1)), t) for t, p in pull.items() if t in kept]
    return max(weighed, default=(0.0, default))[1]


def _strongest(row: dict[int, float], active: set[int]) -> int:
    """The theme of ``row`` (theme -> pull) with the strongest pull among ``active``; -1: none."""
    return max(((p, t) for t, p in row.items() if t in active), default=(0.0, -1))[1]


def _tie_order(theme_of: dict[str, int], seed: int | None) -> np.ndarray:
    """Per theme number, its place among equally small themes in step 3's drop: the alphabetical
    order of the themes' names (each theme's first keyword), or a seeded shuffle (bench).

    Which of two equally small themes drops first decides where their films go next. Their
    numbers are the synonym clustering's order, which any keyword coming or going reshuffles:
    with ties broken by number, taking "future" out of the themes renamed 134 films outside the
    head check, most of them nothing to do with the future ("Dysfunctional Family" to "Funeral");
    by name, 44 films moved. A theme's name moves only with the theme.
    ``python -m bench taxonomy`` reports the spread of the head check over shuffled orders."""
    n = max(theme_of.values(), default=-1) + 1
    if seed is not None:
        return np.random.default_rng(seed).permutation(n)
    name: dict[int, str] = {}
    for keyword, t in theme_of.items():
        name[t] = min(name.get(t, keyword), keyword)
    rank = np.empty(n, int)
    rank[sorted(range(n), key=lambda t: name.get(t, ""))] = np.arange(n)
    return rank


def _outvoted(choice: np.ndarray, near: np.ndarray, of: int, need: int) -> np.ndarray:
    """Step 4 of the module docstring (``outvote``) for every film, its ``of`` nearest films
    itself left out. One simultaneous pass over the choices as they were, so no film moves
    because another just did. ``of`` 0: off."""
    out = choice.copy()
    if not of:
        return out
    for i, row in enumerate(near):
        out[i] = outvote(int(choice[i]), [int(choice[j]) for j in [j for j in row if j != i][:of]], need)
    return out


def outvote(own: int, nearby: Sequence[int], need: int) -> int:
    """Step 4 for one film: the theme ``need`` or more of its ``nearby`` films share, when none of
    them shares its ``own`` (-1: no theme, never a vote); else its own. ``indexer add`` places a
    film by the same rule."""
    votes = Counter(t for t in nearby if t >= 0)
    if votes and own not in votes:
        theme, count = votes.most_common(1)[0]
        if count >= need:
            return theme
    return own


def _cohesion(members: list[int], near: np.ndarray) -> float:
    """On average, the share of the other ``members`` among each member's nearest films."""
    inside = set(members)
    return float(np.mean([len(inside.intersection(near[i].tolist()) - {i}) / (len(inside) - 1) for i in members]))


def _regathered(
    first: np.ndarray, chosen: np.ndarray, active: set[int], broad: set[int], near: np.ndarray, least: int, cohesion: float
) -> np.ndarray:
    """Step 4's second rule: films whose ``first`` choice was dropped and who now sit in a
    ``broad`` theme (or none) take it back together, when ``least`` or more of them share it and
    their ``_cohesion`` reaches ``cohesion``. Every other film keeps its ``chosen`` theme."""
    out = chosen.copy()
    scattered: dict[int, list[int]] = {}
    for i, (was, now) in enumerate(zip(first.tolist(), chosen.tolist())):
        if was >= 0 and was not in active and (now < 0 or now in broad):
            scattered.setdefault(was, []).append(i)
    for theme, members in scattered.items():
        if len(members) >= max(least, 2) and _cohesion(members, near) >= cohesion:
            out[members] = theme
    return out


def _comedies_apart(
    labels: np.ndarray, film_theme: np.ndarray, broad: set[int], genres: Sequence[Sequence[str]], least: int
) -> tuple[np.ndarray, set[int]]:
    """Step 6 of the module docstring: the group of a ``broad`` theme that holds ``least`` or
    more comedies and as many other films splits in two, the comedies apart (new group numbers
    after the last). A broad theme is named with the genre most of its films share, so "Sport
    Drama" held DodgeBall and The Waterboy, and "New York Comedy" Man on a Ledge. Returns the
    groups and the themes split (``indexer add`` puts a comedy with that theme's comedies)."""
    out = np.asarray(labels).copy()
    split = set()
    after = int(out.max()) + 1 if len(out) else 0
    for group in range(after):
        members = np.flatnonzero(out == group)
        if not len(members) or int(film_theme[members[0]]) not in broad:
            continue
        comedies = [i for i in members.tolist() if COMEDY in genres[i]]
        if len(comedies) >= least and len(members) - len(comedies) >= least:
            out[comedies] = after
            after += 1
            split.add(int(film_theme[members[0]]))
    return out, split


def _join_neighbours(choice: np.ndarray, near: np.ndarray, rounds: int = 3) -> tuple[np.ndarray, list[int]]:
    """Films without a theme (-1) take the theme most of their neighbours have; any left after
    ``rounds`` (a neighbourhood of theme-less films) join the largest theme. Returns the groups
    numbered 0..n-1 and each group's theme."""
    choice = choice.copy()
    for _ in range(rounds):
        missing = np.flatnonzero(choice < 0)
        if not len(missing):
            break
        for i in missing:
            votes = Counter(int(c) for c in choice[near[i]] if c >= 0)
            if votes:
                choice[i] = votes.most_common(1)[0][0]
    if (choice < 0).all():
        return np.zeros(len(choice), int), [-1]
    choice[choice < 0] = Counter(choice[choice >= 0].tolist()).most_common(1)[0][0]
    themes, renumbered = np.unique(choice, return_inverse=True)
    return renumbered.astype(int), themes.tolist()


def linkage_by_component(vectors: np.ndarray, distance: float) -> np.ndarray:
    """Per row, its cluster of average linkage (cosine) cut at ``distance``, as scikit-learn's
    ``AgglomerativeClustering(distance_threshold=distance)`` finds it, without the whole
    distance matrix (n^2/2 float64 and a working copy: 0.75 GB for 9.7k keywords, 40 GB for 100k).

    Why it is exact: average linkage joins two clusters at the mean of their cross distances,
    so a merge below the cut needs some pair across them closer than the cut. Every cluster
    therefore lies inside one connected component of the graph "distance < cut", and the merges
    inside a component never read a point outside it. The graph is built in blocks
    (``_close_components``), then the same linkage runs per component (TMDB's 4,436 keywords:
    4,091 components, the largest 5 keywords). Only float rounding in a merge exactly at the cut
    could tell the two apart. Clusters are numbered in the row order of their first row.
    """
    components = _close_components(vectors, distance)
    first = np.arange(len(vectors))  # per row, the first row of its cluster
    order = np.argsort(components, kind="stable")  # each component's rows, in row order
    for members in np.split(order, np.flatnonzero(np.diff(components[order])) + 1):
        if len(members) > 1:
            tree = linkage(vectors[members], method="average", metric="cosine")
            # fcluster keeps the merges at distances <= its t; AgglomerativeClustering's cut keeps those < t.
            flat = fcluster(tree, np.nextafter(distance, 0), criterion="distance")
            _, head, inverse = np.unique(flat, return_index=True, return_inverse=True)
            first[members] = members[head][inverse]
    return np.unique(first, return_inverse=True)[1]


def _close_components(vectors: np.ndarray, distance: float) -> np.ndarray:
    """Per row, its connected component in the graph joining rows at cosine distance below
    ``distance``: unit rows' dot products in float32 blocks of ``BLOCK_CELLS`` at most, only the
    close pairs kept (sparse). ``GRAPH_SLACK`` admits pairs float32 rounding might put just past
    the cut: an extra edge can only join two components, and the linkage run on the joined one
    keeps them apart as before."""
    unit = np.asarray(vectors, np.float32)
    unit = unit / np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), np.float32(1e-12))
    n, rows, cols = len(unit), [], []
    step = max(1, BLOCK_CELLS // n)
    for start in range(0, n, step):
        i, j = np.nonzero(unit[start : start + step] @ unit.T > 1 - distance - GRAPH_SLACK)
        rows.append(i + start)
        cols.append(j)
    i, j = np.concatenate(rows), np.concatenate(cols)
    graph = coo_matrix((np.ones(len(i), np.int8), (i, j)), shape=(n, n))
    return connected_components(graph, directed=False)[1]
