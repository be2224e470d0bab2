"""The explorer JSON API against the real OpenSearch, on a full real indexer run (live_index)."""
from __future__ import annotations

import csv
import io
import json

import pytest

from webapp.explorer import HYBRID_PIPELINE, PIPELINE_DIR

TOY_STORY, TOY_STORY_3, MATRIX, MARTIAN = 862, 10193, 603, 286217
RESULT_KEYS = {"id", "title", "year", "overview", "genres", "micro_genre", "macro_genre", "vote_average", "score", "highlight"}


@pytest.fixture
def api(client):
    """The explorer API on the full real index (``client`` from conftest)."""
    return client


def get(api, url, status=200):
    resp = api.get(url)
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    return resp.get_json()


def ids(data):
    return [r["id"] for r in data["results"]]


# --- /api/search -------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["hybrid", "keyword", "semantic"])
def test_search_contract(api, mode):
    data = get(api, f"/api/search?q=astronaut+stranded+on+mars+grows+potatoes&mode={mode}&size=5")
    assert data["mode"] == mode and isinstance(data["took_ms"], int) and data["total"] >= 5
    assert len(data["results"]) == 5
    for r in data["results"]:
        assert RESULT_KEYS <= set(r)
        assert set(r["micro_genre"]) == {"id", "label"} and isinstance(r["micro_genre"]["id"], int)
        assert "embedding" not in r
    assert MARTIAN in ids(data)
    assert set(data["facets"]) >= {"genres", "micro_genres", "decades"}
    for name in ("genres", "micro_genres", "decades"):
        assert data["facets"][name] and all({"key", "count"} <= set(b) for b in data["facets"][name])


def test_mode_defaults_to_hybrid(api):
    assert get(api, "/api/search?q=heist")["mode"] == "hybrid"


def popularity(os_client, live_index, movie_ids: list[int]) -> list[float]:
    """Each movie's popularity read from the index itself (the API does not return it)."""
    docs = os_client.mget(index=live_index.index_alias, body={"ids": [str(i) for i in movie_ids]}, _source=["popularity"])["docs"]
    return [d["_source"]["popularity"] for d in docs]


def test_empty_query_browses_everything_most_popular_first(api, os_client, live_index):
    data = get(api, "/api/search?size=50")
    assert data["total"] == os_client.count(index=live_index.index_alias)["count"]
    pops = popularity(os_client, live_index, ids(data))
    assert len(pops) == 50 and pops == sorted(pops, reverse=True)
    top = os_client.search(index=live_index.index_alias, body={"size": 1, "sort": [{"popularity": "desc"}], "_source": False})
    assert ids(data)[0] == int(top["hits"]["hits"][0]["_id"])  # the most popular film of all opens the list
    page2 = popularity(os_client, live_index, ids(get(api, "/api/search?size=50&page=2")))
    assert max(page2) <= min(pops)


@pytest.mark.parametrize("mode", ["hybrid", "keyword", "semantic"])
def test_filters_narrow_totals_and_hold_for_every_hit(api, mode):
    base = f"/api/search?q=friendship+and+adventure&mode={mode}&size=50"
    everything = get(api, base)
    narrowed = get(api, base + "&genre=Animation&year_from=1995&year_to=2010&min_rating=6")
    assert 0 < narrowed["total"] < everything["total"]
    for r in narrowed["results"]:
        assert "Animation" in r["genres"] and 1995 <= r["year"] <= 2010 and r["vote_average"] >= 6


def test_micro_and_macro_filters(api):
    first = get(api, "/api/search?q=zombies&mode=keyword&size=1")["results"][0]
    micro = get(api, f"/api/search?micro_genre={first['micro_genre']['id']}&size=100")
    assert micro["total"] >= 1 and {r["micro_genre"]["id"] for r in micro["results"]} == {first["micro_genre"]["id"]}
    macro = get(api, f"/api/search?macro={first['macro_genre_id']}&size=100")
    assert macro["total"] >= micro["total"]
    assert {r["macro_genre"] for r in macro["results"]} == {first["macro_genre"]}


