"""OpenSearch request bodies for the explorer, as pure functions of validated parameters.

Nothing here talks to the server, so every builder is unit-testable and the benchmark can
send exactly the bodies the app sends. User text only ever appears as the query text of a
``match``-family query or a suggester (never spliced into DSL), and vectors come from the
embedding model.

Every query search returns only films that are relevant enough (docs/explorer.md,
"Relevance cutoff"): BM25 needs a share of the query's terms (``BM25_MIN_MATCH``) or a title
match, the vector side a minimum cosine (``KNN_MIN_SCORE``), and hybrid keeps a film when either
side does. Totals, facets, the pager and exports then all describe that one set.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from mgm.client import VECTOR_FIELD
from webapp.api.params import Filters, SearchParams
from webapp.explore.highlight import WORD as HIGHLIGHT_WORD
from webapp.explore.highlight import stem
from webapp.explore.intents import (
    FILLER,
    LIKE_PATTERN,
    STOP_WORDS,
    content_text,
    kind_beside_subject,
    only_genre_words,
    ruled_out_clause,
    without_clause,
    words,
)

# BM25 fields and boosts (tuned with bench/relevance.py; see docs/explorer.md). ``title`` is
# stemmed like the rest; the title clauses of ``keyword_query`` use the unstemmed subfields.
# ``companies``: the studios, since people search by them ("pixar" found nothing before stop 32).
KEYWORD_FIELDS = ["title^2", "keywords.text^2", "micro_genre.text", "tagline", "overview^2", "companies.text"]
# A plot description (more than MICRO_MATCH_MAX_WORDS topic words) names the story, not the
# title: its words that happen to be a title ("cargo", "robot", "vegas") put Cargo, I, Robot and
# Last Vegas above Alien, The Terminator and The Hangover. Such a query's BM25 text leaves the
# title out (titles still match through the title clauses of short queries). Plot MRR@10 on the
# md5 halves a / b: 0.923 / 0.923 -> 0.928 / 0.942 (title^1: 0.928 / 0.923), titles 20/20 (stop 30).
PLOT_FIELDS = [f for f in KEYWORD_FIELDS if not f.startswith("title")]
# A BM25 match must hold this share of the query's terms (or match a title) to be in the
# set: all of 1-2 terms, 67% of longer queries in hybrid (rounded down: 2 of 3, 2 of 4, 3 of
# 5; 60% let 3-word mood queries in on 1 word), where the vector side keeps the plot
# descriptions; 40% in keyword mode, which has no vector side (60% halved its known-item
# MRR@10: 0.40 vs 0.72). Measured in bench/relevance.py, see docs/explorer.md.
BM25_MIN_MATCH = "2<67%"
KEYWORD_MODE_MIN_MATCH = "2<40%"
# A film the hybrid's vector side finds close to a plot-length query joins its BM25 set only
# when it shares two of the query's terms (one, for a one-term text): the gate's cosine is then
# computed only for those films, not for every film one common word ("man", "life") matches.
# Every judged figure of `python -m bench relevance` was the same (plot MRR@10 0.952; two terms
# for every query cost mood nDCG@10 0.7286 -> 0.7240, three for plots plot MRR 0.952 -> 0.918);
# raw OpenSearch CPU per hybrid search fell 0.4-0.7 ms (docs/explorer.md, Latency).
PLOT_GATE_MIN_MATCH = "1<2"
# Title clauses: an exact title (article-insensitive), the title as a phrase, and the title
# words with typos (fuzziness AUTO: one edit for 3-5 letters, two above).
TITLE_EXACT_BOOST = 6.0
TITLE_PHRASE_BOOST = 3.0
TITLE_FUZZY_BOOST = 1.0
# Gentle popularity prior on the BM25 side: score x (1 + w * log10(1 + popularity)); the
# most popular film (popularity ~875) gains about 3w. Measured on the judged sets.
POPULARITY_PRIOR = 0.2
# A prior once more on hybrid's fused score (in the app, over the ranked window), by how well known
# a film is: the vector side has none, so a little-known film whose plot resembles the words
# outranked the famous one a visitor describes. Known = TMDB's vote count (``PRIOR_FIELD``), the
# people who rated the film, not TMDB's ``popularity``, a measure of recent page activity (in this
# 2017 snapshot Minions 875, The Town 24). Chosen in stop 36 on the mood tune split, by nDCG@10 and
# the films a fan expects on page one (bench/fan_expected.json). The committed run
# (bench/relevance.py "fused_prior_curve", "prior_field_curve"), tune nDCG@10 / fan@10 / plot MRR:
# popularity 0.3 (until stop 35) 0.7259 / 0.420 / 0.934; votes 0.3 / 0.5 / 0.75: 0.7298 / 0.434 /
# 0.935, 0.7286 / 0.441 / 0.952, 0.7256 / 0.443 / 0.952. 0.5: within 0.002 of the best nDCG with
# more of the expected films and known items; 0.75 gives up 0.003 more for 0.002.
FUSED_PRIOR = 0.5
PRIOR_FIELD = "vote_count"
# A film with this much of ``PRIOR_FIELD`` (votes) or more counts as fully known (``known``): the
# shelf lift that scales by it gives Ocean's Eleven (4,000 votes) 0.9 of itself and Armored (300) 0.6.
FULLY_KNOWN = 10_000
# A film named by a theme, asked for as a kind ("alien movies"), is first only when this well known
# (``known``; 0.85 is about 2,500 votes): Alien (4,470) is, Heist (318) and Submarine (443) are not.
KIND_TITLE_KNOWN = 0.85
# Vector cutoff on lucene's cosine score (1 + cos) / 2: 0.66 keeps cos >= 0.32.
# Calibrated on the judged queries (bench/relevance.py "cutoff_curve").
KNN_MIN_SCORE = 0.66
# Above EXACT_KNN_MAX films the vector side scores exactly only the HNSW graph's
# KNN_CANDIDATES nearest films (``close_films``): the exact scan over every film is linear in
# the catalogue (semantic p50 20 ms at 5k, 74 ms at 100k films, docs/scale.md). At TMDB 5000's
# size the scan stays: HNSW candidates missed 15 of 2,539 films of the exact top 50s there.
EXACT_KNN_MAX = 20_000
KNN_CANDIDATES = 200
# A query none of whose words occurs anywhere in the catalogue ("jjjjj kkkk", "zombeis") has
# only its vector side, and MiniLM places any string near some film: the judged nonsense
# strings reached cos 0.24-0.37 (one of them passed the 0.32 cutoff with 9 films), single
# made-up words up to 0.41. Such a query keeps only films at cos >= 0.45, where misspelt real
# words still land on their films ("vampyre" 0.51, "gangstr" 0.50). ``WORDS_SEEN`` is the
# aggregation that tells, in the same request, whether any query word is in the catalogue.
UNSEEN_WORDS_MIN_SCORE = 0.725
WORDS_SEEN = "query_words_seen"
# Hybrid (and "like <film>") rank at most this many relevant films; pages go that deep.
RANKED_WINDOW = 50
# ... and keep those whose fused score reaches this share of the best one: hybrid's
# min-max scores are relative to the window, and its tail (weak on both sides) is what a
# sort by rating would pull to the top. Measured in bench/relevance.py (docs/explorer.md).
RELATIVE_FLOOR = 0.3
# ... but the first MIN_KEPT of the window stay whatever the floor says (they passed the absolute
# gates above): a query whose best match stands far above the rest is not starved.
MIN_KEPT = 20
BROWSE_WINDOW = 10_000  # index.max_result_window
# Sorts as data, so OpenSearch (browse, keyword, semantic) and Python (ranked window) agree.
SORT_KEYS: dict[str, list[tuple[str, str]]] = {
    "rating": [("rating_weighted", "desc"), ("vote_count", "desc")],
    "popularity": [("popularity", "desc")],
    "year": [("year", "desc"), ("popularity", "desc")],
}
# Only what a result card, the CSV and the facets read: no keywords, tagline, budget...
CARD_SOURCE = [
    "id",
    "title",
    "year",
    "decade",
    "overview",
    "genres",
    "micro_genre_id",
    "micro_genre",
    "macro_genre",
    "macro_genre_id",
    "vote_average",
    "vote_count",
    "rating_weighted",
    "popularity",
    "poster_path",
    "original_language",
]


@dataclass(frozen=True)
class Facet:
    """One facet: OpenSearch aggregates it (``aggregations``) and the app counts it on a ranked
    window (``count_facets``), from this one definition, so both give the same rows."""

    field: str
    size: int
    label_field: str | None = None  # an id facet: each row carries the label its films have
    by_key: bool = False  # rows in key order (decades), else by count, then key


FACETS: dict[str, Facet] = {
    "genres": Facet("genres", 30),
    "micro_genres": Facet("micro_genre_id", 20, "micro_genre"),
    "macro_genres": Facet("macro_genre_id", 30, "macro_genre"),
    "decades": Facet("decade", 30, by_key=True),
}
SUGGEST_MAX_WORDS = 5  # "did you mean" is for titles and short queries, not plot descriptions
FEW_RESULTS = 10  # ... and is offered only when the query found fewer films than this
# Title clauses only for queries that could be a title: fuzzy matching a 15-word plot
# description against every title word cost OpenSearch about 10x the whole BM25 query.
TITLE_MAX_WORDS = 8
# The whole-title clause allows two typos only for titles of one or two words. Lucene builds
# a Levenshtein automaton over the whole query string: with two edits that took 0.34 ms for
# one word and 6.9 ms for eight (OpenSearch profile, "rewrite"), ten times the cost of one
# edit. Longer titles find their film with typos through the trigram clause below.
WHOLE_TITLE_TWO_TYPOS_MAX_WORDS = 2
# Title trigrams (``title.trigram``: the 3-letter pieces of each title word): a title sharing
# this share of the query's trigrams matches, wherever the typos are, the first letter
# included (fuzzy clauses keep the first letter: "The talian Job"). Up to 3 trigrams, all.
# On 300 real titles of 3-8 words, 250 of them with one or two random typos, keyword mode
# found 294 in the top 3 with it vs 253 without (and 274 with the old two-typo whole-title
# clause), at no measurable OpenSearch CPU; the judged relevance sets did not move. A one-word
# query needs 80% (stop 41): "friendship" shares 5 of its 8 trigrams with "friends" and led with
# We Are Your Friends; a misspelt word keeps most of its trigrams ("Terminatr" 6 of 7).
TITLE_TRIGRAM_MIN_MATCH = "3<70%"
TITLE_TRIGRAM_MIN_MATCH_ONE_WORD = "3<80%"
TITLE_TRIGRAM_BOOST = 1.0
# The typo-tolerant title-words clause (every query word fuzzily in the title) only up to this
# many words: it expands each word against the title vocabulary, about 2.5 ms of OpenSearch CPU
# a hybrid search at 5-8 words (15.4 / 15.3 -> 12.6 / 13.0 ms, raw `_msearch`, 8 clients, two
# interleaved runs: docs/explorer.md), and there
# the whole-title and trigram clauses already find the misspelt title: on the 300 title typos,
# the titles and every judged set, limits of 4, 5, 6 and 8 words gave the same figures.
TITLE_WORDS_FUZZY_MAX_WORDS = 4


def filter_clauses(filters: Filters) -> list[dict[str, Any]]:
    """Term/range filters, shared by the BM25 bool query and the k-NN ``filter``."""
    clauses: list[dict[str, Any]] = []
    if filters.genre:
        clauses.append({"term": {"genres": filters.genre}})
    if filters.micro_genre is not None:
        clauses.append({"term": {"micro_genre_id": filters.micro_genre}})
    if filters.macro is not None:
        clauses.append({"term": {"macro_genre_id": filters.macro}})
    years = {k: v for k, v in (("gte", filters.year_from), ("lte", filters.year_to)) if v is not None}
    if years:
        clauses.append({"range": {"year": years}})
    if filters.min_rating is not None:  # the weighted rating cards show; unrated films drop out
        clauses.append({"range": {"rating_weighted": {"gte": filters.min_rating}}})
    if filters.without:
        clauses.append(without_clause(filters.without))
    if filters.ruled_out:
        clauses.append(ruled_out_clause(filters.ruled_out))
    if filters.kinds:
        clauses.append({"terms": {"genres": list(filters.kinds)}})
    return clauses


def text_query(q: str, min_match: str | None = BM25_MIN_MATCH) -> dict[str, Any]:
    """BM25 ``cross_fields`` over title, TMDB keywords, micro-genre label, tagline and overview.

    ``cross_fields`` scores the query terms as if the fields were one blended field: a plot
    description spreads its words over overview, keywords and tagline, which ``best_fields``
    (one field wins) ranked far worse (MRR@10 0.25-0.56 vs 0.70-0.73 in bench/relevance.py).
    A plot-length query leaves the title out (``PLOT_FIELDS``).
    """
    fields = PLOT_FIELDS if is_plot(q) else KEYWORD_FIELDS
    query: dict[str, Any] = {"query": q, "fields": fields, "type": "cross_fields", "tie_breaker": 0.3}
    if min_match:
        query["minimum_should_match"] = min_match
    return {"multi_match": query}


def title_clauses(q: str) -> list[dict[str, Any]]:
    """Whole title (exact or with typos), title phrase, typo-tolerant title words and title
    trigrams rank first.

    The stemmed ``title`` merges "terminator" with "terminal"; these use ``title.keyword``
    (lowercased, leading article dropped), ``title.exact`` (not stemmed) and
    ``title.trigram``. None for a query longer than any title the user would type
    (``TITLE_MAX_WORDS``); no trigrams for filler ("zombie movies") or a kind beside a subject
    (``intents.kind_beside_subject``: "snake horror" read "horror" as most of a misspelt title,
    #Horror and The Horror Network Vol. 1 ranked beside Anaconda; a title holding the word still
    matches whole or word by word).
    """
    words = len(q.split())
    if words > TITLE_MAX_WORDS:
        return []
    typos = "AUTO" if words <= WHOLE_TITLE_TWO_TYPOS_MAX_WORDS else 1
    fuzzy_words = {"match": {"title.exact": {"query": q, "fuzziness": "AUTO", "prefix_length": 1, "operator": "and", "boost": TITLE_FUZZY_BOOST}}}
    share = TITLE_TRIGRAM_MIN_MATCH_ONE_WORD if words == 1 else TITLE_TRIGRAM_MIN_MATCH
    trigrams = {"match": {"title.trigram": {"query": q, "minimum_should_match": share, "boost": TITLE_TRIGRAM_BOOST}}}
    return [
        {"match": {"title.keyword": {"query": q, "fuzziness": typos, "prefix_length": 1, "boost": TITLE_EXACT_BOOST}}},
        {"match_phrase": {"title.exact": {"query": q, "boost": TITLE_PHRASE_BOOST}}},
        *([fuzzy_words] if words <= TITLE_WORDS_FUZZY_MAX_WORDS else []),
        *([trigrams] if content_text(q) == q and not kind_beside_subject(q) else []),
    ]


def popularity_prior(query: dict[str, Any], weight: float = POPULARITY_PRIOR) -> dict[str, Any]:
    """``query`` with its score multiplied by 1 + weight * log10(1 + popularity)."""
    if not weight:
        return query
    functions = [{"weight": 1}, {"field_value_factor": {"field": "popularity", "modifier": "log1p", "missing": 0}, "weight": weight}]
    return {"function_score": {"query": query, "functions": functions, "score_mode": "sum", "boost_mode": "multiply"}}


def keyword_query(
    q: str,
    min_match: str | None = BM25_MIN_MATCH,
    prior: float = POPULARITY_PRIOR,
    titles: bool = True,
    close: dict[str, Any] | None = None,
    shelves: Sequence[str] = (),
    about: bool = False,
) -> dict[str, Any]:
    """The BM25 side: a title match, or the query's terms when relevant enough.

    A film is in the set when it matches a title clause (scored by it), or when it holds
    ``min_match`` of the terms or, in hybrid mode, the vector side's ``close`` query finds
    it: then every term it matches scores (a plot description shares a few distinctive
    words with its film), so a weak BM25 match still helps rank a film that is in the set
    but never brings an off-topic film into it. The terms are those of ``content_text(q)``:
    "movies" or "films" at either end of a query is no topic word. The title clauses appear once: as both a
    score and a gate, their fuzzy rewrite ran twice and made half of the BM25 side's cost.
    A plot-length query's close films must also share ``PLOT_GATE_MIN_MATCH`` of its terms.
    A film on one of ``shelves`` (the fan shelves the query names, ``named_shelves``) is in the
    set too when it matches any term: Ocean's Eleven carries no "heist" keyword and says only
    "crew", yet "heist crew double cross" is about it. A query ``about`` its words
    (``intents.Reading.about``: "movies about dogs") has no title clauses, which put Reservoir Dogs
    third; its words still match titles as BM25 terms (Snow Dogs, Hotel for Dogs).
    """
    if not titles:  # main's query before issue 11, replayed by the benchmark
        return popularity_prior(text_query(q, min_match), prior)
    topic = content_text(q)  # "zombie movies": every zombie film need not say "movie"; title clauses read it all
    text = text_query(topic, None)
    if close and is_plot(topic):
        close = {"bool": {"filter": [close, text_query(topic, PLOT_GATE_MIN_MATCH)]}}
    if min_match is not None:
        gate = [text_query(topic, min_match), *([close] if close else []), *([shelf_gate(topic, shelves)] if shelves else [])]
        text = {"bool": {"must": [text], "filter": [{"bool": {"should": gate, "minimum_should_match": 1}}]}}
    clauses = [] if about else title_clauses(q)
    should = [text, *([{"bool": {"should": clauses}}] if clauses else [])]
    return popularity_prior({"bool": {"should": should, "minimum_should_match": 1}}, prior)


def shelf_gate(topic: str, shelves: Sequence[str]) -> dict[str, Any]:
    """The films on ``shelves`` that match any word of ``topic`` (``keyword_query``'s gate)."""
    return {"bool": {"filter": [{"terms": {"macro_genre": list(shelves)}}, text_query(topic, None)]}}


def knn_query(vector: list[float], k: int, filters: list[dict[str, Any]], field: str = "embedding") -> dict[str, Any]:
    """Lucene HNSW top ``k``, with the filter applied inside the graph search (not a post-filter)."""
    body: dict[str, Any] = {"vector": vector, "k": k}
    if filters:
        body["filter"] = {"bool": {"filter": filters}}
    return {"knn": {field: body}}


def close_films(
    vector: list[float], filters: list[dict[str, Any]], min_score: float = KNN_MIN_SCORE, candidates: int | None = None
) -> dict[str, Any]:
    """Every (filtered) film whose cosine reaches ``min_score`` (on lucene's (1 + cos) / 2
    scale, as ``KNN_MIN_SCORE``), scored exactly.

    The relevance cutoff. Lucene's radial search (``knn`` with ``min_score``) walks the HNSW
    graph and measured missing films above the threshold (8 of 13 for "a heist crew plans
    one last job"), so a facet's count and its filter's total disagreed. The k-NN plugin's
    exact ``knn_score`` script scores only the filtered films (4,799 at most).

    Every vector is unit length (the indexer and the query encoder normalise them), so the
    inner product is the cosine, and the script's ``innerproduct`` space skips the two norms
    ``cosinesimil`` computes per film: OpenSearch CPU per semantic search 4.0 / 3.9 -> 3.0 /
    3.2 ms, per raw hybrid search 8.6 / 8.3 -> 6.9 / 7.0 ms (docs/explorer.md, Latency). Its
    score is 1 + cos (1 / (1 - cos) below 0: the cosine's order everywhere), so the
    threshold is converted to that scale here, and the hits' scores are on it. (A ``boost``
    of 0.5 back to lucene's scale is not an option: OpenSearch applies ``min_score`` after
    the boost when it scores, before it when it only filters, as in the hybrid gate or a sort
    by rating.)

    With ``candidates`` only the (filtered) films among that many HNSW neighbours are scored,
    on the same scale and cutoff: a big catalogue's scan (``EXACT_KNN_MAX``) becomes a graph
    walk, and the set holds at most ``candidates`` films.
    """
    script = {"source": "knn_score", "lang": "knn", "params": {"field": "embedding", "query_value": vector, "space_type": "innerproduct"}}
    if candidates:
        scope = knn_query(vector, candidates, filters)
    else:
        scope = {"bool": {"filter": filters}} if filters else {"match_all": {}}
    return {"script_score": {"query": scope, "script": script, "min_score": inner_product_score(min_score)}}


def inner_product_score(lucene_score: float) -> float:
    """k-NN's ``innerproduct`` score of the cosine whose lucene score is ``lucene_score``."""
    cos = 2 * lucene_score - 1
    return 1 + cos if cos >= 0 else 1 / (1 - cos)


def _filtered(query: dict[str, Any], filters: list[dict[str, Any]]) -> dict[str, Any]:
    return {"bool": {"must": [query], "filter": filters}} if filters else query


def ranked(params: SearchParams) -> bool:
    """Whether the request is ranked in the app over a window (hybrid), rather than paged by OpenSearch."""
    return bool(params.q) and params.mode == "hybrid"


def window(params: SearchParams, like: bool = False) -> int:
    """How deep this request can page: the ranked window for hybrid and "like", else the index cap."""
    return RANKED_WINDOW if like or ranked(params) else BROWSE_WINDOW


def main_query(
    params: SearchParams,
    vector: list[float] | None,
    *,
    min_score: float | None = KNN_MIN_SCORE,
    min_match: str | None = BM25_MIN_MATCH,
    keyword_min_match: str | None = KEYWORD_MODE_MIN_MATCH,
    prior: float = POPULARITY_PRIOR,
    titles: bool = True,
    depth: int = RANKED_WINDOW,
    shelves: Sequence[str] = (),
    candidates: int | None = None,
    about: bool = False,
) -> dict[str, Any]:
    """The query part: browse, BM25, radial k-NN, or a ``hybrid`` of BM25 and k-NN (whose BM25
    side also lets in the films of the ``shelves`` the query names, ``keyword_query``).
    ``candidates``: score only that many HNSW neighbours exactly (a big catalogue, ``close_films``).
    ``about``: the query asked for films about its words, which are then no title (``keyword_query``).

    ``hybrid`` in OpenSearch 2.19 takes no top-level filter, so each sub-query carries it.
    The keyword arguments let the benchmark replay the pre-cutoff query (k = window, no
    minimum match, no prior, no title clauses, depth 100) and sweep each setting with the same builder.
    """
    filters = filter_clauses(params.filters)
    if not params.q:
        return {"bool": {"filter": filters}} if filters else {"match_all": {}}
    if params.mode == "keyword":
        return _filtered(keyword_query(params.q, keyword_min_match, prior, titles, about=about), filters)
    if vector is None:
        raise ValueError(f"mode {params.mode} needs the query vector")
    knn = knn_query(vector, depth, filters) if min_score is None else close_films(vector, filters, min_score, candidates)
    if params.mode == "semantic":
        return knn
    close = close_films(vector, [], min_score, candidates) if min_score is not None else None
    return {
        "hybrid": {
            "pagination_depth": depth,
            "queries": [_filtered(keyword_query(params.q, min_match, prior, titles, close, shelves, about), filters), knn],
        }
    }


def aggregations() -> dict[str, Any]:
    """Facets (``FACETS``), computed on the same filtered query as the hits."""
    out: dict[str, Any] = {}
    for name, facet in FACETS.items():
        terms: dict[str, Any] = {"field": facet.field, "size": facet.size}
        if facet.by_key:
            terms["order"] = {"_key": "asc"}
        out[name] = {"terms": terms}
        if facet.label_field:
            out[name]["aggs"] = {"label": {"terms": {"field": facet.label_field, "size": 1}}}
    return out


def words_seen_agg(q: str) -> dict[str, Any]:
    """How many films (of the whole catalogue, whatever the query and filters) hold any word of ``q``."""
    fields = [f.split("^")[0] for f in KEYWORD_FIELDS]
    return {"global": {}, "aggs": {"seen": {"filter": {"multi_match": {"query": q, "fields": fields, "operator": "or"}}}}}


def words_unseen(resp: dict[str, Any]) -> bool:
    """Whether a response carrying ``words_seen_agg`` found no word of its query in the catalogue
    (the aggregation is removed from the response, so the facets never see it)."""
    agg = resp.get("aggregations", {}).pop(WORDS_SEEN, None)
    return agg is not None and agg["seen"]["doc_count"] == 0


def opensearch_sort(sort: str) -> list[dict[str, Any]]:
    return [{f: {"order": order, "missing": "_last"}} for f, order in SORT_KEYS[sort]]


def did_you_mean(q: str) -> dict[str, Any] | None:
    """A phrase suggester over title words: corrects typos in short queries ("terminater")."""
    if len(q.split()) > SUGGEST_MAX_WORDS:
        return None
    generator = {"field": "title.exact", "suggest_mode": "missing", "min_word_length": 3}  # only unknown words
    return {
        "text": q,
        "did_you_mean": {
            "phrase": {"field": "title.exact", "size": 1, "gram_size": 1, "confidence": 1.0, "max_errors": 2, "direct_generator": [generator]}
        },
    }


def search_body(params: SearchParams, vector: list[float] | None, **options: Any) -> dict[str, Any]:
    """The one ``_search`` body for ``/api/search`` (hybrid mode also needs the search pipeline).

    Hybrid fetches its whole ranked window (OpenSearch's hybrid query fetches it anyway) and
    the app sorts, counts facets and pages it (``window_page``); the other modes page, sort
    and aggregate in OpenSearch over the same cut-off set. ``options`` go to ``main_query``.
    """
    body: dict[str, Any] = {"query": main_query(params, vector, **options), "_source": CARD_SOURCE}
    if ranked(params):
        body["size"] = RANKED_WINDOW
    else:
        body.update({"from": params.offset, "size": min(params.size, BROWSE_WINDOW - params.offset), "track_total_hits": True})
        if params.format != "csv":  # the export has no facets
            body["aggs"] = aggregations()
        if params.sort != "relevance":
            body["sort"] = opensearch_sort(params.sort)
        elif not params.q:
            body["sort"] = opensearch_sort("popularity")  # browsing: every score is equal
    suggest = did_you_mean(params.q) if params.q else None
    if suggest:
        body["suggest"] = suggest
    return body


def find_title_body(title: str) -> dict[str, Any]:
    """The film a "like <title>" query names (exact title first, then phrase or typo matches),
    with its stored vector: a one-hit search, so the script field is trustworthy and the
    similar-films search needs no second round trip to read it."""
    return {
        "query": popularity_prior({"bool": {"should": title_clauses(title), "minimum_should_match": 1}}, 1.0),
        "size": 1,
        "_source": ["id", "title", "year", "macro_genre_id", "macro_genre"],
        "script_fields": VECTOR_FIELD,
    }


def is_title_body(q: str) -> dict[str, Any]:
    """Whether the whole query is a title ("Like Crazy", "Like Mike"): then it is no "like" query."""
    return {"query": {"match": {"title.keyword": {"query": q}}}, "size": 0, "track_total_hits": 1}


def like_title(q: str) -> str | None:
    """The title in "movies like X" / "similar to X" / "more like X", else None."""
    match = LIKE_PATTERN.match(q)
    return match.group("title") if match else None


def similar_body(vector: list[float], exclude: list[int], filters: Filters, size: int, min_score: float = 0.0) -> dict[str, Any]:
    """The ``size`` films nearest ``vector`` (exactly scored), never the ``exclude`` ids (the seeds).

    Exact scoring: HNSW with a small k measured missing one of Inception's five nearest films.
    """
    scope = [{"bool": {"filter": filter_clauses(filters), "must_not": [{"ids": {"values": [str(i) for i in exclude]}}]}}]
    return {"query": close_films(vector, scope, min_score), "size": size, "_source": CARD_SOURCE}


# "like <film>" in hybrid mode: the film's TMDB keywords and genres (``more_like_this``, its
# most telling terms by idf) beside its vector, fused like any hybrid search. The vector alone
# ranked Toy Story's plot neighbours (a birthday, a new kid in the house) above the other
# animated toy films; the keyword side lifts the films sharing "toy", "toy comes to life",
# Animation, Family. Scored films only from the vector side's set (cosine >= 0.32), as hybrid.
LIKE_FIELDS = ["keywords.text", "genres"]
LIKE_PRIOR = 0.5
LIKE_MAX_TERMS = 25


def like_body(film_id: int, vector: list[float], filters: Filters, size: int, mode: str, index: str) -> dict[str, Any]:
    """The films like ``film_id``, the film itself first (its own cosine is 1) when the filters keep it.

    Semantic mode: the films nearest its vector (exact cosine >= 0.32), as "Similar films".
    Hybrid mode: ``more_like_this`` on its keywords and genres fused with that vector set
    (through the hybrid pipeline, like ``search_body``); only films of the vector set enter.
    """
    clauses = filter_clauses(filters)
    near = close_films(vector, clauses, KNN_MIN_SCORE)
    if mode != "hybrid":
        return {"query": near, "size": size, "_source": CARD_SOURCE}
    mlt = {
        "more_like_this": {
            "fields": LIKE_FIELDS,
            "like": [{"_index": index, "_id": str(film_id)}],
            "min_term_freq": 1,
            "min_doc_freq": 2,
            "max_query_terms": LIKE_MAX_TERMS,
            "minimum_should_match": "1",
            "include": True,
        }
    }
    side = {"bool": {"must": [popularity_prior(mlt, LIKE_PRIOR)], "filter": [close_films(vector, [], KNN_MIN_SCORE), *clauses]}}
    return {"query": {"hybrid": {"pagination_depth": size, "queries": [side, near]}}, "size": size, "_source": CARD_SOURCE}


def suggest_body(q: str, size: int) -> dict[str, Any]:
    """Title autocomplete: prefix match on title words, then titles starting with a one-typo prefix.

    ``bool_prefix`` reads every typed word, the last as a prefix, anywhere in the title; the
    completion suggester (``title.complete``, leading article dropped) catches one typo in
    what is typed so far ("termnat"). Popular titles first on ties.
    """
    match = {
        "multi_match": {
            "query": q,
            "type": "bool_prefix",
            "operator": "and",
            "fields": ["title.suggest", "title.suggest._2gram", "title.suggest._3gram"],
        }
    }
    return {
        "query": popularity_prior(match, 1.0),
        "size": size,
        "_source": ["id", "title", "year"],
        "suggest": {
            "complete": {
                "prefix": q,
                "completion": {"field": "title.complete", "size": size, "skip_duplicates": True, "fuzzy": {"fuzziness": 1, "prefix_length": 1}},
            }
        },
    }


def merge_suggestions(resp: dict[str, Any], size: int) -> list[dict[str, Any]]:
    """Query matches first, then the completion suggester's typo-tolerant prefixes; each film once."""
    films: dict[int, dict[str, Any]] = {}
    options = resp.get("suggest", {}).get("complete", [{}])[0].get("options", [])
    for src in [h["_source"] for h in resp["hits"]["hits"]] + [o["_source"] for o in options]:
        films.setdefault(src["id"], {k: src.get(k) for k in ("id", "title", "year")})
    return list(films.values())[:size]


MICRO_SOURCE = {"excludes": ["centroid"]}
MICRO_LIST_MAX = 1000  # above any k the indexer can choose: the list holds every micro-genre


def micro_list_body(size: int, offset: int = 0) -> dict[str, Any]:
    return {
        "query": {"match_all": {}},
        "from": offset,
        "size": size,
        "sort": [{"size": "desc"}, {"id": "asc"}],
        "_source": MICRO_SOURCE,
        "track_total_hits": True,
    }


def micro_search_body(vector: list[float], size: int, exclude: int | None = None) -> dict[str, Any]:
    """Micro-genres whose centroid is nearest to ``vector`` (a query, or another centroid)."""
    filters = [{"bool": {"must_not": [{"ids": {"values": [str(exclude)]}}]}}] if exclude is not None else []
    return {"query": knn_query(vector, size, filters, field="centroid"), "size": size, "_source": MICRO_SOURCE}


# A query of at most MICRO_MATCH_MAX_WORDS topic words names a mood or theme (``themes``
# matches it to a micro-genre and the shelves); a longer one describes a plot (``text_query``
# reads the plot fields only).
MICRO_MATCH_MAX_WORDS = 6


def topic_words(q: str) -> list[str]:
    """The topic words of ``q`` (no stop words or filler), each once."""
    return list(dict.fromkeys(w for w in words(q) if w not in STOP_WORDS and w not in FILLER))


def is_plot(q: str) -> bool:
    """Whether ``q`` describes a plot: more than ``MICRO_MATCH_MAX_WORDS`` topic words."""
    return len(topic_words(q)) > MICRO_MATCH_MAX_WORDS


def micro_terms(q: str) -> list[str]:
    """``topic_words`` of a short query (a mood or theme); [] for a long one (a plot)."""
    kept = topic_words(q)
    return kept if len(kept) <= MICRO_MATCH_MAX_WORDS else []


def phrase_stems(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in HIGHLIGHT_WORD.findall(text.lower()))


def popular_first(hits: list[dict[str, Any]], weight: float = FUSED_PRIOR, field: str = PRIOR_FIELD) -> list[dict[str, Any]]:
    """Hybrid's fused scores x (1 + weight x log10(1 + the film's ``field``)), re-sorted (``FUSED_PRIOR``)."""
    if not weight:
        return hits
    scored = [dict(h, _score=(h["_score"] or 0.0) * (1 + weight * math.log10(1 + max(0.0, h["_source"].get(field) or 0.0)))) for h in hits]
    return sorted(scored, key=lambda h: -h["_score"])


def known(source: dict[str, Any]) -> float:
    """How well known a film is, 0 to 1: log10(1 + its ``PRIOR_FIELD``) over log10(1 + ``FULLY_KNOWN``),
    capped: the same measure the fused prior reads, on a 0-1 scale for a lift."""
    votes = max(0.0, source.get(PRIOR_FIELD) or 0.0)
    return min(1.0, math.log10(1 + votes) / math.log10(1 + FULLY_KNOWN))


def lift(
    hits: list[dict[str, Any]],
    field: str,
    values: set[Any] | Mapping[Any, float],
    amount: float,
    by_fame: bool = False,
    kinds: frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """Hybrid's hits with ``amount`` added to the fused score of those whose ``field`` is one of ``values``
    (a matched micro-genre's films: MICRO_LIFT; a named shelf's: SHELF_LIFT), re-sorted. A list
    field (``genres``: GENRE_LIFT) earns the share of ``values`` it holds: half for a comedy that
    is no horror film on "horror comedy". Values given as a mapping earn their weight (the films a
    tone or box office browse brought: their share of the best film's evidence, revenue or
    budget, ``themes.Browse.shares``). ``by_fame``: each film earns
    ``known`` of it, so a shelf's films a visitor knows come first (the shelf a query's first word heads).
    ``kinds``: only films of one of these genres earn it (a topic's lifts beside a genre word, ``intents.kind_beside_subject``)."""

    def share(value: Any) -> float:
        if isinstance(value, list):
            return sum(v in values for v in set(value)) / len(values) if values else 0.0
        if isinstance(values, Mapping):
            return values.get(value, 0.0)
        return 1.0 if value in values else 0.0

    def gain(source: dict[str, Any]) -> float:
        if kinds and kinds.isdisjoint(source.get("genres", ())):
            return 0.0
        return amount * share(source.get(field)) * (known(source) if by_fame else 1.0)

    lifted = [dict(h, _score=(h["_score"] or 0.0) + gain(h["_source"])) for h in hits]
    return sorted(lifted, key=lambda h: -(h["_score"] or 0.0))


# --- responses -> API shapes ----------------------------------------------------------------


def shape_hit(hit: dict[str, Any]) -> dict[str, Any]:
    """One search result in the API's shape."""
    src = hit["_source"]
    return {
        "id": src["id"],
        "title": src.get("title"),
        "year": src.get("year"),
        "overview": src.get("overview"),
        "genres": src.get("genres", []),
        "micro_genre": {"id": src.get("micro_genre_id"), "label": src.get("micro_genre")},
        "macro_genre": src.get("macro_genre"),
        "macro_genre_id": src.get("macro_genre_id"),
        "vote_average": src.get("vote_average"),
        "vote_count": src.get("vote_count"),
        "rating_weighted": src.get("rating_weighted"),
        "poster_path": src.get("poster_path"),
        "original_language": src.get("original_language"),
        "score": hit.get("_score"),
        "highlight": {},
    }


def shape_facets(aggs: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Aggregations -> ``{"genres": [{"key","count"}], ...}``; id facets carry their label."""
    facets: dict[str, list[dict[str, Any]]] = {}
    for name, agg in aggs.items():
        rows = []
        for bucket in agg["buckets"]:
            row = {"key": bucket["key"], "count": bucket["doc_count"]}
            if "label" in bucket:
                labels = bucket["label"]["buckets"]
                row["label"] = labels[0]["key"] if labels else str(bucket["key"])
            rows.append(row)
        facets[name] = rows
    return facets


def count_facets(sources: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The facets (``FACETS``) of a ranked window, counted in the app: the same shape and order as ``shape_facets``."""
    facets: dict[str, list[dict[str, Any]]] = {}
    for name, facet in FACETS.items():
        field, label_field = facet.field, facet.label_field
        counts: dict[Any, int] = {}
        labels: dict[Any, str] = {}
        for src in sources:
            values = src.get(field)
            for value in values if isinstance(values, list) else [values]:
                if value is None:
                    continue
                counts[value] = counts.get(value, 0) + 1
                if label_field:
                    labels.setdefault(value, src.get(label_field) or str(value))
        if facet.by_key:
            keys = sorted(counts)
        else:
            keys = sorted(counts, key=lambda k: (-counts[k], k))[: facet.size]
        facets[name] = [{"key": k, "count": counts[k], **({"label": labels[k]} if label_field else {})} for k in keys]
    return facets


def sort_sources(hits: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    """Hits re-ordered by ``SORT_KEYS[sort]`` like OpenSearch would (missing values last; stable)."""
    if sort == "relevance":
        return hits
    out = list(hits)
    for field, order in reversed(SORT_KEYS[sort]):
        present = [h for h in out if h["_source"].get(field) is not None]
        missing = [h for h in out if h["_source"].get(field) is None]
        present.sort(key=lambda h: h["_source"][field], reverse=order == "desc")
        out = present + missing
    return out


def title_key(text: str) -> str:
    """A title or query as ``title.keyword`` indexes it: lowercase, accents and a leading article dropped."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().strip()
    return re.sub(r"^(the|a|an)\s+", "", folded)


def poster_initial(title: str | None) -> str:
    """The letter a poster placeholder shows (a template filter): the first letter or digit of the
    title as ``title_key`` reads it ("(500) Days of Summer": 5, "The Matrix": M), "?" for none."""
    found = re.search(r"[^\W_]", title_key(title or ""))
    return found.group(0).upper() if found else "?"


def _edits(a: str, b: str) -> int:
    """Levenshtein distance (titles are short)."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


LITERAL_FIELDS = ("overview", "micro_genre")  # a query these say word for word is a real word, not a misspelt title


def titles_first(hits: list[dict[str, Any]], q: str, themes: frozenset[tuple[str, ...]] = frozenset()) -> list[dict[str, Any]]:
    """Hits whose title is the query, then those whose title is the query with typos (as
    ``title_clauses`` allow them: "Toy Story 2" is two edits from "toy story", so the film called
    Toy Story comes first), then those whose title contains it, then the rest, each group in
    fused order.

    Hybrid fuses BM25 with a vector side that never saw titles (they are not embedded), so
    a BM25 title match can lose to a plot that merely resembles the words ("terminater":
    Taken 3 above The Terminator); a known-item search must find the film first. The query
    is also read without "movies" / "films" at its ends (``content_text``): "batman movies"
    puts the two films called Batman first, then every title holding "batman".

    A query the found films' overviews or micro-genres say word for word is a real word, not a
    misspelt title: then a title one typo away keeps its place and one two typos away goes last
    ("slasher" is not Slither or Slacker, whose BM25 title clause, with two typos for a short
    query, had put them first). A title that holds the query whole keeps its place even so
    ("scary movie": Scary Movie 3 first, though overviews say "scary movie"). A query of genre
    and mood words only ("funny movies", "horror") is no title word: a title holding it or a
    typo away from it (Funny Games, #Horror: it goes last) is not put first for that; nor is a
    title holding a theme many films carry or a typo away from one (``themes``, from
    ``MicroTable``: "revenge" is Jaws: The Revenge's word and "sports" a typo of Shorts, but no
    fan asks for them). Asked as a kind of film ("heist movies", "submarine films"), such a theme's
    own title is not put first either, unless most fans know the film (``KIND_TITLE_KNOWN``):
    Heist (2015) is not the heist film a fan means and Submarine is a coming-of-age comedy, but
    "alien movies" still starts with Alien.
    """
    topic = content_text(q)
    keys = list(dict.fromkeys(k for k in (title_key(q), title_key(topic)) if k))
    if not keys:
        return hits
    allowed = {k: 0 if len(k) < 3 else 1 if len(k) <= 5 else 2 for k in keys}
    contains = [re.compile(rf"\b{re.escape(k)}\b") for k in keys]
    kind = only_genre_words(q)  # "silent films": "silent" alone names nothing, the phrase names a kind (stop 46)
    mood = {k for k in keys if k == content_text(k) and (kind or only_genre_words(k))}  # "funny", not "scary movie": no title word
    theme = {k for k in keys if phrase_stems(content_text(k)) in themes}  # "revenge": no title word either
    # "heist movies" asks for heist films, not the film called Heist: such a title is first only when most fans know it
    kind_words = (theme | mood) if topic != q else set()

    @cache
    def said() -> bool:  # read only when a title is a typo away: most searches have none
        return any(c.search(title_key(h["_source"].get(f) or "")) for h in hits for f in LITERAL_FIELDS for c in contains)

    def rank(hit: dict[str, Any]) -> int:
        title = title_key(hit["_source"].get("title") or "")
        if title in allowed:
            return 3 if title in kind_words and known(hit["_source"]) < KIND_TITLE_KNOWN else 0
        holds = [c.search(title) is not None for c in contains]
        for (key, n), held in zip(allowed.items(), holds):
            # The length test first: the edit distance in Python was 9% of a web worker's CPU.
            if abs(len(title) - len(key)) <= n and (edits := _edits(title, key)) <= n:
                if key in mood or key in theme:  # a real word the title only resembles: last
                    return 4
                return 1 if held or not said() else 4 if edits > 1 else 3
        return 2 if any(held and key not in mood and key not in theme for (key, _), held in zip(allowed.items(), holds)) else 3

    return sorted(hits, key=rank)


def relevant_window(hits: list[dict[str, Any]], floor: float = RELATIVE_FLOOR, keep: int = MIN_KEPT) -> list[dict[str, Any]]:
    """The ranked window without its tail: hits scoring at least ``floor`` x the best score, and
    at least the first ``keep`` hits (in score order) whatever their score.

    Every hit already passed the cutoff (a BM25 share of the terms, a title, or cosine >= 0.32),
    so the first ``keep`` are relevant enough by the absolute gates; the relative floor only
    trims a long tail. Without ``keep`` a query whose best match stands far above the rest
    kept 2-5 films ("heist crew double cross": 5).
    """
    best = max((h["_score"] or 0.0 for h in hits), default=0.0)
    ordered = sorted(hits, key=lambda h: -(h["_score"] or 0.0))
    return [h for i, h in enumerate(ordered) if i < keep or (h["_score"] or 0.0) >= floor * best]


def window_page(hits: list[dict[str, Any]], params: SearchParams) -> list[dict[str, Any]]:
    """One page of a ranked window, in the requested order."""
    return sort_sources(hits, params.sort)[params.offset : params.offset + params.size]


def suggestion(resp: dict[str, Any], q: str, total: int) -> str | None:
    """The phrase suggester's correction of ``q`` when the query found few films and it differs."""
    if total >= FEW_RESULTS:
        return None
    options = resp.get("suggest", {}).get("did_you_mean", [{}])[0].get("options", [])
    text = options[0]["text"] if options else None
    return text if text and text.lower() != q.lower() else None


def shape_micro(src: dict[str, Any]) -> dict[str, Any]:
    """A micro-genre document without its vector."""
    return {k: v for k, v in src.items() if k != "centroid"}
