"""The Dashboards saved objects and the documented DQL queries against the index mappings.

Names are checked against opensearch/mappings/*.json; then the visualizations' aggregations,
the saved search's sort and the example queries run on a real OpenSearch index created from
those mappings, so a field of the wrong kind (terms on a text field, a histogram on a keyword)
fails here rather than in an analyst's browser.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest

from mgm.dashboards import DEFAULT_DIR, read_objects, saved_object_files
from mgm.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
MAPPING_FILES = {Settings.index_alias: "movies.json", Settings.micro_alias: "micro_genres.json"}
NUMBER_TYPES = {"integer", "long", "float", "double", "short", "byte", "half_float", "scaled_float"}
# A DQL field reference: `field:` or `field >= 3` (values and keywords `and/or/not` are not).
DQL_FIELD = re.compile(r"([A-Za-z_][\w.]*)\s*(?::|>=|<=|>|<)")


def load_mapping(alias: str) -> dict:
    return json.loads((ROOT / "opensearch" / "mappings" / MAPPING_FILES[alias]).read_text())


def mapped_fields(mapping: dict) -> dict[str, dict]:
    """Every field Dashboards can list: properties and their multi-fields, name -> mapping."""
    fields = {}
    for name, prop in mapping["mappings"]["properties"].items():
        fields[name] = prop
        for sub, subprop in prop.get("fields", {}).items():
            fields[f"{name}.{sub}"] = subprop
    return fields


@pytest.fixture(scope="module")
def objects() -> dict[tuple[str, str], dict]:
    return {(o["type"], o["id"]): o for path in saved_object_files(DEFAULT_DIR) for o in read_objects(path)}


def of_type(objects: dict, kind: str) -> list[dict]:
    return [o for (t, _), o in objects.items() if t == kind]


def pattern_alias(objects: dict, obj: dict) -> str:
    """The alias (index pattern title) a visualization or search reads."""
    (ref,) = [r for r in obj["references"] if r["type"] == "index-pattern"]
    return objects[("index-pattern", ref["id"])]["attributes"]["title"]


def search_source(obj: dict) -> dict:
    return json.loads(obj["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])


def vis_state(obj: dict) -> dict:
    return json.loads(obj["attributes"]["visState"])


def docs_queries() -> list[tuple[str, str]]:
    """(index pattern, DQL) rows of the table in docs/deploy.md's query section."""
    text = (ROOT / "docs" / "deploy.md").read_text()
    section = text.split("## Query the index in OpenSearch Dashboards", 1)[1]
    return re.findall(r"^\| \d+ \| ([\w-]+) \| `([^`]+)` \|", section, re.MULTILINE)


# --- names -----------------------------------------------------------------------------------


def test_index_patterns_list_exactly_the_mapped_fields(objects):
    patterns = of_type(objects, "index-pattern")
    assert sorted(p["attributes"]["title"] for p in patterns) == sorted(MAPPING_FILES)
    for pattern in patterns:
        mapping = mapped_fields(load_mapping(pattern["attributes"]["title"]))
        listed = {f["name"]: f for f in json.loads(pattern["attributes"]["fields"]) if not f["name"].startswith("_")}
        # Vectors and unindexed objects are no use in Discover or a chart; everything else is listed.
        hidden = {n for n, p in mapping.items() if p.get("type") == "knn_vector" or p.get("enabled") is False}
        assert set(listed) == set(mapping) - hidden
        for name, spec in listed.items():
            es_type = mapping[name]["type"]
            assert spec["esTypes"] == [es_type], name
            expected = "number" if es_type in NUMBER_TYPES else "date" if es_type == "date" else "string"
            assert spec["type"] == expected, name
            assert spec["aggregatable"] == (es_type not in ("text", "search_as_you_type", "completion")), name
        source_filters = {f["value"] for f in json.loads(pattern["attributes"]["sourceFilters"])}
        assert {n for n in hidden if mapping[n].get("type") == "knn_vector"} <= source_filters


def test_every_field_the_saved_objects_use_is_mapped(objects):
    used: list[tuple[str, str]] = []  # (alias, field)
    for vis in of_type(objects, "visualization"):
        alias = pattern_alias(objects, vis)
        used += [(alias, agg["params"]["field"]) for agg in vis_state(vis)["aggs"] if "field" in agg["params"]]
        used += [(alias, f) for f in DQL_FIELD.findall(search_source(vis)["query"]["query"])]
    for search in of_type(objects, "search"):
        alias = pattern_alias(objects, search)
        used += [(alias, f) for f in search["attributes"]["columns"]]
        used += [(alias, field) for field, _ in search["attributes"]["sort"]]
        used += [(alias, f) for f in DQL_FIELD.findall(search_source(search)["query"]["query"])]
    for pattern in of_type(objects, "index-pattern"):
        used += [(pattern["attributes"]["title"], f) for f in json.loads(pattern["attributes"].get("fieldFormatMap", "{}"))]
    assert len(used) >= 15
    unmapped = [(a, f) for a, f in used if f not in mapped_fields(load_mapping(a))]
    assert unmapped == []


