"""Parameter validation and query builders: pure functions, no server needed."""

from __future__ import annotations

import pytest

from webapp.api.errors import ApiError
from webapp.api.params import Filters, SearchParams, parse_recommend, parse_search
from webapp.explore.highlight import highlight, query_stems
from webapp.explore.search import (
    KNN_MIN_SCORE,
    RANKED_WINDOW,
    count_facets,
    filter_clauses,
    inner_product_score,
    like_title,
    search_body,
    similar_body,
    sort_sources,
)

VECTOR = [0.1] * 384


def test_defaults():
    p = parse_search({})
    assert (p.q, p.mode, p.sort, p.page, p.size, p.format) == ("", "hybrid", "relevance", 1, 20, "json")
    assert p.filters == Filters()


def test_values_are_typed_and_stripped():
    p = parse_search(
        {
            "q": "  heist  ",
            "mode": "Keyword",
            "year_from": "1990",
            "year_to": "1999",
            "min_rating": "7.5",
            "micro_genre": "12",
            "macro": "3",
            "genre": "Drama",
            "page": "2",
            "size": "50",
            "sort": "rating",
        }
    )
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
    [
        (None, "body"),
        ([603], "body"),
        ({}, "liked"),
        ({"liked": []}, "liked"),
        ({"liked": ["603"]}, "liked"),
        ({"liked": [True]}, "liked"),
        ({"liked": list(range(51))}, "liked"),
        ({"liked": [603], "size": 0}, "size"),
        ({"liked": [603], "size": "5"}, "size"),
    ],
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
def test_user_text_only_as_query_text(mode):
    """Even DSL-looking text stays the text of a match-family query or of the suggester."""
    q = '{"match_all": {}} OR *:* "'
    params = parse_search({"q": q, "mode": mode, "genre": "Drama"})
    body = search_body(params, VECTOR)
    paths = _paths_holding(body, "match_all")
    assert paths and all(p.endswith(".query") or p == ".suggest.text" for p in paths)
    assert all(any(kind in p for kind in ("multi_match", "match.title", "match_phrase.title")) for p in paths if p.endswith(".query"))


def test_hybrid_body_filters_each_subquery_and_fetches_its_window():
    body = search_body(parse_search({"q": "space", "genre": "Animation", "year_from": "1990"}), VECTOR)
    bm25, knn = body["query"]["hybrid"]["queries"]
    clauses = filter_clauses(Filters(genre="Animation", year_from=1990))
    assert bm25["bool"]["filter"] == clauses
    assert knn["script_score"]["query"] == {"bool": {"filter": clauses}}  # exact cosine over the filtered films
    assert knn["script_score"]["min_score"] == inner_product_score(KNN_MIN_SCORE) == pytest.approx(1.32)  # cos >= 0.32
    assert knn["script_score"]["script"]["params"]["space_type"] == "innerproduct"
    assert body["size"] == body["query"]["hybrid"]["pagination_depth"] == RANKED_WINDOW
    assert "aggs" not in body and "from" not in body  # the app counts facets and pages the window


def _matches_on(node, field: str) -> list[dict]:
    """Every ``{"match": {field: {...}}}`` options object in a body."""
    if isinstance(node, dict):
        here = [node["match"][field]] if isinstance(node.get("match"), dict) and field in node["match"] else []
        return here + [m for v in node.values() for m in _matches_on(v, field)]
    if isinstance(node, list):
        return [m for v in node for m in _matches_on(v, field)]
    return []


@pytest.mark.parametrize("mode", ["hybrid", "keyword"])
def test_title_clauses_appear_once_and_long_titles_allow_one_typo(mode):
    """Each title clause is rewritten once (a fuzzy rewrite is the BM25 side's dearest part),
    and the whole-title automaton allows two typos only for one- or two-word queries."""
    for q, typos in (("terminater", "AUTO"), ("lord of the rigns", 1)):
        whole = _matches_on(search_body(parse_search({"q": q, "mode": mode}), VECTOR), "title.keyword")
        assert [m["fuzziness"] for m in whole] == [typos]