def test_facets_count_the_filtered_query(api):
    data = get(api, "/api/search?genre=Animation&size=1")
    genres = {b["key"]: b["count"] for b in data["facets"]["genres"]}
    assert genres["Animation"] == data["total"]
    assert sum(b["count"] for b in data["facets"]["decades"]) <= data["total"]
    assert all(b["label"] for b in data["facets"]["micro_genres"])


@pytest.mark.parametrize("mode", ["keyword", "hybrid", "semantic"])
def test_pages_are_consistent(api, mode):
    q = f"/api/search?q=space+exploration&mode={mode}"
    twenty = ids(get(api, q + "&size=20"))
    second = ids(get(api, q + "&size=10&page=2"))
    assert len(second) == 10 and second == twenty[10:]


def test_page_beyond_ranked_window_is_refused(api):
    data = get(api, "/api/search?q=space&mode=hybrid&size=100&page=3", status=400)
    assert data["field"] == "page"


@pytest.mark.parametrize("sort", ["rating", "year", "popularity"])
@pytest.mark.parametrize("q", ["q=war&mode=hybrid&", "q=war&mode=keyword&", ""])
def test_sort(api, os_client, live_index, q, sort):
    data = get(api, f"/api/search?{q}sort={sort}&size=30")
    assert len(data["results"]) == 30
    values = {
        "rating": [r["vote_average"] for r in data["results"]],
        "year": [r["year"] for r in data["results"]],
        "popularity": popularity(os_client, live_index, ids(data)),
    }[sort]
    assert values == sorted(values, reverse=True) and len(set(values)) > 1


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])  # inline, and hybrid's follow-up request
def test_highlight_marks_query_words(api, mode):
    data = get(api, f"/api/search?q=shark&mode={mode}&size=5")
    marked = [r["highlight"].get("overview", "") for r in data["results"]]
    assert any("<mark>shark</mark>" in h.lower() for h in marked)