def test_the_visualizations_are_the_ones_the_issue_asks_for(objects):
    by_title = {v["attributes"]["title"]: vis_state(v) for v in of_type(objects, "visualization")}
    aggs = {title: [(a["type"], a["schema"], a["params"].get("field")) for a in s["aggs"]] for title, s in by_title.items()}
    assert ("terms", "segment", "micro_genre") in aggs["Movies per micro-genre"]
    assert aggs["Releases per year by macro theme"][1:] == [("histogram", "segment", "year"), ("terms", "group", "macro_genre")]
    assert ("histogram", "segment", "vote_average") in aggs["Rating histogram"]
    (search,) = of_type(objects, "search")
    assert pattern_alias(objects, search) == Settings.micro_alias
    assert search["attributes"]["sort"] == [["weighted_rating", "desc"]]


def test_references_resolve_in_import_order(objects):
    """What Dashboards checks at import: each reference names an object already imported
    (an earlier file) or in the same file; panels and searches name their references."""
    seen: set[tuple[str, str]] = set()
    for path in saved_object_files(DEFAULT_DIR):
        batch = read_objects(path)
        seen |= {(o["type"], o["id"]) for o in batch}
        for obj in batch:
            names = {r["name"] for r in obj["references"]}
            assert {(r["type"], r["id"]) for r in obj["references"]} <= seen, (path.name, obj["id"])
            if "kibanaSavedObjectMeta" in obj["attributes"] and obj["type"] != "dashboard":
                assert search_source(obj)["indexRefName"] in names
            if obj["type"] == "dashboard":
                panels = json.loads(obj["attributes"]["panelsJSON"])
                assert {p["panelRefName"] for p in panels} == names
                assert {r["type"] for r in obj["references"]} == {"visualization", "search"}
    dashboards = of_type(objects, "dashboard")
    assert len(dashboards) == 1
    panel_ids = {r["id"] for r in dashboards[0]["references"]}
    assert panel_ids == {o["id"] for o in of_type(objects, "visualization") + of_type(objects, "search")}


def test_docs_give_five_queries_on_mapped_fields():
    queries = docs_queries()
    assert len(queries) == 5
    for alias, query in queries:
        fields = DQL_FIELD.findall(query)
        assert fields, query
        assert set(fields) <= set(mapped_fields(load_mapping(alias))), query


# --- behaviour on a real OpenSearch ------------------------------------------------------------

MOVIES = [
    {
        "id": 1,
        "title": "Orbit",
        "genres": ["Science Fiction", "Drama"],
        "keywords": ["space travel"],
        "year": 2014,
        "micro_genre": "stranded astronaut survival",
        "micro_genre_keywords": ["astronaut", "survival"],
        "macro_genre": "Space and science",
        "vote_average": 8.1,
        "vote_count": 900,
        "original_language": "en",
        "runtime": 169,
    },
    {
        "id": 2,
        "title": "Loop",
        "genres": ["Adventure", "Comedy"],
        "keywords": ["time travel"],
        "year": 1985,
        "micro_genre": "time travel comedy",
        "micro_genre_keywords": ["time machine"],
        "macro_genre": "Space and science",
        "vote_average": 7.5,
        "vote_count": 5000,
        "original_language": "en",
        "runtime": 116,
    },
    {
        "id": 3,
        "title": "Le Casse",
        "genres": ["Crime", "Thriller"],
        "keywords": ["bank"],
        "year": 1999,
        "micro_genre": "heist crew",
        "micro_genre_keywords": ["heist", "vault"],
        "macro_genre": "Crime",
        "vote_average": 6.5,
        "vote_count": 40,
        "original_language": "fr",
        "runtime": 130,
    },
    {
        "id": 4,
        "title": "Zéro",
        "genres": ["Comedy"],
        "keywords": [],
        "year": 2014,
        "micro_genre": "stranded astronaut survival",
        "micro_genre_keywords": ["astronaut"],
        "macro_genre": "Space and science",
        "vote_average": 0.0,
        "vote_count": 0,
        "original_language": "fr",
        "runtime": 125,
    },
]
MICRO_GENRES = [
    {
        "id": 1,
        "label": "heist crew",
        "size": 25,
        "weighted_rating": 7.4,
        "mean_rating": 7.6,
        "macro_genre": "Crime",
        "top_genres": ["Drama", "Crime"],
        "keywords": ["heist"],
        "year_min": 1960,
        "year_max": 2015,
    },
    {
        "id": 2,
        "label": "chamber drama",
        "size": 8,
        "weighted_rating": 7.9,
        "mean_rating": 8.3,
        "macro_genre": "Drama",
        "top_genres": ["Drama"],
        "keywords": ["family"],
        "year_min": 1990,
        "year_max": 2010,
    },
    {
        "id": 3,
        "label": "teen comedy",
        "size": 40,
        "weighted_rating": 6.1,
        "mean_rating": 6.0,
        "macro_genre": "Comedy",
        "top_genres": ["Comedy"],
        "keywords": ["school"],
        "year_min": 1980,
        "year_max": 2016,
    },
]
# The ids each documented query (in table order) must find in the documents above.
EXPECTED_HITS = [{"1"}, {"2"}, {"3"}, {"3"}, {"1"}]


