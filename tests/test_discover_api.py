"""Discovery endpoints against the real OpenSearch on a full indexer run (live_index):
recommendations, micro-genre pages, map data, likes and landing rows. Expected values are
counted from the index itself, never hard-coded ids or labels of the taxonomy."""

from __future__ import annotations

import numpy as np
import pytest

from mgm.client import make_client, stored_vectors
from webapp import create_app
from webapp.discover.data import PAGE_SIZE

TOY_STORY, TOY_STORY_2, TOY_STORY_3, MATRIX = 862, 863, 10193, 603


@pytest.fixture(scope="module")
def api(live_index):
    return create_app(live_index, load_model=False).test_client()


@pytest.fixture(scope="module")
def count(live_index):
    client = make_client(live_index)

    def n(*clauses: dict) -> int:
        return client.count(index=live_index.index_alias, body={"query": {"bool": {"filter": list(clauses)}}})["count"]

    return n


@pytest.fixture(scope="module")
def micro_count(live_index):
    client = make_client(live_index)
    return lambda clause: client.count(index=live_index.micro_alias, body={"query": clause})["count"]


def get(api, url, status=200):
    resp = api.get(url)
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    return resp.get_json()


def test_stored_vectors_in_one_call_equal_one_by_one(live_index):
    client = make_client(live_index)
    ids = [TOY_STORY, TOY_STORY_3, MATRIX, TOY_STORY_2]
    batch = stored_vectors(client, live_index.index_alias, ids)
    for i in ids:
        assert np.allclose(batch[i], stored_vectors(client, live_index.index_alias, [i])[i])
    assert len({tuple(np.round(v, 5)) for v in batch.values()}) == len(ids)


def test_recommend_keeps_each_taste_in_its_own_row(api):
    resp = api.post("/api/recommend", json={"liked": [TOY_STORY, MATRIX, TOY_STORY_3], "size": 10})
    data = resp.get_json()
    assert resp.status_code == 200 and data["method"] == "diverse"
    groups = [set(r["because"]) for r in data["rows"]]
    assert {TOY_STORY, TOY_STORY_3} in groups and {MATRIX} in groups
    ids = [r["id"] for r in data["results"]]
    assert len(ids) == len(set(ids)) == 10 and not {TOY_STORY, TOY_STORY_3, MATRIX} & set(ids)
    assert TOY_STORY_2 in ids
    matrix_row = next(r for r in data["rows"] if r["because"] == [MATRIX])
    assert set(ids) & {r["id"] for r in matrix_row["results"]}  # the lone taste gets slots too
    mean = api.post("/api/recommend", json={"liked": [TOY_STORY, MATRIX], "size": 5, "method": "mean"}).get_json()
    assert len(mean["rows"]) == 1 and len(mean["results"]) == 5
    bad = api.post("/api/recommend", json={"liked": [MATRIX], "method": "magic"})
    assert bad.status_code == 400 and bad.get_json()["field"] == "method"


def test_micro_genre_page_data_matches_counts(api, count, micro_count):
    micros = get(api, "/api/micro-genres?size=100")["results"]
    micro = min((m for m in micros if m["size"] > PAGE_SIZE), key=lambda m: m["size"])
    data = get(api, f"/api/micro-genres/{micro['id']}/films?sort=rating")
    term = {"term": {"micro_genre_id": micro["id"]}}
    assert data["total"] == count(term) == micro["size"] and data["pages"] == -(-micro["size"] // PAGE_SIZE)
    ratings = [f["rating_weighted"] for f in data["films"]]  # the one weighted rating sorts, unrated last
    rated = [r for r in ratings if r is not None]
    assert len(ratings) == PAGE_SIZE and rated == sorted(rated, reverse=True) and ratings[: len(rated)] == rated
    # The taxonomy's evidence when the document has it, else derived from the keywords' counts.
    doc = get(api, f"/api/micro-genres/{micro['id']}")
    assert data["evidence"] and all(0 < e["catalogue_share"] < e["share"] <= 1 for e in data["evidence"])
    if "evidence" in doc:
        assert data["evidence"] == doc["evidence"]
    else:
        top = data["evidence"][0]
        assert top["share"] == pytest.approx(count(term, {"term": {"keywords": top["phrase"]}}) / micro["size"], abs=1e-3)
        assert top["catalogue_share"] == pytest.approx(count({"term": {"keywords": top["phrase"]}}) / count(), abs=1e-3)
    assert all(s["id"] != micro["id"] for s in data["siblings"])
    same_macro = micro_count({"term": {"macro_genre_id": micro["macro_genre_id"]}})
    assert len(data["siblings"]) == same_macro - 1
    last = get(api, f"/api/micro-genres/{micro['id']}/films?page={data['pages']}")
    assert len(last["films"]) == micro["size"] - (data["pages"] - 1) * PAGE_SIZE
    assert get(api, f"/api/micro-genres/{micro['id']}/films?page={data['pages'] + 1}", 400)["field"] == "page"
    assert get(api, f"/api/micro-genres/{micro['id']}/films?sort=cheese", 400)["field"] == "sort"
    assert api.get("/micro-genres/99999").status_code == 404


def test_why_lists_shared_keywords(api):
    data = get(api, f"/api/movies/{TOY_STORY}/why")
    movie = get(api, f"/api/movies/{TOY_STORY}")
    assert data["micro_genre"]["id"] == movie["micro_genre"]["id"]
    assert {e["phrase"] for e in data["shared"]} <= set(movie["keywords"])
    assert get(api, "/api/movies/1/why", 404)["field"] == "id"


def test_map_has_every_film_once_inside_the_unit_square(api, count):
    data = get(api, "/api/map")
    assert data["count"] == len(set(data["id"])) == count()
    xy = np.array([data["x"], data["y"]])
    assert np.abs(xy).max() <= 1.0 and xy.std(axis=1).min() > 0.1
    assert max(data["macro"]) == len(data["macros"]) - 1


def test_likes_page_and_bad_ids(api):
    page = api.get(f"/likes?ids={TOY_STORY},{MATRIX}").get_data(as_text=True)
    assert "Toy Story" in page and "The Matrix" in page and "Because you liked" in page
    assert api.get("/likes?ids=1,abc").status_code == 400
    assert "No liked films yet" in api.get("/likes").get_data(as_text=True)


def test_landing_rows_hold_their_groups_films_and_surprise_is_well_rated(api, count):
    data = get(api, "/api/landing")
    for row in data["rows"]:
        if row["kind"] == "micro":
            micro_id = int(row["href"].rsplit("/", 1)[1])
            assert all(f["micro_genre"]["id"] == micro_id for f in row["films"])
        else:
            assert all(f["macro_genre"] == row["label"] for f in row["films"])
        votes = [f["vote_count"] for f in row["films"]]
        assert votes == sorted(votes, reverse=True)
    shelves = get(api, "/api/overview")["treemap"]["children"]
    best_known = [m["name"] for m in sorted(shelves, key=lambda m: (-m["votes"], m["name"]))]
    macro_rows = [row["label"] for row in data["rows"] if row["kind"] == "macro"]
    assert macro_rows and macro_rows == best_known[: len(macro_rows)]  # the shelves fans know best, not the largest
    resp = api.get("/surprise")
    assert resp.status_code == 302 and int(resp.headers["Location"].rsplit("/", 1)[1]) in data["surprise"]
