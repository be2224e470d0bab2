"""Parameter validation and query builders: pure functions, no server needed."""
from __future__ import annotations

import json

import pytest

from webapp.errors import ApiError
from webapp.params import Filters, SearchParams, parse_recommend, parse_search
from webapp.search import filter_clauses, highlight_body, search_body, similar_body

VECTOR = [0.1] * 384


def test_defaults():
    p = parse_search({})
    assert (p.q, p.mode, p.sort, p.page, p.size, p.format) == ("", "hybrid", "relevance", 1, 20, "json")
    assert p.filters == Filters()


def test_values_are_typed_and_stripped():
    p = parse_search({"q": "  heist  ", "mode": "Keyword", "year_from": "1990", "year_to": "1999", "min_rating": "7.5",
                      "micro_genre": "12", "macro": "3", "genre": "Drama", "page": "2", "size": "50", "sort": "rating"})
    assert p.q == "heist" and p.mode == "keyword" and p.offset == 50
    assert p.filters == Filters(genre="Drama", micro_genre=12, macro=3, year_from=1990, year_to=1999, min_rating=7.5)


@pytest.mark.parametrize(
    "args, field",
    [
        ({"mode": "fuzzy"}, "mode"),
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"size": "101"}, "size"),
        ({"size": "0"}, "size"),
        ({"year_from": "abc"}, "year_from"),
        ({"year_to": "19x9"}, "year_to"),
        ({"year_from": "2000", "year_to": "1990"}, "year_to"),
        ({"min_rating": "nan"}, "min_rating"),
        ({"min_rating": "11"}, "min_rating"),
        ({"micro_genre": "-1"}, "micro_genre"),
        ({"sort": "random"}, "sort"),
        ({"format": "xml"}, "format"),
        ({"q": "x" * 501}, "q"),
    ],
)
def test_bad_values_name_their_field(args, field):
    with pytest.raises(ApiError) as exc:
        parse_search(args)
    assert exc.value.field == field and exc.value.status == 400


@pytest.mark.parametrize(
    "body, field",
    [(None, "body"), ([603], "body"), ({}, "liked"), ({"liked": []}, "liked"), ({"liked": ["603"]}, "liked"),
     ({"liked": [True]}, "liked"), ({"liked": list(range(51))}, "liked"), ({"liked": [603], "size": 0}, "size"),
     ({"liked": [603], "size": "5"}, "size")],
)
def test_bad_recommend_bodies(body, field):
    with pytest.raises(ApiError) as exc:
        parse_recommend(body)
    assert exc.value.field == field


def test_recommend_dedupes_in_order():
    assert parse_recommend({"liked": [603, 862, 603], "size": 3}) == ([603, 862], 3)


def _paths_holding(node, needle, path=""):
    """Every JSON path whose string value contains ``needle``."""
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _paths_holding(v, needle, f"{path}.{k}")]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _paths_holding(v, needle, f"{path}[{i}]")]
    return [path] if isinstance(node, str) and needle in node else []


@pytest.mark.parametrize("mode", ["hybrid", "keyword", "semantic"])
def test_user_text_only_inside_multi_match_query(mode):
    """Even DSL-looking text stays a value of multi_match.query (query and highlight_query)."""
    q = '{"match_all": {}} OR *:* "'
    params = parse_search({"q": q, "mode": mode, "genre": "Drama"})
    body = search_body(params, VECTOR)
    body["page_highlight"] = highlight_body(params.q, ["1"])  # the follow-up request of hybrid mode
    paths = _paths_holding(body, "match_all")
    assert paths and all(p.endswith("multi_match.query") for p in paths)
    assert "match_all" not in json.dumps({k: v for k, v in body.items() if k not in ("query", "highlight", "page_highlight")})


def test_hybrid_body_filters_each_subquery():
    body = search_body(parse_search({"q": "space", "genre": "Animation", "year_from": "1990"}), VECTOR)
    bm25, knn = body["query"]["hybrid"]["queries"]
    clauses = filter_clauses(Filters(genre="Animation", year_from=1990))
    assert bm25["bool"]["filter"] == clauses
    assert knn["knn"]["embedding"]["filter"] == {"bool": {"filter": clauses}}
    assert body["query"]["hybrid"]["pagination_depth"] >= body["from"] + body["size"]


def test_hybrid_highlights_only_the_page():
    """The hybrid body carries no inline highlight; the page's ids get one afterwards."""
    assert "highlight" not in search_body(parse_search({"q": "shark", "mode": "hybrid"}), VECTOR)
    for mode in ("keyword", "semantic"):
        assert "highlight" in search_body(parse_search({"q": "shark", "mode": mode}), VECTOR)
    body = highlight_body("shark", ["578", "8587"])
    assert body["query"] == {"ids": {"values": ["578", "8587"]}} and body["size"] == 2
    assert body["highlight"]["highlight_query"]["multi_match"]["query"] == "shark"


def test_browse_sorts_by_popularity_and_has_no_highlight():
    body = search_body(SearchParams(), None)
    assert body["query"] == {"match_all": {}}
    assert body["sort"][0] == {"popularity": {"order": "desc"}}
    assert "highlight" not in body


def test_similar_excludes_seed_inside_knn_filter():
    body = similar_body(VECTOR, [603], Filters(genre="Action"), 5)
    flt = body["query"]["knn"]["embedding"]["filter"]["bool"]["filter"][0]["bool"]
    assert flt["must_not"] == [{"ids": {"values": ["603"]}}]
    assert flt["filter"] == [{"term": {"genres": "Action"}}]