def test_the_fuzzy_title_words_clause_is_for_short_queries_only():
    """Expanding every word of a 5-8 word query against the titles cost OpenSearch more than it found."""
    for q, fuzzy in (("the dark knigt", 1), ("lord of the rigns", 1), ("pirates of the carribean black pearl", 0)):
        words = [m for m in _matches_on(search_body(parse_search({"q": q, "mode": "hybrid"}), VECTOR), "title.exact") if "fuzziness" in m]
        assert len(words) == fuzzy, q


def test_no_body_asks_opensearch_to_highlight():
    """Highlights are made in the app for the page only (webapp.explore.highlight)."""
    for mode in ("hybrid", "keyword", "semantic"):
        assert "highlight" not in search_body(parse_search({"q": "shark", "mode": mode}), VECTOR)


def test_browse_sorts_by_popularity():
    body = search_body(SearchParams(), None)
    assert body["query"] == {"match_all": {}}
    assert body["sort"][0] == {"popularity": {"order": "desc", "missing": "_last"}}


def test_last_page_may_be_partial_but_never_past_the_index_window():
    body = search_body(parse_search({"mode": "keyword", "q": "war", "page": "500", "size": "30"}), None)
    assert body["from"] == 499 * 30 and body["from"] + body["size"] <= 10_000


def test_like_title():
    assert like_title("movies like Inception") == "Inception"
    assert like_title("  films similar to the matrix ") == "the matrix"
    assert like_title("like Toy Story") == "Toy Story"
    assert like_title("lovely bones") is None and like_title("a film about liking cats") is None


def _hit(i, **src):
    return {"_id": str(i), "_score": 1.0, "_source": {"id": i, **src}}


def test_sort_sources_puts_missing_last_and_breaks_ties():
    hits = [
        _hit(1, rating_weighted=None, vote_count=3),
        _hit(2, rating_weighted=7.0, vote_count=10),
        _hit(3, rating_weighted=8.0, vote_count=5),
        _hit(4, rating_weighted=7.0, vote_count=99),
    ]
    assert [h["_source"]["id"] for h in sort_sources(hits, "rating")] == [3, 4, 2, 1]
    assert sort_sources(hits, "relevance") == hits


def test_count_facets_has_the_aggregation_shape():
    sources = [
        {"genres": ["Drama", "Crime"], "micro_genre_id": 5, "micro_genre": "Heist", "macro_genre_id": 1, "macro_genre": "Crime", "decade": 1990},
        {"genres": ["Drama"], "micro_genre_id": 5, "micro_genre": "Heist", "macro_genre_id": 2, "macro_genre": "War", "decade": 1970},
    ]
    facets = count_facets(sources)
    assert facets["genres"] == [{"key": "Drama", "count": 2}, {"key": "Crime", "count": 1}]
    assert facets["micro_genres"] == [{"key": 5, "count": 2, "label": "Heist"}]
    assert [b["key"] for b in facets["decades"]] == [1970, 1990]


def test_highlight_marks_stems_and_escapes():
    stems = query_stems("the sharks hunting")
    out = highlight("A <b>shark</b> hunts swimmers & the shark's prey.", stems)
    assert "<mark>shark</mark>" in out and "<mark>hunts</mark>" in out and "&lt;b&gt;" in out and "&amp;" in out
    assert "<mark>the</mark>" not in out.lower()
    assert highlight("Nothing here.", stems) is None
    assert "<mark>spy</mark>" in highlight("A spy comes in from the cold.", query_stems("spies"))  # -ies plurals fold too


def test_similar_excludes_seed_inside_the_scored_set():
    body = similar_body(VECTOR, [603], Filters(genre="Action"), 5)
    flt = body["query"]["script_score"]["query"]["bool"]["filter"][0]["bool"]
    assert flt["must_not"] == [{"ids": {"values": ["603"]}}]
    assert flt["filter"] == [{"term": {"genres": "Action"}}]


def test_inner_product_threshold_keeps_the_cosine_order_below_zero():
    """The conversion from lucene's (1 + cos) / 2 scale is k-NN's own inner-product score:
    1 + cos from 0 up, 1 / (1 - cos) below, increasing throughout."""
    lucene = [0.0, 0.1, 0.25, 0.4, 0.5, 0.66, 0.9, 1.0]
    converted = [inner_product_score(t) for t in lucene]
    assert converted == sorted(converted) and len(set(converted)) == len(converted)
    assert inner_product_score(0.5) == 1.0 and inner_product_score(1.0) == 2.0 and inner_product_score(0.0) == 0.5
