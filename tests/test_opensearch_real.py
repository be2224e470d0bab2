"""The server under test is a real OpenSearch with the k-NN plugin (foundation checks)."""

from __future__ import annotations

import json

import numpy as np
from opensearchpy import helpers

from mgm.settings import PROJECT_ROOT


def test_knn_plugin_installed(os_client):
    names = {row["component"] for row in os_client.cat.plugins(format="json")}
    assert "opensearch-knn" in names
    assert "opensearch-neural-search" in names


def test_knn_nearest_first_and_terms_agg(os_client, scratch_index):
    os_client.indices.create(
        index=scratch_index,
        body={
            "settings": {"index": {"knn": True, "number_of_shards": 1, "number_of_replicas": 0}},
            "mappings": {
                "properties": {
                    "vec": {
                        "type": "knn_vector",
                        "dimension": 384,
                        "method": {"name": "hnsw", "engine": "lucene", "space_type": "cosinesimil"},
                    },
                    "tag": {"type": "keyword"},
                }
            },
        },
    )
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(30, 384))
    tags = ["a"] * 17 + ["b"] * 9 + ["c"] * 4
    helpers.bulk(
        os_client,
        ({"_index": scratch_index, "_id": str(i), "vec": v.tolist(), "tag": t} for i, (v, t) in enumerate(zip(vectors, tags))),
        refresh=True,
    )
    query = vectors[12] + rng.normal(scale=0.05, size=384)  # a slightly moved copy of doc 12
    hits = os_client.search(index=scratch_index, body={"size": 3, "query": {"knn": {"vec": {"vector": query.tolist(), "k": 3}}}})["hits"]["hits"]
    assert hits[0]["_id"] == "12"

    aggs = os_client.search(index=scratch_index, body={"size": 0, "aggs": {"t": {"terms": {"field": "tag"}}}})
    counts = {b["key"]: b["doc_count"] for b in aggs["aggregations"]["t"]["buckets"]}
    assert counts == {"a": 17, "b": 9, "c": 4}


def test_project_mappings_are_accepted(os_client, scratch_index):
    """Each mapping in opensearch/mappings creates an index on the real server."""
    for path in sorted((PROJECT_ROOT / "opensearch" / "mappings").glob("*.json")):
        name = f"{scratch_index}-{path.stem.replace('_', '-')}"
        os_client.indices.create(index=name, body=json.loads(path.read_text()))
        assert os_client.indices.exists(index=name)
