"""``webapp.api.msearch``: what a page or API answers when OpenSearch rejects one search of an
``_msearch`` (which itself answers 200), on a real OpenSearch."""

from __future__ import annotations

import pytest

from webapp.api.errors import INDEX_MISSING, ApiError
from webapp.api.msearch import msearch


@pytest.fixture
def films(os_client, scratch_index):
    os_client.indices.create(index=scratch_index, body={"mappings": {"properties": {"year": {"type": "integer"}}}})
    os_client.index(index=scratch_index, id="1", body={"year": 1999}, refresh=True)
    return scratch_index


def test_every_answer_in_order(os_client, films):
    every, none = msearch(os_client, [(films, {"query": {"match_all": {}}}), (films, {"query": {"term": {"year": 2001}}})], "a test")
    assert every["hits"]["total"]["value"] == 1 and none["hits"]["total"]["value"] == 0


def test_a_rejected_search_is_a_502_naming_the_reason(os_client, films):
    bad = {"query": {"range": {"year": {"gte": "not a year"}}}}
    with pytest.raises(ApiError) as caught:
        msearch(os_client, [(films, {"query": {"match_all": {}}}), (films, bad)], "a test query")
    assert caught.value.status == 502
    assert caught.value.message.startswith("search backend rejected a test query (") and "exception" in caught.value.message


def test_a_missing_index_is_the_reindex_503(os_client, films):
    with pytest.raises(ApiError) as caught:
        msearch(os_client, [(films, {}), (f"{films}-gone", {})], "a test query")
    assert (caught.value.status, caught.value.message) == (503, INDEX_MISSING)


def test_ignore_unavailable_answers_a_missing_index_empty(os_client, films):
    (resp,) = msearch(os_client, [(f"{films}-gone", {})], "a test query", ignore_unavailable=True)
    assert resp["hits"]["hits"] == []
