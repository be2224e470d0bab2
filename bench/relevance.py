"""Relevance of keyword, semantic and hybrid search on hand-written judged queries, before and after.

``bench/relevance.json`` holds five sets:

- ``plot``: a film described in our own words (known-item search; one expected film);
- ``theme``: a theme paraphrased, relevant = the film carries a TMDB keyword;
- ``title``: a film's title, half of them misspelled;
- ``theme_filtered``: a theme with filters (genre, years, minimum rating);
- ``nonsense``: strings that should find (almost) nothing.

Each mode runs two methods in the same run:

- ``before``: main's query before issue 11 (k-NN top 100 and a hybrid window of 100, BM25 without a minimum match or
  title clauses, sort by raw ``vote_average`` in OpenSearch);
- ``after``: exactly the app's search, ``webapp.explore.views.find``: its reading of the query
  (``webapp.explore.intents``), bodies and ranking (micro-genre lift, relative floor, titles first).

Metrics at cut-off 10: MRR@10 and recall@10 (``plot``; ``old_set_mrr@10`` is plot + theme
together, the figure main reported), the share of title queries with their film in the top
3, precision@10 of themes in relevance order and sorted by rating (on topic / shown, and
on topic / 10), and the number of films each nonsense query returns. ``title_typos``: 300
real titles of 3-8 words drawn from the CSV at run time (250 with one or two random typos,
50 as they are), the share whose film is in the top 3 (keyword and hybrid). ``cutoff_curve``
sweeps the vector threshold, ``min_match_curve`` BM25's minimum share of terms,
``prior_curve`` the popularity prior and ``relative_floor_curve`` hybrid's relative score
floor, each with the rest as in the app.

``mood`` (``bench/mood_queries.json``): mood and theme queries as visitors type them ("slow
burn horror", "heist crew double cross", a few "like <title>"), each with graded judgements
(2 squarely on topic, 1 partly, 0 not; unjudged = 0) pooled from the union of the three modes'
top 20 and top 10 sorted by rating, plus the famous films the pool missed. A fixed third of
them is ``held_out`` (positions 3, 6, 9, ... in the file): tune on ``tune``, report both. Each
query runs the way ``webapp.explore.views.run_search`` runs it (a "like <title>" in semantic or
hybrid mode finds the film and ranks its nearest films; ``MoodRunner``). Per mode and split:
nDCG@10 (linear gain, log2 discount, ideal from every judged grade of the query), P@10 (grade
>= 1, over 10), MRR@10 (first grade-2 result), recall@50 (grade >= 1 films on the first 50
places the app would list: hybrid and "like" rank at most 50, fewer after the relative floor;
keyword and semantic page deeper, cut at 50 here), films returned (the app's ``total``), P@10
sorted by rating, the share of each top 10 that is judged, and ``fan@10``: the share of the
well-known films a fan expects on page one (``bench/fan_expected.json``, 2-5 per query, written
blind) that are in the top 10. The metric functions are the pure
ones under "Graded metrics" (tests/test_relevance_metrics.py).

Issue 22's settings, each swept with the rest as in the app (hybrid mode; the mood figures per
split, so a setting is chosen on ``tune`` and ``held_out`` reports it): ``mood_floor_curve``
(the relative floor and the minimum kept, ``MIN_KEPT``), ``micro_curve`` (the micro-genre match
off, its ``min_score``, its lift; with the known-item figures and title typos beside "off" and
the app's setting), ``shelf_curve`` (the lift of the macro themes a query names, 0 = off), ``genre_curve`` (the
lift of the films of the genres a query names, 0 = off; with the known-item figures), ``ruled_out_curve``
(the genres a query's mood rules out left out or kept: "heartwarming summer camp", no slasher),
``fused_prior_curve`` (the prior on the fused score by votes, with the known-item figures),
``prior_field_curve`` (that prior by TMDB's popularity, stop 35's, against votes) and
``mood_anchor_curve`` (the least cosine a mood query's vector side is scaled by, ``fusion.MOOD_VECTOR_ANCHOR``;
0 = plain min-max; with the known-item figures).
``paraphrases`` (``bench/paraphrases.json``, stop 48): other wordings of judged mood queries
("scary movies, not gory" beside "horror movies without gore"), each graded by its judged query's
grades, per that query's split (``evaluate_paraphrases``).
``indices`` names the indices the aliases served at the start and the
end of the run: another engineer's reindex between them makes the run a mix of two taxonomies.
"""