def test_csv_export(api):
    resp = api.get("/api/search?q=heist&mode=keyword&size=7&format=csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert len(rows) == 7 and rows[0]["title"] and int(rows[0]["id"]) > 0


@pytest.mark.parametrize(
    "query, field",
    [("mode=fuzzy", "mode"), ("page=0", "page"), ("size=101", "size"), ("year_from=abc", "year_from"),
     ("year_to=20x0", "year_to"), ("min_rating=high", "min_rating"), ("sort=random", "sort"),
     ("q=" + "x" * 501, "q"), ("year_from=2001&year_to=1990", "year_to"), ("micro_genre=abc", "micro_genre")],
)
def test_search_bad_input(api, query, field):
    data = get(api, f"/api/search?{query}", status=400)
    assert data["field"] == field and data["error"]


# --- movies, similar, recommend, suggest --------------------------------------------------


def test_movie(api):
    data = get(api, f"/api/movies/{MATRIX}")
    assert data["id"] == MATRIX and data["title"] == "The Matrix" and "embedding" not in data
    assert {"id", "label", "keywords"} == set(data["micro_genre"]) and data["macro_genre"]


@pytest.mark.parametrize("url, status", [("/api/movies/1", 404), ("/api/movies/abc", 400), ("/api/movies/1/similar", 404),
                                         ("/api/movies/x1/similar", 400)])
def test_movie_bad_ids(api, url, status):
    assert get(api, url, status=status)["field"] == "id"


def test_similar_excludes_itself(api):
    data = get(api, f"/api/movies/{TOY_STORY}/similar?size=10")
    assert len(data["results"]) == 10 and TOY_STORY not in ids(data)
    assert {TOY_STORY_3, 863} & set(ids(data))  # its sequels are its nearest neighbours


def test_similar_accepts_filters(api):
    data = get(api, f"/api/movies/{MATRIX}/similar?size=8&year_from=2000&genre=Action")
    assert len(data["results"]) == 8 and MATRIX not in ids(data)
    assert all(r["year"] >= 2000 and "Action" in r["genres"] for r in data["results"])
    assert get(api, f"/api/movies/{MATRIX}/similar?size=500", status=400)["field"] == "size"


def test_recommend_excludes_liked(api):
    resp = api.post("/api/recommend", json={"liked": [TOY_STORY, TOY_STORY_3], "size": 6})
    data = resp.get_json()
    assert resp.status_code == 200 and len(data["results"]) == 6
    assert not {TOY_STORY, TOY_STORY_3} & set(ids(data))
    assert 863 in ids(data)  # Toy Story 2 sits between its two siblings


@pytest.mark.parametrize(
    "body, status, field",
    [("not json", 400, "body"), ({"liked": []}, 400, "liked"), ({"liked": ["x"]}, 400, "liked"),
     ({"liked": [MATRIX], "size": 0}, 400, "size"), ({"liked": [MATRIX, 1]}, 404, "liked")],
)
def test_recommend_bad_bodies(api, body, status, field):
    if isinstance(body, str):
        resp = api.post("/api/recommend", data=body, content_type="application/json")
    else:
        resp = api.post("/api/recommend", json=body)
    assert resp.status_code == status and resp.get_json()["field"] == field


def test_suggest(api):
    data = get(api, "/api/suggest?q=toy+sto")
    titles = [r["title"] for r in data["results"]]
    assert "Toy Story" in titles and all("toy" in t.lower() for t in titles)
    assert get(api, "/api/suggest", status=400)["field"] == "q"


# --- micro-genres ---------------------------------------------------------------------------


def test_micro_genre_list_is_every_micro_genre(api, os_client, live_index):
    data = get(api, "/api/micro-genres")
    n = os_client.count(index=live_index.micro_alias)["count"]
    run = os_client.search(index=live_index.runs_index, body={"size": 1, "query": {"term": {"status": "ok"}}})["hits"]["hits"][0]
    assert data["total"] == n == run["_source"]["k"] and len(data["results"]) == n > 100  # more than one page's MAX_SIZE
    assert len(get(api, "/api/micro-genres?size=7")["results"]) == 7
    sizes = [m["size"] for m in data["results"]]
    assert sizes == sorted(sizes, reverse=True) and all("centroid" not in m for m in data["results"])


def test_micro_genre_semantic_search(api):
    data = get(api, "/api/micro-genres?q=zombie+apocalypse&size=3")
    assert len(data["results"]) == 3
    top = data["results"][0]
    assert "zombie" in (top["label"] + " " + " ".join(top["keywords"])).lower()


def test_micro_genre_detail_with_neighbours(api):
    some = get(api, "/api/micro-genres?size=1")["results"][0]
    data = get(api, f"/api/micro-genres/{some['id']}")
    assert data["id"] == some["id"] and data["label"] and len(data["keywords"]) == 5
    assert {"macro_genre", "size", "mean_rating", "weighted_rating", "top_movies"} <= set(data)
    nb = data["neighbours"]
    assert nb and some["id"] not in [n["id"] for n in nb]
    sims = [n["similarity"] for n in nb]
    assert sims == sorted(sims, reverse=True) and all(-1 <= s <= 1 for s in sims)


def test_micro_genre_bad_ids(api):
    assert get(api, "/api/micro-genres/99999", status=404)["field"] == "id"
    assert get(api, "/api/micro-genres/abc", status=400)["field"] == "id"


# --- pipeline, pages, outage ----------------------------------------------------------------


def test_hybrid_pipeline_installed_from_file(api, os_client):
    stored = os_client.transport.perform_request("GET", f"/_search/pipeline/{HYBRID_PIPELINE}")[HYBRID_PIPELINE]
    wanted = json.loads((PIPELINE_DIR / f"{HYBRID_PIPELINE}.json").read_text())
    assert stored["phase_results_processors"] == wanted["phase_results_processors"]


def test_pages_render(api):
    resp = api.get(f"/explore?q=toys+come+to+life&movie={TOY_STORY}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'id="detail"' in html and "Similar films" in html and "Toy Story 3" in html
    bad = api.get("/explore?year_from=abc")
    assert bad.status_code == 400 and "year_from" in bad.get_data(as_text=True)
    micro = get(api, "/api/micro-genres?size=1")["results"][0]
    page = api.get(f"/micro-genres/{micro['id']}")
    assert page.status_code == 200 and micro["label"] in page.get_data(as_text=True)
    assert api.get("/micro-genres/99999").status_code == 404


