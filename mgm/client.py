"""One way to build the OpenSearch client, shared by indexer, web app and tests."""

from __future__ import annotations

from typing import Any

import orjson
from opensearchpy import OpenSearch
from opensearchpy.exceptions import NotFoundError, SerializationError, TransportError
from opensearchpy.serializer import JSONSerializer

from mgm.settings import Settings

# Painless reads the k-NN field's doc values; the mapping keeps vectors out of _source.
# Trust it only in a one-hit search (see ``stored_vectors``).
VECTOR_FIELD = {"vector": {"script": {"source": "doc[params.field].value", "params": {"field": "embedding"}}}}


def connection_options(settings: Settings) -> dict:
    """Hosts, basic auth and TLS verification for ``settings``: every node of a cluster is
    listed so the client moves on when one dies; auth and a CA bundle serve managed clusters."""
    options: dict = {"hosts": settings.opensearch_hosts}
    if settings.opensearch_user:
        options["http_auth"] = (settings.opensearch_user, settings.opensearch_password)
    if any(h.startswith("https://") for h in settings.opensearch_hosts):
        options["verify_certs"] = settings.opensearch_verify_certs
        if settings.opensearch_ca_certs:
            options["ca_certs"] = str(settings.opensearch_ca_certs)
    return options


# Connections kept open per node. urllib3's default keeps one: a web worker's request threads
# beyond the first opened (and closed) a TCP connection per search under load (py-spy:
# ``create_connection`` in 3% of a worker's samples). Above any thread count we run.
POOL_MAXSIZE = 32


class OrjsonSerializer(JSONSerializer):
    """The client's JSON through orjson, both ways: a search body carries a 384-float query
    vector and a hybrid response 50 films, which the standard library encoded and decoded
    in about 0.5 ms per search (py-spy on a web worker, docs/explorer.md "Profile").
    Types orjson does not know (Decimal, pandas...) still go through the client's ``default``.
    """

    OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY

    def loads(self, s: str) -> Any:
        try:
            return orjson.loads(s)
        except orjson.JSONDecodeError as exc:
            raise SerializationError(s, exc) from None

    def dumps(self, data: Any) -> Any:
        if isinstance(data, str):  # already serialised (an ndjson bulk body): sent as is
            return data
        try:
            return orjson.dumps(data, default=self.default, option=self.OPTIONS).decode()
        except TypeError as exc:
            raise SerializationError(data, exc) from None


def make_client(settings: Settings, timeout: float = 30.0, **options: Any) -> OpenSearch:
    """Client for the configured cluster; ``options`` override the defaults below.

    A refused connection is retried (on the next node: the request never left). A timeout is
    NOT retried: the first attempt may have been applied, and a blind second ``_aliases`` or
    ``op_type=create`` would then fail and mislead the caller. Calls that must go out exactly
    once use ``without_retries``.
    """
    config: dict[str, Any] = {
        "timeout": timeout,
        "max_retries": 1,
        "retry_on_timeout": False,
        "http_compress": False,
        "serializer": OrjsonSerializer(),
        "pool_maxsize": POOL_MAXSIZE,
    }
    return OpenSearch(**connection_options(settings), **(config | options))


def without_retries(client: OpenSearch) -> OpenSearch:
    """A client over the same hosts and connection options (auth, TLS) that sends each request once.

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
    One search per id (in one ``_msearch``): with several hits in one search, the script field
    returned the same vector for most of them (measured on 2.19.1: 8 distinct vectors for 400
    films), so the vector of a one-hit search is the only one to trust.
    """
    lines: list[dict] = []
    for movie_id in ids:
        body = {"size": 1, "_source": False, "query": {"ids": {"values": [str(movie_id)]}}, "script_fields": VECTOR_FIELD}
        lines += [{"index": index}, body]
    found: dict[int, list[float]] = {}
    for resp in client.msearch(body=lines)["responses"] if ids else []:
        error = resp.get("error")
        if error:  # one failed search of the batch: raise it as the plain search would have
            kind = error.get("type", "error") if isinstance(error, dict) else str(error)
            raise (NotFoundError if kind == "index_not_found_exception" else TransportError)(resp.get("status", 500), kind, resp)
        for h in resp.get("hits", {}).get("hits", []):
            found[int(h["_id"])] = h["fields"]["vector"][0]
    return found
