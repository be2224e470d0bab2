"""Pure parts of the insight pages: URL parsing, the Bayesian prior, the findings, the cache."""

from __future__ import annotations

import pytest

from webapp.api.errors import ApiError
from webapp.api.params import Filters, parse_filters, reject_unknown
from webapp.insights.agg_cache import AggCache
from webapp.insights.aggregations import cloud_body, filtered_query, trends_body
from webapp.insights.findings import Prior, size_vs_rating
from webapp.insights.params import TRENDS_FIELDS, parse_trends


def test_filters_parse_and_round_trip():
    f = parse_filters({"year_from": "1990", "year_to": " 1999 ", "macro": "4"})
    assert f == Filters(year_from=1990, year_to=1999, macro=4)  # the one Filters: macro is an id, as in /api/search
    clauses = filtered_query(f)["bool"]["filter"]
    assert {"term": {"macro_genre_id": 4}} in clauses and {"range": {"year": {"gte": 1990, "lte": 1999}}} in clauses
    assert filtered_query(Filters()) == {"bool": {"filter": []}}


@pytest.mark.parametrize(
    "args, field",
    [
        ({"year_from": "abc"}, "year_from"),
        ({"year_from": "1200"}, "year_from"),
        ({"year_from": "2000", "year_to": "1990"}, "year_to"),
        ({"macro": "x" * 201}, "macro"),
        ({"micro": "1,two"}, "micro"),
        ({"micro": ",".join(str(i) for i in range(11))}, "micro"),
        ({"cloud_decade": "1985"}, "cloud_decade"),
        ({"cloud_decade": "1980", "cloud_micro": "3"}, "cloud_micro"),
        ({"year_from": "1990", "year_to": "1999", "cloud_decade": "1970"}, "cloud_decade"),
        ({"year_from": "1990", "year_to": "1999", "split": "1990"}, "split"),
        ({"min_support": "0"}, "min_support"),
    ],
)
def test_bad_trend_params_name_their_field(args, field):
    with pytest.raises(ApiError) as exc:
        parse_trends(args)
    assert exc.value.field == field and exc.value.status == 400


def test_unknown_trend_parameters_are_named():
    with pytest.raises(ApiError) as exc:
        reject_unknown({"colour": "red", "split": "1990", "aa": "1"}, TRENDS_FIELDS)
    assert exc.value.field == "aa" and "aa, colour" in exc.value.message and exc.value.status == 400
    reject_unknown({"split": "1990", "micro": "1"}, TRENDS_FIELDS)  # known names pass


def test_trend_defaults_follow_the_year_range():
    p = parse_trends({})
    assert (p.split, p.cloud_decade, p.cloud_micro, p.micro) == (2000, 1980, None, ())
    p = parse_trends({"year_from": "2001", "year_to": "2010", "micro": "4, 9,4"})
    assert p.split == 2006  # 2000 is outside the range: its middle year instead
    assert p.cloud_decade == 2000  # 1980 clamped into the range's decades
    assert p.micro == (4, 9)


def test_cloud_background_is_the_filtered_selection():
    p = parse_trends({"macro": "4", "cloud_micro": "7"})
    agg = cloud_body(p)["aggs"]["keywords"]["significant_terms"]
    assert agg["background_filter"] == filtered_query(p.filters)
    assert "micro_genres" not in cloud_body(p)["aggs"]  # a micro-genre's own distinctive micro-genre is itself
    assert "background_filter" not in cloud_body(parse_trends({}))["aggs"]["keywords"]["significant_terms"]


def test_trends_split_is_in_the_period_filters():
    body = trends_body(parse_trends({"split": "1995"}))
    periods = body["aggs"]["periods"]["filters"]["filters"]
    assert periods == {"earlier": {"range": {"year": {"lt": 1995}}}, "later": {"range": {"year": {"gte": 1995}}}}


def test_bayesian_average_shrinks_few_votes_to_the_mean():
    prior = Prior(C=6.5, m=200)
    assert prior.shrink(10.0, 2) == pytest.approx((2 * 10 + 200 * 6.5) / 202)
    assert prior.shrink(10.0, 2) < 6.6
    assert prior.shrink(8.0, 20000) == pytest.approx(7.985, abs=1e-3)
    assert prior.shrink(None, 0) == 6.5


def _points(sizes, ratings):
    return [{"count": s, "weighted_rating": r, "rating": r} for s, r in zip(sizes, ratings)]


def test_size_vs_rating_states_the_direction_the_numbers_show():
    sizes = list(range(5, 45))
    niche = size_vs_rating(_points(sizes, [8.0 - 0.04 * s for s in sizes]))
    assert niche["text"].startswith("Yes: niche micro-genres rate higher")
    assert niche["numbers"]["spearman_rho"] == pytest.approx(-1.0)
    assert niche["numbers"]["smallest_quartile_median"] > niche["numbers"]["largest_quartile_median"]
    big = size_vs_rating(_points(sizes, [5.0 + 0.04 * s for s in sizes]))
    assert big["text"].startswith("No, the opposite")
    flat = size_vs_rating(_points(sizes, [6.5 + (0.3 if i % 2 else -0.3) for i in range(len(sizes))]))
    assert flat["text"].startswith("No clear link")
    assert "too few" in size_vs_rating(_points([5, 6], [7, 7]))["text"]


def test_cache_computes_once_per_key_and_resets():
    cache, calls = AggCache(max_entries=2), []

    def compute(value):
        calls.append(value)
        return value

    assert cache.get_or_compute("a", lambda: compute(1)) == 1
    assert cache.get_or_compute("a", lambda: compute(2)) == 1
    cache.get_or_compute("b", lambda: compute(3))
    cache.get_or_compute("c", lambda: compute(4))  # evicts "a", the least recently used
    assert cache.get_or_compute("a", lambda: compute(5)) == 5
    cache.reset()
    assert len(cache) == 0
    assert calls == [1, 3, 4, 5]


def test_cache_does_not_store_failures():
    cache = AggCache()
    with pytest.raises(ApiError):
        cache.get_or_compute("k", lambda: (_ for _ in ()).throw(ApiError("bad", field="macro")))
    assert cache.get_or_compute("k", lambda: "ok") == "ok"
