"""One way to build the OpenSearch client, shared by indexer, web app and tests."""
from __future__ import annotations

from opensearchpy import OpenSearch


def make_client(url: str, timeout: float = 30.0) -> OpenSearch:
    """Client for ``url``; retries once on timeouts, never on bad requests."""
    return OpenSearch(hosts=[url], timeout=timeout, max_retries=1, retry_on_timeout=True, http_compress=False)
