"""What a short query names beyond its words: a micro-genre, a fan shelf (macro theme), genres.

The search itself (``webapp.explore.search``) builds the OpenSearch bodies; this module reads a
short mood or theme query against the served taxonomy and says which films to lift or add:

- the micro-genre it names (``micro_match`` over a ``MicroTable`` of the served micro-genres,
  read once per index by ``webapp.explore.views.micro_table``);
- the fan shelves it names (``named_shelves`` before the search, for the BM25 gate;
  ``shelf_match`` after it, ties told apart by the results), and whether it *is* a shelf's own
  words, so the shelf is browsed (``browses_shelf``);
- the shelves a query names whole (``theme_shelves``: "heist movies") or by its first word
  (``headed_shelves``: "heist crew double cross"), which the search browses;
- the popular films a browse adds (``popular_films_body``, ``with_films``), and the lifts'
  sizes, each chosen on the tuning mood queries (docs/explorer.md).

Pure functions and one table: no request state, so ``bench.relevance`` sweeps every setting.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from mgm.shelves import SHELVES
from webapp.api.params import Filters
from webapp.explore.highlight import WORD as HIGHLIGHT_WORD
from webapp.explore.highlight import stem
from webapp.explore.intents import STOP_WORDS, content_text, joins_topic, kind_beside_subject, named_genres, only_genre_words
from webapp.explore.search import MICRO_LIST_MAX, PRIOR_FIELD, filter_clauses, lift, phrase_stems, shelf_gate, text_query, topic_words

# --- micro-genre match: the theme a short query names -------------------------------------
# A query of at most MICRO_MATCH_MAX_WORDS topic words (a theme, not a plot description) is
# matched to every micro-genre, in the app, against a table of the served micro-genres read
# once per index (``MicroTable``; webapp.explore.views caches it by the index the hits came from):
# the cosine of the query vector to the micro-genre's centroid, plus the share of the query's
# words found in its label and in its keywords (stemmed as the highlighter stems). The best is
# a match when it scores MICRO_MIN_SCORE and leads the runner-up by MICRO_MIN_MARGIN; its
# films then gain MICRO_LIFT on hybrid's fused score. Calibrated on the tune split of
# bench/mood_queries.json (docs/explorer.md, "Query intents and taxonomy-aware ranking"). A
# search of the micro-genres index per query did the same for about 0.7 ms of OpenSearch CPU
# and 1 ms of wall time; the table costs one search per index and about 0.1 ms per query.
MICRO_LABEL_WEIGHT = 0.2
MICRO_KEYWORD_WEIGHT = 0.1
MICRO_MIN_SCORE = 0.6
MICRO_MIN_MARGIN = 0.06
MICRO_LIFT = 0.15
MICRO_TABLE_SOURCE = ["id", "label", "size", "keywords", "centroid"]
# A query that is a TMDB keyword this many films carry is a theme, not a title word: "revenge"
# (Jaws: The Revenge, Revenge of the Sith), "magic" (Magic Mike), "superhero" (Superhero Movie)
# put titles holding the word first. A franchise's keyword is rare ("batman": 3 films).
THEME_MIN_FILMS = 10
THEME_TERMS_MAX = 5_000  # above the keywords TMDB 5000 has at 10 films or more (about 400)
# --- theme shelf match: the macro theme a short query names --------------------------------
# The macro themes are fan shelves with written theme phrases (``mgm.shelves``: "Heists and
# Cons" holds "heist", "bank robbery", "con artist"; "Mind-Bending Thrillers" holds "twist
# ending", "psychological thriller"). A short query (the micro-genre match's topic words) that
# holds one of a shelf's phrases, or a word of its name that is no bare genre ("Heists",
# "Westerns"), names that shelf; the shelves naming the most of it tie and all count. Their
# films gain SHELF_LIFT on hybrid's fused score, as a matched micro-genre's do, and chips show
# them. Chosen on the tune split of bench/mood_queries.json (bench/relevance.py "shelf_curve",
# docs/explorer.md): 0.1 of 0 / 0.1 / 0.15 / 0.2 / 0.3; known items are unchanged (their queries
# are too long to name a shelf).
SHELF_LIFT = 0.1
# A query that is a shelf's own words ("dark psychological thriller twist ending": "Mind-Bending
# Thrillers") and names no micro-genre browses the shelf: its BROWSE_FILMS most popular
# films join the ranked set and every film of it gains SHELF_BROWSE_LIFT, not SHELF_LIFT. The
# shelf is the only thing that knows Memento and The Prestige are twist films: TMDB's keywords
# never say so. Chosen on the tuning mood queries (bench/relevance.py "shelf_browse_curve").
SHELF_BROWSE_SHARE = 0.75
BROWSE_FILMS = 20
SHELF_BROWSE_LIFT = 0.3
# A query that only names genres ("horror movies", "sci-fi", "funny films") browses them the same
# way: the BROWSE_FILMS most popular films of all its genres join the set, and each film of them
# gains GENRE_BROWSE_LIFT before the window is cut (GENRE_LIFT still reorders after it): large
# enough that the genre's films come first, ordered by the popularity prior and their match.
# Chosen on the tuning mood queries (bench/relevance.py "genre_browse_curve"; docs/explorer.md).
GENRE_BROWSE_LIFT = 2.0
# A query that only names a shelf's theme by the words of its name ("heist movies", "war movies",
# "superhero movies": ``theme_shelves``) is a fan asking for that shelf's best-known films, as
# "horror movies" asks for the genre's: its BROWSE_FILMS most popular films join the set in the
# search's own _msearch, and every film on it gains THEME_BROWSE_LIFT. Its micro-genre is only a
# part of it ("Heist" holds 13 films; Ocean's Eleven and Inside Man sit elsewhere on "Heists and
# Cons"). Chosen on the tuning mood queries (bench/relevance.py "theme_browse_curve"): nDCG@10 of
# the 125, off / 0.5 / 1 / 2 / 3 / 5: 0.7322 / 0.7355 / 0.7352 / 0.7348 / 0.7365 / 0.7361.
THEME_BROWSE_LIFT = 3.0
# A short query whose *first* topic word is a shelf's head word and that says more ("heist crew
# double cross", "zombie apocalypse survival", "war brotherhood soldiers": ``headed_shelves``) asks
# for that shelf's films that fit the rest: the BROWSE_FILMS most popular films on it matching any
# of its words join the set in the _msearch, and every film on the shelf gains up to
# HEADED_BROWSE_LIFT by how well known it is (``search.known``): a nudge, not THEME_BROWSE_LIFT's
# takeover, so the other words still rank, and among the shelf's films those a visitor knows come
# first (with a flat 0.3, "heist crew double cross" had Armored and Takers on page one and Ocean's
# Eleven 26th). Stop 35 chose a flat 0.3 (nDCG@10 off / 0.3 / 0.5 / 1: 0.7328 / 0.7366 / 0.7354 /
# 0.7320). Stop 36, by fame with the vote-count prior, the films the settings brought into a top 10
# judged first (bench/relevance.py "headed_browse_curve", committed run), tune nDCG@10 / fan@10:
# off 0.7265 / 0.433; 0.3 0.7281 / 0.435; 0.5 0.7286 / 0.441; 0.8 0.7253 / 0.446; 1 0.7230 / 0.448.
# 0.5 is the best nDCG@10 (held out 0.7256 off -> 0.7330).
HEADED_BROWSE_LIFT = 0.5
# Hybrid "like <film>" ranks the films nearest it by story and keywords; those on its own fan shelf
# gain LIKE_SHELF_LIFT (semantic mode and a film's /similar stay pure story similarity), so "like
# toy story" keeps to animated family films before a live-action teen comedy that shares a word.
# Chosen on the 15 judged "like <film>" queries' tuning part (bench/relevance.py
# "like_shelf_curve"): nDCG@10 0.513 off, 0.605 from 0.15 to 1 (the smallest lift that reaches
# it); held out 0.542 -> 0.633.
LIKE_SHELF_LIFT = 0.15
# ... and its shelf's BROWSE_FILMS best-known films (most votes) join the set, each gaining up to
# LIKE_BROWSE_LIFT by how well known it is (``like_browse``): "like <film>" means the same kind of
# film to a fan, and the story's nearest 50 held no other Pixar film for Toy Story (Monsters, Inc.
# and Finding Nemo are not among its 400 nearest). The films each lift brought into a top 10 were
# judged first. bench/relevance.py "like_browse_curve" (committed run, all 137 mood queries), tune
# nDCG@10 off / 0.15 / 0.3 / 0.5 / 0.8: 0.7257 / 0.7284 / 0.7286 / 0.7279 / 0.7277, fan@10 0.434 ->
# 0.441 at 0.3; held out 0.7330 / 0.7335 / 0.7330 / 0.7366 / 0.7399. On the 15 "like" queries alone
# (docs/explorer.md): tune 0.591 -> 0.617, held out 0.609 -> 0.609 (0.642 / 0.671 at 0.5 / 0.8,
# which tune does not support).
LIKE_BROWSE_LIFT = 0.3
# Added to the fused score of a film with the genres the query names (``intents.named_genres``),
# in proportion to the share it has ("dark psychological thriller twist ending": Deadpool is no
# thriller). Chosen on the tuning mood queries, bench/relevance.py ``GENRE_LIFTS`` (best nDCG@10;
# 0.2 until stop 32, when the sweep went past 0.3: docs/explorer.md). 0.5 until stop 36, whose
# vote-count prior multiplies a fused score by up to 3 (1.9 before), so an added lift weighs less:
# Deadpool ("a dark, twisted sense of humor") rose to 4th there. Committed run, tune nDCG@10 0.5 /
# 0.7 / 0.8 / 1.0 / 1.5: 0.7271 / 0.7281 / 0.7286 / 0.7290 / 0.7291 (a plateau from 0.8); 0.8 is the
# least that keeps Deadpool off page one. 1.5 since stop 49, when queries of a topic beside a genre
# word were judged (batch "genre and topic": "shark horror", "dinosaur comedy"): at 0.8 the films of
# the topic alone outranked those of both halves (Jurassic Park, Rocky, Interstellar). Chosen on the
# 266 tuning queries then (0.7583 at 0.8, 0.7633 at 1.5); the committed "genre_curve" is a plateau
# from 1.0 (0.7555 / 0.7556 / 0.7550 at 1.0 / 1.2 / 1.5), and plot MRR@10 drops from 2
# (docs/explorer.md, "A topic beside a genre word").
GENRE_LIFT = 1.5
SHELF_EVIDENCE = 20
SHELF_NAME_GENERIC = frozenset(
    {
        "film",
        "films",
        "movie",
        "movies",
        "story",
        "stories",
        "drama",
        "dramas",
        "comedy",
        "comedies",
        "thriller",
        "thrillers",
        "action",
        "adventure",
        "adventures",
        "family",
        "dark",
        "and",
        "the",
        "of",
    }
)


def _stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in HIGHLIGHT_WORD.findall(text) if w.lower() not in STOP_WORDS)


def _postings(stem_sets: tuple[frozenset[str], ...]) -> dict[str, frozenset[int]]:
    """stem -> the rows holding it."""
    rows: dict[str, set[int]] = {}
    for i, held in enumerate(stem_sets):
        for word in held:
            rows.setdefault(word, set()).add(i)
    return {word: frozenset(ix) for word, ix in rows.items()}


@dataclass(frozen=True, eq=False)
class MicroTable:
    """What a short query is matched against, for one served index: every micro-genre (ids,
    labels, sizes, unit centroids, word stems and their postings, stem -> rows) and the macro
    themes its films sit on (``shelves``, for ``shelf_match``)."""

    ids: tuple[int, ...]
    labels: tuple[str, ...]
    sizes: tuple[int, ...]
    centroids: np.ndarray  # one unit row per micro-genre
    label_stems: tuple[frozenset[str], ...]
    keyword_stems: tuple[frozenset[str], ...]
    label_postings: dict[str, frozenset[int]]
    keyword_postings: dict[str, frozenset[int]]
    shelves: tuple[dict[str, Any], ...] = ()  # the served macro themes: {"id", "label", "size"}
    themes: frozenset[tuple[str, ...]] = frozenset()  # stemmed TMDB keywords of THEME_MIN_FILMS films or more

    @classmethod
    def from_docs(
        cls, docs: list[dict[str, Any]], shelves: tuple[dict[str, Any], ...] = (), themes: frozenset[tuple[str, ...]] = frozenset()
    ) -> MicroTable:
        docs = [d for d in docs if d.get("centroid")]
        matrix = np.array([d["centroid"] for d in docs], dtype=np.float32).reshape(len(docs), -1) if docs else np.zeros((0, 0), np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        labels = tuple(_stems(d.get("label") or "") for d in docs)
        keywords = tuple(_stems(" ".join(d.get("keywords") or [])) for d in docs)
        return cls(
            tuple(d["id"] for d in docs),
            tuple(d.get("label") or "" for d in docs),
            tuple(d.get("size") or 0 for d in docs),
            matrix / np.where(norms > 0, norms, 1.0),
            labels,
            keywords,
            _postings(labels),
            _postings(keywords),
            shelves,
            themes,
        )


def shelf_table_body() -> dict[str, Any]:
    """Every macro theme of the served films, with its id and size (``MicroTable.shelves``), and
    the TMDB keywords at least THEME_MIN_FILMS films carry (``MicroTable.themes``)."""
    terms = {"field": "macro_genre_id", "size": MICRO_LIST_MAX}
    themes = {"field": "keywords", "size": THEME_TERMS_MAX, "min_doc_count": THEME_MIN_FILMS}
    shelves = {"terms": terms, "aggs": {"label": {"terms": {"field": "macro_genre", "size": 1}}}}
    return {"size": 0, "aggs": {"shelves": shelves, "themes": {"terms": themes}}}


def theme_phrases(resp: dict[str, Any]) -> frozenset[tuple[str, ...]]:
    """``shelf_table_body``'s theme keywords, each as its stems ("road trip": road, trip)."""
    return frozenset(phrase_stems(b["key"]) for b in resp.get("aggregations", {}).get("themes", {}).get("buckets", []))


