"""One way to build the OpenSearch client, shared by indexer, web app and tests."""
from __future__ import annotations

from typing import Any

from opensearchpy import OpenSearch

# Painless reads the k-NN field's doc values; the mapping keeps vectors out of _source.
_VECTOR_SCRIPT = {"source": "doc[params.field].value", "params": {"field": "embedding"}}


def make_client(url: str, timeout: float = 30.0, **options: Any) -> OpenSearch:
    """Client for ``url``; ``options`` are passed on to ``OpenSearch`` (and override the defaults).

    A refused connection is retried once (the request never left). A timeout is NOT retried:
    the first attempt may have been applied, and a blind second ``_aliases`` or
    ``op_type=create`` would then fail and mislead the caller. Calls that must go out exactly
    once use ``without_retries``.
    """
    config: dict[str, Any] = {"timeout": timeout, "max_retries": 1, "retry_on_timeout": False, "http_compress": False}
    return OpenSearch(hosts=[url], **(config | options))


def without_retries(client: OpenSearch) -> OpenSearch:
    """A client over the same hosts and connection options that sends each request once.

    For non-idempotent calls (alias swap, index creation): after any failure the caller
    reads the cluster's state to learn whether the call was applied, instead of repeating it.
    """
    transport = client.transport
    return OpenSearch(hosts=transport.hosts, max_retries=0, retry_on_timeout=False, **transport.kwargs)


def stored_vectors(client: OpenSearch, index: str, ids: list[int]) -> dict[int, list[float]]:
    """The indexed embedding of each movie in ``ids`` that exists (missing ids are absent).

    The movies mapping excludes ``embedding`` from ``_source``: every search would otherwise
    load and parse 384 floats per fetched hit (hybrid search fetches its whole ranked window),
    which measured as half of a hybrid query's time. The vector stays readable from the
    k-NN field's doc values through a script field, which only "similar" and "recommend" need.
    """
    body = {
        "size": len(ids),
        "_source": False,
        "query": {"ids": {"values": [str(i) for i in ids]}},
        "script_fields": {"vector": {"script": _VECTOR_SCRIPT}},
    }
    hits = client.search(index=index, body=body)["hits"]["hits"]
    return {int(h["_id"]): h["fields"]["vector"][0] for h in hits}
