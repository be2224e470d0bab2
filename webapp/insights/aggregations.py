"""Aggregation request bodies for the insight pages (pure builders; shaping is in ``chart_data``).

Every figure on the Landing, Overview and Trends pages comes from an aggregation built here.
Bodies are plain dicts so tests can read them and the bench can replay them as the baseline.
"""

from __future__ import annotations

from webapp.api.params import Filters
from webapp.explore.search import filter_clauses
from webapp.insights.params import TrendsParams

MAX_MICRO = 1000  # terms size above any k the indexer can choose, so no bucket is cut off
MAX_MACRO = 100
MIN_PERIOD_FILMS = 10  # a year or decade with fewer films gives shares that are pure noise
TOP_MOVIES_FETCHED = 10  # most-voted films per micro-genre; the page orders them by Bayesian score

# Vote-weighted mean rating R = sum(vote_average * vote_count) / sum(vote_count), done by the
# weighted_avg aggregation (no script), plus the vote total v it rests on. Shrinking R toward the
# global mean (the Bayesian average) happens when shaping, because it needs the global figures.
RATING_AGGS: dict = {
    "rating": {"weighted_avg": {"value": {"field": "vote_average"}, "weight": {"field": "vote_count", "missing": 0}}},
    "votes": {"sum": {"field": "vote_count"}},
    "mean_rating": {"avg": {"field": "vote_average"}},
}
# The prior of the Bayesian average: C = vote-weighted mean of the selection (m is mgm.rating.PRIOR_VOTES).
PRIOR_AGGS: dict = RATING_AGGS

LABEL_AGGS: dict = {
    "label": {"terms": {"field": "micro_genre", "size": 1}},
    "macro": {"terms": {"field": "macro_genre", "size": 1}},
}
# Every macro theme and micro-genre of the index, whatever the filters: the filter menus and
# the validation of ``macro``/``micro`` parameters come from this.
CATALOG_AGG: dict = {
    "global": {},
    "aggs": {
        "macros": {"terms": {"field": "macro_genre_id", "size": MAX_MACRO}, "aggs": {"label": LABEL_AGGS["macro"]}},
        "micros": {"terms": {"field": "micro_genre_id", "size": MAX_MICRO}, "aggs": LABEL_AGGS},
    },
}


def filtered_query(filters: Filters, *extra: dict) -> dict:
    """The page filters (plus ``extra`` clauses) as a non-scoring bool query."""
    return {"bool": {"filter": [*filter_clauses(filters), *extra]}}


def _terms(field: str, size: int, sub_aggs: dict | None = None) -> dict:
    agg: dict = {"terms": {"field": field, "size": size}}
    if sub_aggs:
        agg["aggs"] = sub_aggs
    return agg


def _micro_terms(sub_aggs: dict | None = None, size: int = MAX_MICRO) -> dict:
    return _terms("micro_genre_id", size, sub_aggs)


def _macro_terms(sub_aggs: dict | None = None) -> dict:
    return _terms("macro_genre", MAX_MACRO, sub_aggs)


def _by_year(min_doc_count: int, sub_aggs: dict) -> dict:
    """Per-year buckets keyed "yyyy" (trends_body and picked_body must bucket alike to line up)."""
    hist = {"field": "release_date", "calendar_interval": "year", "format": "yyyy", "min_doc_count": min_doc_count}
    return {"date_histogram": hist, "aggs": sub_aggs}


def _by_decade(min_doc_count: int, sub_aggs: dict) -> dict:
    return {"histogram": {"field": "decade", "interval": 10, "min_doc_count": min_doc_count}, "aggs": sub_aggs}


def overview_body(filters: Filters) -> dict:
    """KPIs, the prior, the macro -> micro tree with rating and popularity on every node, and
    every micro-genre whole (a macro theme is each film's own, so a micro-genre can sit under
    several themes: the rankings read the whole one, with the theme most of its films have)."""
    micro_aggs = {**RATING_AGGS, "label": LABEL_AGGS["label"], "popularity": {"avg": {"field": "popularity"}}}
    return {
        "size": 0,
        "track_total_hits": True,
        "query": filtered_query(filters),
        "aggs": {
            **PRIOR_AGGS,
            "years": {"stats": {"field": "year"}},
            "macros": _macro_terms({**RATING_AGGS, "micros": _micro_terms(micro_aggs)}),
            "micros": _micro_terms({**micro_aggs, "macro": LABEL_AGGS["macro"]}),
            "catalog": CATALOG_AGG,
        },
    }


def latest_run_body(movies_index: str) -> dict:
    """The newest successful run, preferring the one that built the index the alias serves."""
    return {
        "size": 1,
        "query": {"bool": {"filter": [{"term": {"status": "ok"}}], "should": [{"term": {"movies_index": movies_index}}]}},
        "sort": ["_score", {"finished_at": {"order": "desc", "unmapped_type": "date"}}],
    }