def shelf_rows(resp: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """``shelf_table_body``'s answer as {"id", "label", "size"} rows."""
    buckets = resp.get("aggregations", {}).get("shelves", {}).get("buckets", [])
    return tuple({"id": b["key"], "label": b["label"]["buckets"][0]["key"], "size": b["doc_count"]} for b in buckets if b["label"]["buckets"])


class ShelfWords(NamedTuple):
    """A shelf's words as the theme match reads them, stemmed once at import."""

    name: frozenset[str]  # its name's words, bare genre and filler words aside
    phrases: tuple[tuple[str, ...], ...]  # its theme phrases
    head: str  # its name's first word ("heist" of "Heists and Cons")


_SHELF_WORDS: dict[str, ShelfWords] = {
    shelf.name: ShelfWords(
        frozenset(phrase_stems(shelf.name)) - {stem(w) for w in SHELF_NAME_GENERIC},
        tuple(p for p in (phrase_stems(p) for p in shelf.phrases) if p),
        phrase_stems(shelf.name)[0],
    )
    for shelf in SHELVES
}
_NO_WORDS = ShelfWords(frozenset(), (), "")


# The orders a query names ("highest grossing", "biggest budget"): a browse by one ranks its films in it
NAMED_ORDERS = frozenset({"revenue", "budget"})


@dataclass(frozen=True)
class Browse:
    """A browse (``webapp.explore.views``): the most popular films matching every one of ``clauses``
    join the ranked set (``popular_films_body``, ``with_films``), and every film whose ``field`` is
    one of ``values`` gains ``lift`` (``by_fame``: scaled by how well known it is, ``search.lift``).
    A ``field`` of None lifts the films the browse brought: a range ("low budget") or an order
    ("blockbusters": the highest revenue) names no value a film holds. ``evidence`` (scoring
    clauses, ``tones.tone_evidence``) ranks the films that come by how much of it they show,
    then by ``by``; such a browse, and one by an order the query names, lifts each film by its
    share of the best film's (``shares``: "gory horror", Saw first; "highest grossing", Frozen)."""

    clauses: list[dict[str, Any]]
    field: str | None
    values: set[Any]
    lift: float
    by_fame: bool = False
    by: str = "popularity"  # the field that tells which films come: TMDB's popularity, the votes, revenue or budget
    evidence: tuple[dict[str, Any], ...] = ()

    def join(self, hits: list[dict[str, Any]], films: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``hits`` with the browse's ``films`` they lack (``with_films``), lifted and re-sorted."""
        if self.field is not None:
            return lift(with_films(hits, films), self.field, self.values, self.lift, self.by_fame)
        return lift(with_films(hits, films), "id", self.shares(films), self.lift, self.by_fame)

    def shares(self, films: list[dict[str, Any]]) -> dict[Any, float]:
        """Film id -> its share of the lift: of the best film's first sort value (the evidence it
        shows; its revenue or budget) when the browse ranks by evidence or by an order the query
        names (``NAMED_ORDERS``), else all of it. "highest grossing animated movies" had Up first,
        the best known, for a lift the same for every film the browse brought."""
        ranked = bool(self.evidence) or self.by in NAMED_ORDERS
        value = {f["_source"]["id"]: max(float(f["sort"][0]), 0.0) if ranked else 1.0 for f in films}
        best = max(value.values(), default=0.0)
        return {i: v / best if best else 1.0 for i, v in value.items()}


def _topic_stems(terms: list[str]) -> list[str]:
    """The stems of a short query's topic words in query order, a hyphenated word as its words
    ("mind-bending": mind, bend)."""
    return [s for t in terms for s in phrase_stems(t)]


def _holds(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


def _shelf_cover(terms: list[str], q: str, served: Sequence[str] | None = None) -> tuple[list[str], float]:
    """(the shelves covering the most of a short query, the share of its topic stems they cover).
    A shelf covers the words of its theme phrases that ``q`` holds word for word and the topic
    words its name holds. A hyphenated term is its words ("mind-bending": mind, bend).

    Beside a subject, a word naming a kind of film ("underwater horror") names only a shelf it is
    the whole name of ("revenge western": "Westerns"), never a themed shelf of the kind by its
    name word alone: "Supernatural Horror" put Mama and Jennifer's Body first. The genre lift
    speaks for the kind (batch "genre and topic", docs/explorer.md)."""
    words, topic = phrase_stems(q), set(_topic_stems(terms))
    # beside a subject, the shelves must cover one of its words (those that name no kind of film)
    subject = set(_topic_stems([t for t in terms if not only_genre_words(t)])) if kind_beside_subject(q) else None
    scored = []
    for label in _SHELF_WORDS if served is None else served:
        shelf = _SHELF_WORDS.get(label, _NO_WORDS)
        covered = (shelf.name & topic).union(*(p for p in shelf.phrases if _holds(words, p)))
        if covered and (subject is None or covered & subject or shelf.name <= topic):
            scored.append((len(covered), label, len(covered & topic)))
    best = max((n for n, _, _ in scored), default=0)
    named = [(label, share) for n, label, share in scored if n == best]
    return [label for label, _ in named], max((share for _, share in named), default=0) / max(len(topic), 1)


def named_shelves(terms: list[str], q: str, served: Sequence[str] | None = None) -> list[str]:
    """The fan shelves (``mgm.shelves``; of ``served`` when given) that cover the most words of a
    short query with their theme phrases and name words: "heist crew double cross" names
    "Heists and Cons". [] for none. Needs no index, so the search itself can use it
    (``shelf_gate``)."""
    return _shelf_cover(terms, q, served)[0] if terms else []


def browses_shelf(terms: list[str], q: str) -> bool:
    """Whether a short query is a shelf's own words (``SHELF_BROWSE_SHARE`` of its topic words
    covered): "dark psychological thriller twist ending" is "Mind-Bending Thrillers" ("psychological
    thriller", "twist ending"), no theme of its own."""
    return bool(terms) and _shelf_cover(terms, q)[1] >= SHELF_BROWSE_SHARE


def theme_shelves(terms: list[str]) -> list[str]:
    """The shelves whose name holds every topic word of a short query, its first word among them
    ("heist movies": "Heists and Cons"; "prison escape": "Prison Dramas and Escapes"). [] when a
    word is not in the name ("vietnam war", "bank robbery": a theme inside a shelf, not the
    shelf), or when the query names only a later theme of a shelf that lists several ("vampire
    movies" is not "Zombies, Vampires and Monsters")."""
    stems = set(_topic_stems(terms))
    return [label for label, shelf in _SHELF_WORDS.items() if stems and stems <= shelf.name and shelf.head in stems]


def headed_shelves(terms: list[str]) -> list[str]:
    """The shelves whose name's first word is a short query's first topic word ("heist crew double
    cross": "Heists and Cons"; "war brotherhood soldiers": "War Stories"). A query that names a
    shelf whole (``theme_shelves``) browses it that way instead."""
    stems = _topic_stems(terms)
    return [label for label, shelf in _SHELF_WORDS.items() if stems and shelf.head == stems[0]]


def headed_browse(terms: list[str], q: str, shelves: list[str], amount: float) -> Browse:
    """What a short query whose first word heads ``shelves`` (``headed_shelves``) browses: the
    shelves' best-known films that fit it, each lifted by ``amount`` times how well known it is.

    A query that joins its kind to a topic (``intents.joins_topic``: "drama movie about cancer",
    "romantic comedy with a wedding") asks for the shelves' films of that topic: those its words
    beyond the shelves' names match, of the genre a genre word among them names, come by how
    well they match, and only they gain. Until stop 53 such a query's shelves brought their most
    popular films matching any of its words and lifted all their films: "drama movie about cancer"
    brought 12 Angry Men and Mystic River on "about" and "movie", and "rom-com with a wedding"
    ranked Midnight in Paris and Hitch before the wedding films. A query of one theme's words
    ("heist crew double cross", "war epic"), or one with no topic word left beyond the names and
    genres ("christmas horror": no text says "horror"), still does that: Inside Man says none of
    "crew double cross" and is the heist film a fan means."""
    searched, named = content_text(q), _named_by(shelves)
    kept = set(topic_words(searched))  # not the words that join the kind to its topic ("about")
    rest = [t for t in terms if t in kept and not set(phrase_stems(t)) <= named]
    topic = [t for t in rest if not only_genre_words(t)]  # a subject, as ``_shelf_cover`` tells it from a kind
    if not (joins_topic(q) and topic):
        return Browse([shelf_gate(searched, shelves)], "macro_genre", set(shelves), amount, by_fame=True)
    on_shelves: list[dict[str, Any]] = [{"terms": {"macro_genre": shelves}}, *({"term": {"genres": g}} for g in named_genres(" ".join(rest)))]
    return Browse(on_shelves, None, set(), amount, by_fame=True, evidence=(text_query(" ".join(topic), None),))


def _named_by(shelves: list[str]) -> set[str]:
    """The stems of the ``shelves``' names, their head words among them."""
    return set().union(*(_SHELF_WORDS[label].name | {_SHELF_WORDS[label].head} for label in shelves))


def popular_films_body(
    clauses: list[dict[str, Any]],
    filters: Filters,
    source: list[str],
    size: int = BROWSE_FILMS,
    by: str = "popularity",
    evidence: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The (filtered) films matching every clause with the highest ``by``: what a browse adds (a
    shelf whose own words the query is, ``browses_shelf``; a ``Browse`` of genres or of a shelf's
    name). With ``evidence`` (scoring clauses, each to be met), the films showing the most of it
    come first."""
    query: dict[str, Any] = {"bool": {"filter": [*clauses, *filter_clauses(filters)]}}
    order: list[dict[str, Any]] = [{by: {"order": "desc", "missing": "_last"}}]
    if evidence:
        query["bool"]["must"] = list(evidence)
        order.insert(0, {"_score": {"order": "desc"}})
    return {"query": query, "size": size, "sort": order, "_source": source}


def like_browse(like: dict[str, Any], amount: float) -> Browse | None:
    """What hybrid "like <film>" browses: the best-known films of the film's own fan shelf, each
    lifted by ``amount`` times how well known it is (None: no shelf, or ``amount`` 0)."""
    shelf = like.get("macro_genre_id")
    if not amount or shelf is None:
        return None
    return Browse([{"term": {"macro_genre_id": shelf}}], "macro_genre_id", {shelf}, amount, by_fame=True, by=PRIOR_FIELD)


def with_films(hits: list[dict[str, Any]], more: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``hits`` and, after them at score 0, the films of ``more`` they lack (a shelf browse's films:
    the lift and the popularity prior then rank them)."""
    have = {h["_id"] for h in hits}
    return [*hits, *(dict(h, _score=0.0) for h in more if h["_id"] not in have)]


def shelf_match(table: MicroTable, terms: list[str], q: str, window: Sequence[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    """The served macro themes a short query names (``SHELF_LIFT``): those covering the most query
    words with their theme phrases and name words; [] for none. Shelves that tie ("heist" is a
    phrase of "Heists and Cons" and of "Buddy and Action Comedies") are told apart by how many of
    the first ``SHELF_EVIDENCE`` films of the search's own ``window`` sit on each: the reading
    its results support. A tie that remains keeps them all."""
    named = set(named_shelves(terms, q, [row["label"] for row in table.shelves]))
    tied = [row for row in table.shelves if row["label"] in named]
    if len(tied) > 1 and window:
        on = Counter(h["_source"].get("macro_genre_id") for h in window[:SHELF_EVIDENCE])
        most = max(on[row["id"]] for row in tied)
        tied = [row for row in tied if on[row["id"]] == most]
    return tied


def micro_table_body() -> dict[str, Any]:
    """Every micro-genre with its centroid and keywords (``MicroTable``)."""
    return {"query": {"match_all": {}}, "size": MICRO_LIST_MAX, "_source": MICRO_TABLE_SOURCE}


def micro_scores(
    table: MicroTable, terms: list[str], vector: list[float], label_weight: float = MICRO_LABEL_WEIGHT, keyword_weight: float = MICRO_KEYWORD_WEIGHT
) -> np.ndarray:
    """Per micro-genre: cos(query, centroid) + label_weight x the share of ``terms`` its label holds
    + keyword_weight x the share its keywords hold (a term of several words, "sci-fi", needs them all)."""
    scores = table.centroids @ np.asarray(vector, dtype=np.float32)
    wanted = [w for w in (_stems(t) for t in terms) if w]
    for weight, postings in ((label_weight, table.label_postings), (keyword_weight, table.keyword_postings)):
        for term in wanted if weight else []:
            holding = frozenset.intersection(*(postings.get(s, frozenset()) for s in term))
            if holding:
                scores[list(holding)] += weight / len(wanted)
    return scores


def micro_match(
    table: MicroTable,
    terms: list[str],
    vector: list[float],
    min_score: float = MICRO_MIN_SCORE,
    min_margin: float = MICRO_MIN_MARGIN,
    **weights: float,
) -> dict[str, Any] | None:
    """The micro-genre a short query names with confidence (``micro_scores``), or None."""
    if not terms or not table.ids:
        return None
    scores = micro_scores(table, terms, vector, **weights)
    order = np.argsort(-scores)
    best = float(scores[order[0]])
    runner_up = float(scores[order[1]]) if len(order) > 1 else -1.0
    if best < min_score or best - runner_up < min_margin:
        return None
    i = int(order[0])
    return {"id": table.ids[i], "label": table.labels[i], "size": table.sizes[i]}