@pytest.fixture(scope="module")
def indices(os_client):
    """alias -> a real index made from that alias's mapping, holding the documents above."""
    prefix = f"test-deploy-{uuid.uuid4().hex[:8]}"
    names = {}
    for alias, docs in ((Settings.index_alias, MOVIES), (Settings.micro_alias, MICRO_GENRES)):
        name = f"{prefix}-{alias}"
        os_client.indices.create(index=name, body=load_mapping(alias))
        for doc in docs:
            os_client.index(index=name, id=str(doc["id"]), body=doc)
        os_client.indices.refresh(index=name)
        names[alias] = name
    yield names
    os_client.indices.delete(index=f"{prefix}-*", ignore_unavailable=True)


def dql_to_query_string(dql: str) -> dict:
    """The DQL subset used here (field:value, field >= n, and/or/not) as a query_string query."""
    lucene = re.sub(r"([\w.]+)\s*(>=|<=|>|<)\s*([\d.]+)", r"\1:\2\3", dql)
    lucene = re.sub(r"\b(and|or|not)\b", lambda m: m.group(1).upper(), lucene)
    return {"query_string": {"query": lucene, "default_operator": "AND"}}


def bucket_aggs(aggs: list[dict]) -> dict:
    """A visualization's bucket aggregations, nested in order, as Dashboards requests them."""
    request: dict = {}
    for agg in reversed([a for a in aggs if a["schema"] != "metric"]):
        params = agg["params"]
        if agg["type"] == "terms":
            body = {"terms": {"field": params["field"], "size": params["size"], "order": {"_count": params["order"]}}}
        else:
            body = {"histogram": {"field": params["field"], "interval": params["interval"], "min_doc_count": 1}}
        if request:
            body["aggs"] = request
        request = {agg["id"]: body}
    return request


def test_visualizations_aggregate_on_real_opensearch(objects, indices, os_client):
    results = {}
    for vis in of_type(objects, "visualization"):
        state = vis_state(vis)
        query = search_source(vis)["query"]["query"]
        body = {"size": 0, "aggs": bucket_aggs(state["aggs"]), "query": dql_to_query_string(query) if query else {"match_all": {}}}
        results[state["title"]] = os_client.search(index=indices[pattern_alias(objects, vis)], body=body)["aggregations"]["2"]
    top = results["Movies per micro-genre"]["buckets"][0]
    assert (top["key"], top["doc_count"]) == ("stranded astronaut survival", 2)
    by_year = {b["key"]: {g["key"]: g["doc_count"] for g in b["3"]["buckets"]} for b in results["Releases per year by macro theme"]["buckets"]}
    assert by_year[2014.0] == {"Space and science": 2} and by_year[1999.0] == {"Crime": 1}
    ratings = {b["key"]: b["doc_count"] for b in results["Rating histogram"]["buckets"]}
    assert ratings == {6.5: 1, 7.5: 1, 8.0: 1}  # the movie with 0 votes is left out


def test_saved_search_sorts_micro_genres_on_real_opensearch(objects, indices, os_client):
    (search,) = of_type(objects, "search")
    sort = [{field: {"order": order}} for field, order in search["attributes"]["sort"]]
    hits = os_client.search(index=indices[Settings.micro_alias], body={"sort": sort, "_source": search["attributes"]["columns"]})
    assert [h["_source"]["label"] for h in hits["hits"]["hits"]] == ["chamber drama", "heist crew", "teen comedy"]
    assert set(search["attributes"]["columns"]) <= set(hits["hits"]["hits"][0]["_source"])


def test_documented_queries_find_what_they_say_on_real_opensearch(indices, os_client):
    for (alias, dql), expected in zip(docs_queries(), EXPECTED_HITS, strict=True):
        hits = os_client.search(index=indices[alias], body={"query": dql_to_query_string(dql)})["hits"]["hits"]
        assert {h["_id"] for h in hits} == expected, dql