def micro_docs_body() -> dict:
    """The micro-genre documents' keywords (the 5 KeyBERT keywords are not on movie buckets in order)."""
    return {"size": MAX_MICRO, "_source": ["id", "keywords"], "query": {"match_all": {}}}


def top_movies_body(filters: Filters, micro_ids: list[int]) -> dict:
    """Most-voted films of a few micro-genres (top_hits reads doc values, not the 384-float _source)."""
    top_hits = {
        "size": TOP_MOVIES_FETCHED,
        "sort": [{"vote_count": "desc"}],
        "_source": False,
        "docvalue_fields": ["id", "title.raw", "year", "vote_average", "vote_count"],
    }
    return {
        "size": 0,
        "query": filtered_query(filters, {"terms": {"micro_genre_id": micro_ids}}),
        "aggs": {"micros": _micro_terms({"top": {"top_hits": top_hits}}, size=max(1, len(micro_ids)))},
    }


def trends_body(params: TrendsParams) -> dict:
    """Shares per year/decade, the heatmap, ratings per decade, the two periods, the scatter."""
    split = params.split
    # One macro theme selected: its shares are all 100 %, so the period tables split it into
    # its micro-genres instead (``chart_data.shape_trends`` names them from the catalogue).
    groups = _micro_terms() if params.filters.macro is not None else _macro_terms()
    return {
        "size": 0,
        "track_total_hits": True,
        "query": filtered_query(params.filters),
        "aggs": {
            **PRIOR_AGGS,
            "by_year": _by_year(MIN_PERIOD_FILMS, {"groups": groups}),
            "by_decade": _by_decade(MIN_PERIOD_FILMS, {**RATING_AGGS, "groups": groups}),
            "periods": {
                "filters": {"filters": {"earlier": {"range": {"year": {"lt": split}}}, "later": {"range": {"year": {"gte": split}}}}},
                "aggs": {"micros": _micro_terms()},
            },
            "micros": _micro_terms({**RATING_AGGS, "macro": LABEL_AGGS["macro"]}),
            "catalog": CATALOG_AGG,
        },
    }


def picked_body(filters: Filters, micro_ids: list[int]) -> dict:
    """Per-year and per-decade counts of the picked micro-genres (the share denominators are in trends_body)."""
    picked = _micro_terms(size=max(1, len(micro_ids)))
    picked["terms"]["include"] = micro_ids
    return {
        "size": 0,
        "query": filtered_query(filters, {"terms": {"micro_genre_id": micro_ids}}),
        "aggs": {"by_year": _by_year(1, {"picked": picked}), "by_decade": _by_decade(1, {"picked": picked})},
    }


def cloud_body(params: TrendsParams) -> dict:
    """Keywords (and, for a decade, micro-genres) over-represented in the focus vs the filtered set."""
    if params.cloud_micro is not None:
        focus: dict = {"term": {"micro_genre_id": params.cloud_micro}}
    elif params.cloud_decade is not None:
        focus = {"range": {"year": {"gte": params.cloud_decade, "lte": params.cloud_decade + 9}}}
    else:  # parse_trends always sets one of the two
        raise TypeError("cloud_body needs cloud_micro or cloud_decade")
    background = filter_clauses(params.filters)

    def significant(field: str, size: int) -> dict:
        agg: dict = {"field": field, "size": size, "min_doc_count": 3}
        if background:  # the default background (the whole index) is cheaper than a filter
            agg["background_filter"] = filtered_query(params.filters)
        return {"significant_terms": agg}

    aggs = {"keywords": significant("keywords", 40)}
    if params.cloud_micro is None:
        aggs["micro_genres"] = significant("micro_genre_id", 8)
    return {"size": 0, "track_total_hits": True, "query": filtered_query(params.filters, focus), "aggs": aggs}


# --- what each page sends (the app and the bench's baseline share these lists) --------------


def overview_searches(movies: str, micro: str, runs: str, filters: Filters) -> list[tuple[str, dict]]:
    """The Overview's first ``_msearch``: the aggregations, the latest run, the micro-genre keywords."""
    return [(movies, overview_body(filters)), (runs, latest_run_body(movies)), (micro, micro_docs_body())]


def trends_searches(movies: str, params: TrendsParams) -> list[tuple[str, dict]]:
    """The Trends page's first ``_msearch``; picked micro-genres named in the URL ride along."""
    searches = [(movies, trends_body(params)), (movies, cloud_body(params))]
    if params.micro:
        searches.append((movies, picked_body(params.filters, list(params.micro))))
    return searches
