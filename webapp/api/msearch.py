"""Several searches in one ``_msearch`` round trip, with one rule for a search it rejects.

``_msearch`` answers 200 even when some of its searches failed: each failure is an ``error``
object in its slot. Every caller must look, and all look the same way: a missing index is the
503 "run `make reindex`" (an alias removed between resolving it and searching), anything else
a 502 naming OpenSearch's reason, logged with the full error, never a trace.
"""

from __future__ import annotations

import logging

from opensearchpy import OpenSearch

from webapp.api.errors import ApiError, index_missing

log = logging.getLogger(__name__)


def msearch_lines(searches: list[tuple[str, dict]], **header) -> list[dict]:
    """``(index, body)`` pairs as ``_msearch`` header/body lines (``header``: e.g. ``request_cache``)."""
    lines: list[dict] = []
    for index, body in searches:
        lines += [{"index": index, **header}, body]
    return lines


def msearch(client: OpenSearch, searches: list[tuple[str, dict]], what: str, **header) -> list[dict]:
    """The responses of ``searches`` in order; ``what`` names them in the error ("an aggregation")."""
    responses = client.msearch(body=msearch_lines(searches, **header))["responses"]
    for resp in responses:
        if "error" in resp:
            error = resp["error"]
            reason = error.get("type", "error") if isinstance(error, dict) else str(error)
            if reason == "index_not_found_exception":
                raise index_missing()
            log.error("%s rejected: %s", what, error)
            raise ApiError(f"search backend rejected {what} ({reason})", status=502)
    return responses
