"""The insight endpoints' figures equal direct counts on the real OpenSearch index."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from opensearchpy import helpers

from indexer.taxonomy.label import TOP_N
from mgm.rating import PRIOR_VOTES
from mgm.settings import PROJECT_ROOT
from webapp import create_app


@pytest.fixture(scope="module")
def count(os_client, live_index):
    """Number of movies matching ``clauses`` (a direct count, no aggregation)."""

    def _count(*clauses: dict) -> int:
        body = {"query": {"bool": {"filter": list(clauses)}}}
        return os_client.count(index=live_index.index_alias, body=body)["count"]

    return _count


def decade(d: int) -> dict:
    return {"range": {"year": {"gte": d, "lte": d + 9}}}


def get_json(client, url: str) -> dict:
    resp = client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()


def test_treemap_sizes_sum_to_the_number_of_movies(client, count, os_client, live_index):
    data = get_json(client, "/api/overview")
    tree = data["treemap"]
    assert tree["count"] == count() == data["kpis"]["movies"]
    assert sum(m["count"] for m in tree["children"]) == tree["count"]
    for macro in tree["children"]:
        assert macro["count"] == sum(c["count"] for c in macro["children"])
        assert all("count" in c for c in macro["children"])
    biggest = max(tree["children"], key=lambda m: m["count"])
    assert biggest["count"] == count({"term": {"macro_genre": biggest["name"]}})
    micro = biggest["children"][-1]  # the films of one micro-genre that sit under this theme
    assert micro["count"] == count({"term": {"micro_genre_id": micro["micro_id"]}}, {"term": {"macro_genre": biggest["name"]}})
    ids = [c["id"] for m in tree["children"] for c in m["children"]]
    assert len(ids) == len(set(ids))  # a micro-genre under several themes has one node in each, each its own id
    whole = {m["micro_id"]: m for m in data["micro_genres"]}
    assert data["kpis"]["micro_genres"] == len(whole) == os_client.count(index=live_index.micro_alias)["count"]
    assert whole[micro["micro_id"]]["count"] == count({"term": {"micro_genre_id": micro["micro_id"]}})
    parts = [c["count"] for m in tree["children"] for c in m["children"] if c["micro_id"] == micro["micro_id"]]
    assert sum(parts) == whole[micro["micro_id"]]["count"]


def test_overview_filters_apply_to_every_figure(client, count):
    macro = get_json(client, "/api/overview")["catalog"]["macros"][0]
    data = get_json(client, f"/api/overview?year_from=1990&year_to=1999&macro={macro['id']}")
    expected = count({"range": {"year": {"gte": 1990, "lte": 1999}}}, {"term": {"macro_genre_id": macro["id"]}})
    assert data["treemap"]["count"] == data["kpis"]["movies"] == expected
    assert [(m["macro_id"], m["name"]) for m in data["treemap"]["children"]] == [(macro["id"], macro["name"])]
    assert 1990 <= data["kpis"]["year_min"] <= data["kpis"]["year_max"] <= 1999


def test_prior_equals_an_independent_computation(client, os_client, live_index):
    """C recomputed here from every movie's own fields, not from the response's numbers."""
    hits = os_client.search(index=live_index.index_alias, body={"size": 10_000, "_source": ["vote_average", "vote_count"]})["hits"]["hits"]
    votes = np.array([h["_source"]["vote_count"] for h in hits], dtype=float)
    ratings = np.array([h["_source"]["vote_average"] for h in hits], dtype=float)
    assert len(hits) == os_client.count(index=live_index.index_alias)["count"]
    prior = get_json(client, "/api/overview")["prior"]
    assert prior["C"] == pytest.approx(float((votes * ratings).sum() / votes.sum()), abs=1e-4)
    assert prior["m"] == PRIOR_VOTES  # m is the documented constant of mgm.rating, not a statistic


def test_weighted_rating_is_the_documented_bayesian_average(client, os_client, live_index):
    data = get_json(client, "/api/overview")
    row = data["rankings"]["by_rating"][0]
    hits = os_client.search(
        index=live_index.index_alias,
        body={"size": 1000, "_source": ["vote_average", "vote_count"], "query": {"term": {"micro_genre_id": row["micro_id"]}}},
    )["hits"]["hits"]
    v = sum(h["_source"]["vote_count"] for h in hits)
    R = sum(h["_source"]["vote_average"] * h["_source"]["vote_count"] for h in hits) / v
    C, m = data["prior"]["C"], data["prior"]["m"]
    assert row["votes"] == v and len(hits) == row["count"]
    assert row["weighted_rating"] == pytest.approx((v * R + m * C) / (v + m), abs=2e-3)
    ratings = [r["weighted_rating"] for r in data["rankings"]["by_rating"]]
    assert ratings == sorted(ratings, reverse=True)


def test_top_movies_belong_to_their_micro_genre(client, count):
    data = get_json(client, "/api/overview")
    micro_id = data["rankings"]["by_popularity"][0]["micro_id"]
    films = data["top_movies"][str(micro_id)]
    assert 1 <= len(films) <= 5
    ids = [f["id"] for f in films]
    assert count({"terms": {"id": ids}}, {"term": {"micro_genre_id": micro_id}}) == len(ids)


def test_run_kpis_and_head_check_come_from_the_run_document(client, os_client, live_index):
    run = os_client.search(index=live_index.runs_index, body={"query": {"term": {"status": "ok"}}})["hits"]["hits"][0]["_source"]
    data = get_json(client, "/api/overview")
    assert data["kpis"]["run"]["k"] == run["k"] and data["kpis"]["run"]["n_macro"] == run["n_macro"]
    assert data["kpis"]["run"]["silhouette"] == run["silhouette"]
    assert data["kpis"]["run"]["label_fit"] == run["label_fit"]
    assert data["kpis"]["run"]["theme_recovery"] == run["taxonomy"]["theme_recovery"]
    held = data["head_check"]["held_out"]  # the held-out half first, its figures as the run measured them
    assert list(data["head_check"]) == ["held_out", "tune"]
    assert held["macro_fit"] == run["head_check"]["held_out"]["macro_fit"] and held["films"] == run["head_check"]["held_out"]["films"]
    assert held["pairs"]["held"] == run["head_check"]["held_out"]["pairs"]["held"] and "misses" not in held
    behind = data["catalogue_check"]  # the 600 judged films behind the famous ones, as the run measured them
    assert list(behind) == ["held_out", "tune"] and behind["held_out"] == run["head_check"]["catalogue"]["held_out"]
    assert behind["held_out"]["films"] == 300 and 0 < behind["held_out"]["fit"] < 1


def test_trends_period_counts_equal_range_queries(client, count):
    data = get_json(client, "/api/trends")
    table = data["shares"]["macro"]["by_decade"]
    i = table["periods"].index(1990)
    assert table["totals"][i] == count(decade(1990))
    top = table["series"][0]
    assert top["counts"][i] == count(decade(1990), {"term": {"macro_genre": top["name"]}})
    assert top["shares"][i] == pytest.approx(100 * top["counts"][i] / table["totals"][i], abs=1e-3)
    years = data["shares"]["macro"]["by_year"]
    j = years["periods"].index(2005)
    assert years["totals"][j] == count({"term": {"year": 2005}})
    assert sum(s["counts"][j] for s in years["series"]) == years["totals"][j]
    heat = data["heatmap"]
    row = heat["macros"].index(top["name"])
    assert heat["count"][row][heat["decades"].index(1990)] == top["counts"][i]


def test_growth_counts_equal_term_queries_in_each_period(client, count):
    data = get_json(client, "/api/trends?split=2000&min_support=20")
    growth = data["growth"]
    assert growth["earlier"]["count"] == count({"range": {"year": {"lt": 2000}}})
    assert growth["later"]["count"] == count({"range": {"year": {"gte": 2000}}})
    for row in growth["growing"][:2] + growth["declining"][:2]:
        term = {"term": {"micro_genre_id": row["id"]}}
        assert row["count_earlier"] == count(term, {"range": {"year": {"lt": 2000}}})
        assert row["count_later"] == count(term, {"range": {"year": {"gte": 2000}}})
        assert row["count_earlier"] + row["count_later"] >= 20
    changes = [r["change_pp"] for r in growth["growing"]]
    assert changes == sorted(changes, reverse=True) and all(c > 0 for c in changes)


def test_picked_micro_genres_and_scatter_match_counts(client, count):
    base = get_json(client, "/api/trends")
    picked = [p["id"] for p in base["scatter"]["points"][:2]]
    data = get_json(client, f"/api/trends?micro={picked[0]},{picked[1]}")
    micro = data["shares"]["micro"]
    assert micro["picked"] == picked
    series = {s["key"]: s for s in micro["by_decade"]["series"]}
    i = micro["by_decade"]["periods"].index(2000)
    assert series[picked[0]]["counts"][i] == count(decade(2000), {"term": {"micro_genre_id": picked[0]}})
    point = base["scatter"]["points"][0]
    assert point["count"] == count({"term": {"micro_genre_id": point["id"]}})
    # No micro-genres in the URL: the page follows the top growers and decliners.
    assert base["shares"]["micro"]["picked"][:1] == [base["growth"]["growing"][0]["id"]]


def test_word_cloud_counts_are_the_focus_documents(client, count):
    data = get_json(client, "/api/trends?cloud_decade=1980")
    cloud = data["cloud"]
    assert cloud["focus"] == {"kind": "decade", "value": 1980, "label": "the 1980s"}
    assert cloud["docs"] == count(decade(1980))
    assert len(cloud["words"]) >= 5
    word = cloud["words"][0]
    assert word["count"] == count(decade(1980), {"term": {"keywords": word["term"]}})
    assert word["bg_count"] == count({"term": {"keywords": word["term"]}})
    micro_id = data["growth"]["growing"][0]["id"]
    by_micro = get_json(client, f"/api/trends?cloud_micro={micro_id}")["cloud"]
    assert by_micro["docs"] == count({"term": {"micro_genre_id": micro_id}})


def test_insights_panel_reports_computed_findings(client):
    data = get_json(client, "/api/trends")
    insights = {f["title"]: f for f in data["insights"]}
    size = insights["Do niche micro-genres rate higher?"]
    assert size["numbers"]["n"] == len(data["scatter"]["points"])
    assert f"{size['numbers']['spearman_rho']:+.2f}" in size["text"]
    leaders = insights["Fastest growing and declining"]
    assert data["growth"]["growing"][0]["label"] in leaders["text"]
    assert len(data["insights"]) == 5 and all(f["text"] for f in data["insights"])


def test_landing_examples_are_live(client, count):
    data = get_json(client, "/api/landing")
    assert data["stats"]["movies"] == count()
    largest = data["largest"]
    assert [m["count"] for m in largest] == sorted((m["count"] for m in largest), reverse=True)
    assert largest[0]["count"] == count({"term": {"micro_genre_id": largest[0]["micro_id"]}})
    assert 2 <= len(largest[0]["keywords"]) <= TOP_N + 2  # the label's phrases, then up to TOP_N description keywords
    assert all(m["count"] >= data["min_size"] for m in data["best_rated"])


@pytest.mark.parametrize(
    "url, field",
    [
        ("/api/overview?year_from=abc", "year_from"),
        ("/api/overview?year_from=2000&year_to=1990", "year_to"),
        ("/api/overview?macro=No%20Such%20Theme", "macro"),
        ("/api/overview?macro=99999", "macro"),  # a well-formed id no macro theme has
        ("/api/overview?genre=Drama", "genre"),  # an explorer filter the insight pages do not offer
        ("/api/overview?split=2000", "split"),  # a Trends-only parameter
        ("/api/trends?macro=No%20Such%20Theme", "macro"),
        ("/api/trends?micro=99999999999999999999", "micro"),  # beyond an integer field (schemathesis found it)
        ("/api/trends?micro=99999", "micro"),
        ("/api/trends?micro=1,x", "micro"),
        ("/api/trends?cloud_micro=99999", "cloud_micro"),
        ("/api/trends?cloud_decade=1985", "cloud_decade"),
        ("/api/trends?year_from=1990&year_to=1999&split=2005", "split"),
    ],
)
def test_bad_params_are_400_json(client, url, field):
    resp = client.get(url)
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["field"] == field and body["error"]


def test_pages_show_bad_params_with_400(client):
    resp = client.get("/trends?year_from=abc")
    assert resp.status_code == 400
    assert "year_from must be an integer" in resp.get_data(as_text=True)


def test_alias_swap_refreshes_the_cache(os_client, live_index, scratch_index):
    """A new index behind the alias is a new cache key: the figures follow without a restart."""
    mapping = json.loads((PROJECT_ROOT / "opensearch" / "mappings" / "movies.json").read_text())
    movies_now = next(iter(os_client.indices.get_alias(index=live_index.index_alias)))
    micro_now = next(iter(os_client.indices.get_alias(index=live_index.micro_alias)))
    alias, micro_alias, recent = f"{scratch_index}-alias", f"{scratch_index}-micro", f"{scratch_index}-recent"
    os_client.indices.put_alias(index=movies_now, name=alias)
    os_client.indices.put_alias(index=micro_now, name=micro_alias)
    try:
        app = create_app(replace(live_index, index_alias=alias, micro_alias=micro_alias), load_model=False)
        before = get_json(app.test_client(), "/api/landing")["stats"]["movies"]
        os_client.indices.create(index=recent, body=mapping)
        hits = os_client.search(index=movies_now, body={"size": 40, "query": {"range": {"year": {"gte": 2010}}}})["hits"]["hits"]
        helpers.bulk(os_client, ({"_index": recent, "_id": h["_id"], "_source": h["_source"]} for h in hits), refresh=True)
        os_client.indices.update_aliases(
            body={"actions": [{"remove": {"index": movies_now, "alias": alias}}, {"add": {"index": recent, "alias": alias}}]}
        )
        after = get_json(app.test_client(), "/api/landing")["stats"]["movies"]
        assert after == os_client.count(index=recent)["count"] == 40 < before
    finally:  # the live indices keep only their own aliases
        os_client.indices.delete_alias(index=[movies_now, micro_now], name=[alias, micro_alias], ignore=[404])


def test_empty_selection_is_zero_not_an_error(client):
    data = get_json(client, "/api/overview?year_from=2090")
    assert data["treemap"]["count"] == 0 and data["treemap"]["children"] == []
    trends = get_json(client, "/api/trends?year_from=2090")
    assert trends["movies"] == 0 and trends["growth"]["growing"] == [] and trends["shares"]["micro"]["picked"] == []
    page = client.get("/trends?year_from=2090")
    assert page.status_code == 200 and "No films match these filters" in page.get_data(as_text=True)