from __future__ import annotations

import json
import math
import random
import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from indexer.ingest.load import load_movies
from mgm.client import make_client
from mgm.query_encoder import load_query_encoder
from mgm.settings import Settings
from webapp.api.params import Filters, SearchParams
from webapp.explore.fusion import MOOD_VECTOR_ANCHOR, hybrid_search
from webapp.explore.search import (
    BM25_MIN_MATCH,
    FUSED_PRIOR,
    KEYWORD_MODE_MIN_MATCH,
    KNN_MIN_SCORE,
    MICRO_MATCH_MAX_WORDS,
    MIN_KEPT,
    POPULARITY_PRIOR,
    PRIOR_FIELD,
    RANKED_WINDOW,
    RELATIVE_FLOOR,
    main_query,
)
from webapp.explore.themes import (
    GENRE_BROWSE_LIFT,
    GENRE_LIFT,
    HEADED_BROWSE_LIFT,
    LIKE_BROWSE_LIFT,
    LIKE_SHELF_LIFT,
    MICRO_KEYWORD_WEIGHT,
    MICRO_LABEL_WEIGHT,
    MICRO_LIFT,
    MICRO_MIN_MARGIN,
    MICRO_MIN_SCORE,
    SHELF_BROWSE_LIFT,
    SHELF_BROWSE_SHARE,
    SHELF_LIFT,
    THEME_BROWSE_LIFT,
)
from webapp.explore.views import find

JUDGEMENTS = Path(__file__).with_name("relevance.json")
MOOD_JUDGEMENTS = Path(__file__).with_name("mood_queries.json")
FAN_EXPECTED = Path(__file__).with_name("fan_expected.json")  # per mood query, the known films a fan expects on page one
PARAPHRASES = Path(__file__).with_name("paraphrases.json")  # other wordings of judged mood queries (stop 48)
MOOD_SPLITS = ("tune", "held_out")
MOOD_DEPTH = 50  # recall@50; hybrid and "like" rank at most RANKED_WINDOW (50) films anyway
CUTOFF = 10
MODES = ("keyword", "semantic", "hybrid")
BEFORE = {"min_score": None, "min_match": None, "keyword_min_match": None, "prior": 0.0, "titles": False, "depth": 100}
BEFORE_RATING_FIELDS = ("vote_average", "vote_count")
BEFORE_RATING_SORT = [{field: {"order": "desc"}} for field in BEFORE_RATING_FIELDS]
KNN_THRESHOLDS = (0.62, 0.64, 0.66, 0.68, 0.70)
MIN_MATCHES = ("1", "2<40%", "2<60%", "3<75%")  # keyword mode; hybrid uses BM25_MIN_MATCH
PRIORS = (0.0, 0.05, 0.1, 0.2)
FLOORS = (0.0, 0.2, 0.3, 0.5)
KEPT = (0, 10, 20)  # hybrid's minimum kept (``MIN_KEPT``), swept with the floor on the mood queries
MOOD_FLOORS = (0.2, 0.25, 0.3)
MICRO_SCORES = (0.5, 0.6, 0.7)  # ``MICRO_MIN_SCORE`` swept at the app's margin and lift
MICRO_LIFTS = (0.0, 0.1, 0.15, 0.3)  # 0: no lift (the match is still made)
SHELF_LIFTS = (0.0, 0.1, 0.15, 0.2, 0.3)  # 0: no shelf match
SHELF_BROWSE_LIFTS = (0.0, 0.1, 0.2, 0.3, 0.5)  # 0: no shelf browse
GENRE_BROWSE_LIFTS = (0.0, 0.3, 1.0, 1.5, 2.0, 3.0)  # 0: no genre browse
THEME_BROWSE_LIFTS = (0.0, 0.5, 1.0, 2.0, 3.0, 5.0)  # 0: no theme browse
HEADED_BROWSE_LIFTS = (0.0, 0.3, 0.5, 0.8, 1.0)  # 0: no browse of the shelf a query's first word heads
LIKE_SHELF_LIFTS = (0.0, 0.15, 0.3, 0.6, 1.0)  # 0: "like <film>" ignores the film's shelf
LIKE_BROWSE_LIFTS = (0.0, 0.15, 0.3, 0.5, 0.8)  # 0: "like <film>" brings no film from its shelf
GENRE_LIFTS = (0.0, 0.3, 0.8, 1.0, 1.2, 1.5, 2.0, 2.5)  # 0: genre words ignored
FUSED_PRIORS = (0.0, 0.1, 0.3, 0.5, 0.75)
PRIOR_FIELDS = (("popularity", 0.3), ("vote_count", 0.3), ("vote_count", 0.5))  # (field, weight); popularity 0.3 until stop 36
MOOD_ANCHORS = (0.0, 0.5, 0.55, 0.6, 0.65, 0.7)  # fusion.MOOD_VECTOR_ANCHOR; 0: plain min-max (no anchor)
SOURCE = ["id", "keywords"]


def load_judgements(path: Path = JUDGEMENTS) -> dict[str, list[dict[str, Any]]]:
    data = json.loads(path.read_text())
    return {name: queries for name, queries in data.items() if isinstance(queries, list)}


def all_queries(sets: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Every judged query text once, in file order (the latency benchmark sends these too)."""
    return list(dict.fromkeys(j["q"] for queries in sets.values() for j in queries))


class Vectors:
    """Query vectors as the web app encodes them (``load_query_encoder``: ``QUERY_BACKEND``, each
    text alone), each text once. Any text the app encodes is asked for: a judged query, or a
    query without its years as ``webapp.explore.intents`` reads it."""

    def __init__(self, encode_one: Callable[[str], np.ndarray]):
        self.encode_one = encode_one
        self.cache: dict[str, list[float]] = {}

    def __call__(self, text: str) -> list[float]:
        if text not in self.cache:
            self.cache[text] = self.encode_one(text).tolist()
        return self.cache[text]


class Runner:
    """Sends one judged query the way a method does and returns (top hits, films returned).

    ``after`` is ``webapp.explore.views.find``: the app's reading of the query, bodies and ranking.
    """

    def __init__(self, client, index: str, micro_index: str, vectors: Vectors):
        self.client, self.index, self.micro_index, self.vectors = client, index, micro_index, vectors

    def search(
        self, q: str, mode: str, method: str, sort: str = "relevance", filters: Filters | None = None, **options: Any
    ) -> tuple[list[dict[str, Any]], int]:
        params = SearchParams(q=q, mode=mode, sort=sort, filters=filters or Filters(), size=CUTOFF)
        if method == "before":
            vector = self.vectors(q) if mode != "keyword" else None
            body: dict[str, Any] = {"query": main_query(params, vector, **BEFORE), "size": CUTOFF, "_source": SOURCE, "track_total_hits": True}
            if mode == "hybrid":  # it was OpenSearch's min-max pipeline: the app's fusion without an anchor is the same arithmetic
                return self._before_hybrid(body, sort)
            if sort == "rating":
                body["sort"] = BEFORE_RATING_SORT
            resp = self.client.search(index=self.index, body=body)
            return [h["_source"] for h in resp["hits"]["hits"]], resp["hits"]["total"]["value"]
        found = find(self.client, self.index, self.micro_index, params, self.vectors, extras=False, extra_source=("keywords",), **options)
        return [h["_source"] for h in found["hits"]], found["total"]

    def _before_hybrid(self, body: dict[str, Any], sort: str) -> tuple[list[dict[str, Any]], int]:
        """The hybrid "before": its window fused, sorted by rating when asked (as OpenSearch
        sorted the hybrid's matches), the first ``CUTOFF``."""
        depth = body["query"]["hybrid"]["pagination_depth"]
        resp = hybrid_search(self.client, self.index, {**body, "size": depth, "_source": [*SOURCE, *BEFORE_RATING_FIELDS]})
        hits = [h["_source"] for h in resp["hits"]["hits"]]
        if sort == "rating":
            hits.sort(key=lambda h: tuple(-(h.get(f) or 0) for f in BEFORE_RATING_FIELDS))
        return hits[:CUTOFF], resp["hits"]["total"]["value"]


def reciprocal_rank(flags: list[bool]) -> float:
    return next((1.0 / (i + 1) for i, ok in enumerate(flags[:CUTOFF]) if ok), 0.0)


def on_topic(hits: list[dict[str, Any]], keyword: str) -> list[bool]:
    return [keyword in h.get("keywords", []) for h in hits[:CUTOFF]]


def precision(flags: list[bool]) -> tuple[float, float]:
    """(on topic / shown, on topic / 10); an empty list counts 0 for both."""
    return (sum(flags) / len(flags) if flags else 0.0), sum(flags) / CUTOFF


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0


def evaluate(run: Runner, sets: dict[str, list[dict[str, Any]]], mode: str, method: str, **options: Any) -> dict[str, Any]:
    """Every metric of one (mode, method), optionally with query options overridden."""
    plot_rr, plot_recall = [], []
    for j in sets["plot"]:
        hits, _ = run.search(j["q"], mode, method, **options)
        flags = [h["id"] in j["expected"] for h in hits]
        plot_rr.append(reciprocal_rank(flags))
        plot_recall.append(sum(flags[:CUTOFF]) / len(j["expected"]))
    theme_rr, theme_p, theme_p_rated = [], [], []
    for j in sets["theme"]:
        hits, _ = run.search(j["q"], mode, method, **options)
        flags = on_topic(hits, j["keyword"])
        theme_rr.append(reciprocal_rank(flags))
        theme_p.append(precision(flags))
        theme_p_rated.append(precision(on_topic(run.search(j["q"], mode, method, sort="rating", **options)[0], j["keyword"])))
    filtered_p, filtered_p_rated = [], []
    for j in sets["theme_filtered"]:
        filters = Filters(**j["filters"])
        filtered_p.append(precision(on_topic(run.search(j["q"], mode, method, filters=filters, **options)[0], j["keyword"])))
        rated = run.search(j["q"], mode, method, sort="rating", filters=filters, **options)[0]
        filtered_p_rated.append(precision(on_topic(rated, j["keyword"])))
    top3 = {True: 0, False: 0}
    title_rr = []
    for j in sets["title"]:
        hits, _ = run.search(j["q"], mode, method, **options)
        flags = [h["id"] in j["expected"] for h in hits]
        top3[j["typo"]] += any(flags[:3])
        title_rr.append(reciprocal_rank(flags))
    nonsense = {j["q"]: run.search(j["q"], mode, method, **options)[1] for j in sets["nonsense"]}

    def p(rows: list[tuple[float, float]]) -> dict[str, float]:
        return {"shown": _mean([a for a, _ in rows]), "of_10": _mean([b for _, b in rows])}

    return {
        "plot": {"mrr@10": _mean(plot_rr), "recall@10": _mean(plot_recall)},
        "old_set_mrr@10": _mean(plot_rr + theme_rr),
        "theme": {"mrr@10": _mean(theme_rr), "p@10": p(theme_p), "p@10_sorted_by_rating": p(theme_p_rated)},
        "theme_filtered": {"p@10": p(filtered_p), "p@10_sorted_by_rating": p(filtered_p_rated)},
        "title": {
            "top3": top3[True] + top3[False],
            "of": len(sets["title"]),
            "top3_typo": top3[True],
            "top3_exact": top3[False],
            "mrr@10": _mean(title_rr),
        },
        "nonsense": {"max_results": max(nonsense.values(), default=0), "results": nonsense},
    }


# --- Graded metrics (the mood section; pure functions of a ranking and its judgements) -----


def dcg(grades: list[int], k: int = CUTOFF) -> float:
    """Discounted cumulative gain of the first ``k`` grades: sum of grade / log2(rank + 1), rank from 1.

    Linear gain (a grade-2 film is worth twice a grade-1 film), the standard log2 discount.
    """
    return sum(g / math.log2(rank + 1) for rank, g in enumerate(grades[:k], 1))


def ndcg(ranking: list[int], judged: dict[int, int], k: int = CUTOFF) -> float | None:
    """nDCG@k of ``ranking`` (film ids, best first); unjudged films count 0.

    The ideal is every judged grade of the query in descending order (films no mode found
    included), so a mode is not rewarded for missing what another found. None when the query
    has no relevant film (no ideal gain): such a query is left out of the mean.
    """
    ideal = dcg(sorted(judged.values(), reverse=True), k)
    return dcg([judged.get(i, 0) for i in ranking], k) / ideal if ideal > 0 else None


def precision_at(ranking: list[int], judged: dict[int, int], k: int = CUTOFF) -> float:
    """Films graded >= 1 among the first ``k``, divided by ``k`` (a short list is not rewarded)."""
    return sum(judged.get(i, 0) >= 1 for i in ranking[:k]) / k


def reciprocal_rank_graded(ranking: list[int], judged: dict[int, int], k: int = CUTOFF, grade: int = 2) -> float:
    """1 / rank of the first film graded >= ``grade`` (default 2: squarely on topic) in the first ``k``, else 0."""
    return next((1.0 / rank for rank, i in enumerate(ranking[:k], 1) if judged.get(i, 0) >= grade), 0.0)


def recall_at(ranking: list[int], judged: dict[int, int], k: int = MOOD_DEPTH) -> float | None:
    """Share of the query's films graded >= 1 found in the first ``k`` of ``ranking``; None when it has none.

    The denominator is every judged relevant film, those no mode found included. The app shows
    a ranking only as deep as it goes: hybrid and "like" rank at most 50 films (fewer after the
    relative floor), keyword and semantic page through their whole cut-off set; ``ranking``
    is what the app would list on its first 50 places.
    """
    relevant = {i for i, g in judged.items() if g >= 1}
    return len(relevant & set(ranking[:k])) / len(relevant) if relevant else None


def judged_share(ranking: list[int], judged: dict[int, int], k: int = CUTOFF) -> float | None:
    """Share of the first ``k`` films shown that carry a judgement; None when nothing is shown."""
    shown = ranking[:k]
    return sum(i in judged for i in shown) / len(shown) if shown else None


def mean_defined(values: list[float | None]) -> float | None:
    """Mean of the values that are not None, rounded to 4 places; None when there are none."""
    kept = [v for v in values if v is not None]
    return round(sum(kept) / len(kept), 4) if kept else None


# --- Mood and theme queries ------------------------------------------------------------------


def load_mood(path: Path = MOOD_JUDGEMENTS, fan_path: Path = FAN_EXPECTED) -> list[dict[str, Any]]:
    """The mood queries, each with ``query``, ``split``, ``judged`` as ``{film id (int): grade}`` and
    ``fan``, the ids of the films a fan expects on its first page (``fan_expected.json``, same order)."""
    rows = json.loads(path.read_text())["queries"]
    fan = {r["query"]: [f["id"] for f in r["films"]] for r in json.loads(fan_path.read_text())["queries"]}
    return [{**r, "judged": {int(i): int(g) for i, g in r["judged"].items()}, "fan": fan.get(r["query"], [])} for r in rows]


class MoodRunner:
    """One query as ``webapp.explore.views.run_search`` answers it (``find``), as a ranking of film ids.

    ``settings`` override ``find``'s (``floor``, ``keep``, ``micro``, ``micro_options``, ``lift``)
    for the sweeps; none means the app's.
    """

    def __init__(self, client, index: str, micro_index: str, vectors: Vectors, **settings: Any):
        self.client, self.index, self.micro_index, self.vectors, self.settings = client, index, micro_index, vectors, settings

    def ranking(self, q: str, mode: str, sort: str = "relevance", size: int = MOOD_DEPTH) -> tuple[list[int], int]:
        """(film ids of the first ``size`` places, films the search returns: the app's ``total``)."""
        params = SearchParams(q=q, mode=mode, sort=sort, size=size)
        found = find(self.client, self.index, self.micro_index, params, self.vectors, extras=False, **self.settings)
        return [h["_source"]["id"] for h in found["hits"]], found["total"]


def mood_scores(ranking: list[int], rated: list[int], returned: int, judged: dict[int, int], fan: Sequence[int] = ()) -> dict[str, Any]:
    """One query's figures: ``ranking`` in relevance order (top 50), ``rated`` the rating-sorted top 10,
    ``fan`` the films a fan expects on page one (``fan@10``: the share of them in the top 10; None without)."""
    return {
        "fan@10": len(set(ranking[:CUTOFF]).intersection(fan)) / len(fan) if fan else None,
        "ndcg@10": ndcg(ranking, judged),
        "p@10": precision_at(ranking, judged),
        "mrr@10": reciprocal_rank_graded(ranking, judged),
        "recall@50": recall_at(ranking, judged),
        "results": returned,
        "p@10_sorted_by_rating": precision_at(rated, judged),
        "judged@10": judged_share(ranking, judged),
        "judged@10_sorted_by_rating": judged_share(rated, judged),
    }


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Means over queries (metrics that are None for a query are left out), and the results returned."""
    out: dict[str, Any] = {"queries": len(rows)}
    for name in ("ndcg@10", "p@10", "mrr@10", "recall@50", "p@10_sorted_by_rating", "judged@10", "judged@10_sorted_by_rating", "fan@10"):
        out[name] = mean_defined([r[name] for r in rows])
    returned = [r["results"] for r in rows]
    out["results"] = {
        "mean": round(statistics.mean(returned), 1) if returned else 0,
        "median": statistics.median(returned) if returned else 0,
        "zero": sum(n == 0 for n in returned),
    }
    return out


def evaluate_mood(run: MoodRunner, queries: list[dict[str, Any]], modes: tuple[str, ...] = MODES) -> dict[str, Any]:
    """Per mode and split the means of ``mood_scores``, and each query's figures per mode."""
    per_query: dict[str, dict[str, Any]] = {}
    summary: dict[str, dict[str, Any]] = {}
    for mode in modes:
        rows = []
        for j in queries:
            ranking, returned = run.ranking(j["query"], mode)
            rated, _ = run.ranking(j["query"], mode, sort="rating", size=CUTOFF)
            row = {"split": j["split"], **mood_scores(ranking, rated, returned, j["judged"], j["fan"]), "top10": ranking[:CUTOFF]}
            per_query.setdefault(j["query"], {"split": j["split"]})[mode] = {k: v for k, v in row.items() if k != "split"}
            rows.append({**row, "batch": j.get("batch")})
        summary[mode] = {split: summarise([r for r in rows if r["split"] == split]) for split in MOOD_SPLITS}
        summary[mode]["all"] = summarise(rows)
        for batch in sorted({r["batch"] for r in rows if r["batch"]}):  # a later batch of queries on its own ("everyday moods")
            summary[mode][batch] = {split: summarise([r for r in rows if r["batch"] == batch and r["split"] == split]) for split in MOOD_SPLITS}
    return {
        "judged_films": sum(len(j["judged"]) for j in queries),
        "queries": {split: sum(j["split"] == split for j in queries) for split in MOOD_SPLITS},
        "results": summary,
        "per_query": per_query,
    }


def evaluate_paraphrases(run: MoodRunner, queries: list[dict[str, Any]], path: Path = PARAPHRASES) -> dict[str, Any]:
    """Per split (the judged query's), hybrid nDCG@10 of each judged query and of its other wording
    (``paraphrases.json``), both graded by the judged query's grades, and the share of the judged
    query's top 10 the wording keeps: a reading that misses a wording ("scary movies, not gory"
    read "gory" as wanted) shows as a wording far below its query."""
    judged = {j["query"]: j for j in queries}
    rows = []
    for pair in json.loads(path.read_text())["pairs"]:
        j = judged[pair["as"]]
        said, meant = run.ranking(j["query"], "hybrid")[0], run.ranking(pair["query"], "hybrid")[0]
        overlap = len(set(said[:CUTOFF]) & set(meant[:CUTOFF])) / CUTOFF
        rows.append({**pair, "split": j["split"], "ndcg@10_as": ndcg(said, j["judged"]), "ndcg@10": ndcg(meant, j["judged"]), "top10_kept": overlap})
    summary = {
        split: {
            "pairs": len(of),
            **{name: mean_defined([r[name] for r in of]) for name in ("ndcg@10_as", "ndcg@10", "top10_kept")},
        }
        for split in MOOD_SPLITS
        if (of := [r for r in rows if r["split"] == split])
    }
    return {"results": summary, "pairs": rows}


def _typo(title: str, edits: int, rng: random.Random) -> str:
    """``title`` with ``edits`` random letter substitutions, deletions or insertions (any letter, the first included)."""
    chars = list(title)
    for _ in range(edits):
        i = rng.choice([k for k, c in enumerate(chars) if c.isalpha()])
        op, letter = rng.choice("sdi"), rng.choice("abcdefghijklmnopqrstuvwxyz")
        if op == "s":
            chars[i] = letter
        elif op == "d":
            del chars[i]
        else:
            chars.insert(i, letter)
    return "".join(chars)


def title_typos(csv: Path, n: int = 250, exact: int = 50, seed: int = 7) -> list[tuple[int, str]]:
    """(film id, query): ``n`` titles of 3-8 words with one or two typos, then ``exact`` of them unchanged."""
    rng = random.Random(seed)
    films = rng.sample([m for m in load_movies(csv).movies if 3 <= len(m.title.split()) <= 8], n)
    return [(m.id, _typo(m.title, 1 + k % 2, rng)) for k, m in enumerate(films)] + [(m.id, m.title) for m in films[:exact]]


def typo_top3(run: Runner, queries: list[tuple[int, str]], mode: str, method: str, **options: Any) -> dict[str, int]:
    found = [film in [h["id"] for h in run.search(q, mode, method, **options)[0][:3]] for film, q in queries]
    return {"top3": sum(found), "of": len(found)}


def _curve_row(result: dict[str, Any]) -> dict[str, Any]:
    """The few figures a threshold trades against each other."""
    return {
        "plot_mrr@10": result["plot"]["mrr@10"],
        "old_set_mrr@10": result["old_set_mrr@10"],
        "theme_p@10_rating": result["theme"]["p@10_sorted_by_rating"]["shown"],
        "filtered_p@10_rating": result["theme_filtered"]["p@10_sorted_by_rating"]["shown"],
        "title_top3": result["title"]["top3"],
        "nonsense_max": result["nonsense"]["max_results"],
    }


def _mood_row(result: dict[str, Any]) -> dict[str, Any]:
    """Hybrid's mood figures per split, for the sweeps."""
    keys = ("ndcg@10", "p@10", "recall@50", "p@10_sorted_by_rating", "fan@10")
    return {
        split: {**{k: result["results"]["hybrid"][split][k] for k in keys}, "results_median": result["results"]["hybrid"][split]["results"]["median"]}
        for split in MOOD_SPLITS
    }


def served_indices(client, settings: Settings) -> list[str]:
    """The indices the movies and micro-genres aliases point to now (the other engineer's reindex swaps them)."""
    return sorted(client.indices.get_alias(name=f"{settings.index_alias},{settings.micro_alias}"))


def run(settings: Settings) -> dict[str, Any]:
    client = make_client(settings, timeout=60)
    indices_at_start = served_indices(client, settings)
    sets = load_judgements()
    typos = title_typos(settings.movies_csv)
    vectors = Vectors(load_query_encoder(settings).encode_one)
    runner = Runner(client, settings.index_alias, settings.micro_alias, vectors)
    mood = load_mood()

    def mood_run(modes: tuple[str, ...] = ("hybrid",), **options: Any) -> dict[str, Any]:
        return evaluate_mood(MoodRunner(client, settings.index_alias, settings.micro_alias, vectors, **options), mood, modes)

    mood_results = mood_run(MODES)
    paraphrases = evaluate_paraphrases(MoodRunner(client, settings.index_alias, settings.micro_alias, vectors), mood)
    results = {f"{mode} {method}": evaluate(runner, sets, mode, method) for mode in MODES for method in ("before", "after")}
    typo_results = {f"{mode} {method}": typo_top3(runner, typos, mode, method) for mode in ("keyword", "hybrid") for method in ("before", "after")}
    cutoff_curve = {
        mode: {f"{t:.2f} (cos {2 * t - 1:.2f})": _curve_row(evaluate(runner, sets, mode, "after", min_score=t)) for t in KNN_THRESHOLDS}
        for mode in ("semantic", "hybrid")
    }
    min_match_curve = {m: _curve_row(evaluate(runner, sets, "keyword", "after", keyword_min_match=m)) for m in MIN_MATCHES}
    prior_curve = {str(w): _curve_row(evaluate(runner, sets, "hybrid", "after", prior=w)) for w in PRIORS}
    floor_curve = {str(f): _curve_row(evaluate(runner, sets, "hybrid", "after", floor=f)) for f in FLOORS}
    # Issue 22: the relative floor with a minimum kept, the micro-genre match and its lift, each
    # swept with the rest as in the app (mood: hybrid per split; known-item sets beside it).
    mood_floor_curve = {f"floor {f} keep {k}": _mood_row(mood_run(floor=f, keep=k)) for f in MOOD_FLOORS for k in KEPT}
    micro_options = {"min_score": MICRO_MIN_SCORE, "min_margin": MICRO_MIN_MARGIN}
    micro_curve = {
        "off": {
            **_mood_row(mood_run(micro=False)),
            "known_items": _curve_row(evaluate(runner, sets, "hybrid", "after", micro=False)),
            "title_typos": typo_top3(runner, typos, "hybrid", "after", micro=False),
        }
    }
    for score in MICRO_SCORES:
        micro_curve[f"min_score {score}"] = _mood_row(mood_run(micro_options={**micro_options, "min_score": score}))
    for lift in MICRO_LIFTS:
        micro_curve[f"lift {lift}"] = _mood_row(mood_run(lift=lift))
    micro_curve[f"lift {MICRO_LIFT}"]["known_items"] = _curve_row(results["hybrid after"])
    micro_curve[f"lift {MICRO_LIFT}"]["title_typos"] = typo_results["hybrid after"]
    shelf_curve = {str(w): _mood_row(mood_run(shelf_lift=w)) for w in SHELF_LIFTS}

    def with_known_items_at(**options: Any) -> dict[str, Any]:
        """``find`` with ``options``: the mood figures per split and the known-item figures."""
        return {**_mood_row(mood_run(**options)), "known_items": _curve_row(evaluate(runner, sets, "hybrid", "after", **options))}

    def with_known_items(setting: str, values: tuple[float, ...]) -> dict[str, Any]:
        """One of ``find``'s settings swept (``with_known_items_at``)."""
        return {str(v): with_known_items_at(**{setting: v}) for v in values}

    genre_curve = with_known_items("genre_lift", GENRE_LIFTS)
    ruled_out_curve = {"off": with_known_items_at(rule_out=False), "on": with_known_items_at(rule_out=True)}
    fused_prior_curve = with_known_items("fused_prior", FUSED_PRIORS)
    prior_field_curve = {f"{field} {weight}": with_known_items_at(prior_field=field, fused_prior=weight) for field, weight in PRIOR_FIELDS}
    mood_anchor_curve = with_known_items("mood_anchor", MOOD_ANCHORS)
    shelf_browse_curve = with_known_items("shelf_browse", SHELF_BROWSE_LIFTS)
    genre_browse_curve = with_known_items("genre_browse", GENRE_BROWSE_LIFTS)
    theme_browse_curve = with_known_items("theme_browse", THEME_BROWSE_LIFTS)
    headed_browse_curve = with_known_items("headed_browse", HEADED_BROWSE_LIFTS)
    like_shelf_curve = with_known_items("like_shelf", LIKE_SHELF_LIFTS)
    like_browse_curve = with_known_items("like_browse", LIKE_BROWSE_LIFTS)
    return {
        "queries": {name: len(queries) for name, queries in sets.items()},
        "index_alias": settings.index_alias,
        # A run is one index only when both lists agree: compare runs only on the same indices.
        "indices": {"at_start": indices_at_start, "at_end": served_indices(client, settings)},
        "app": {
            "query_backend": settings.query_backend,
            "knn_min_score": KNN_MIN_SCORE,
            "bm25_min_match": BM25_MIN_MATCH,
            "keyword_mode_min_match": KEYWORD_MODE_MIN_MATCH,
            "popularity_prior": POPULARITY_PRIOR,
            "ranked_window": RANKED_WINDOW,
            "relative_floor": RELATIVE_FLOOR,
            "min_kept": MIN_KEPT,
            "fused_prior": FUSED_PRIOR,
            "prior_field": PRIOR_FIELD,
            "micro_match": {
                "max_words": MICRO_MATCH_MAX_WORDS,
                "label_weight": MICRO_LABEL_WEIGHT,
                "keyword_weight": MICRO_KEYWORD_WEIGHT,
                "min_score": MICRO_MIN_SCORE,
                "min_margin": MICRO_MIN_MARGIN,
                "lift": MICRO_LIFT,
            },
            "shelf_lift": SHELF_LIFT,
            "shelf_browse": {"share": SHELF_BROWSE_SHARE, "lift": SHELF_BROWSE_LIFT},
            "genre_browse_lift": GENRE_BROWSE_LIFT,
            "theme_browse_lift": THEME_BROWSE_LIFT,
            "headed_browse_lift": HEADED_BROWSE_LIFT,
            "like_shelf_lift": LIKE_SHELF_LIFT,
            "like_browse_lift": LIKE_BROWSE_LIFT,
            "mood_vector_anchor": MOOD_VECTOR_ANCHOR,
            "genre_lift": GENRE_LIFT,
        },
        "results": results,
        "title_typos": typo_results,
        "cutoff_curve": cutoff_curve,
        "min_match_curve": min_match_curve,
        "prior_curve": prior_curve,
        "relative_floor_curve": floor_curve,
        "mood": mood_results,
        "paraphrases": paraphrases,
        "mood_floor_curve": mood_floor_curve,
        "micro_curve": micro_curve,
        "shelf_curve": shelf_curve,
        "genre_curve": genre_curve,
        "ruled_out_curve": ruled_out_curve,
        "fused_prior_curve": fused_prior_curve,
        "prior_field_curve": prior_field_curve,
        "mood_anchor_curve": mood_anchor_curve,
        "shelf_browse_curve": shelf_browse_curve,
        "genre_browse_curve": genre_browse_curve,
        "theme_browse_curve": theme_browse_curve,
        "headed_browse_curve": headed_browse_curve,
        "like_shelf_curve": like_shelf_curve,
        "like_browse_curve": like_browse_curve,
    }
