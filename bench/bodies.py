"""The hybrid request bodies the app sends, prepared outside the app for the raw baselines.

Built with the app's own builders (``webapp.api.params``, ``webapp.explore.search``) and its own query
encoder, so the raw OpenSearch figures measure exactly what the web app asks for.
"""

from __future__ import annotations

from typing import Any

from mgm.query_encoder import QueryEncoder, ensure_export
from mgm.settings import Settings
from webapp.api.params import parse_search
from webapp.explore import search
from webapp.explore.views import HYBRID_PIPELINE

BATCH = 64


def hybrid_requests(settings: Settings, queries: list[str], size: int = 20) -> list[tuple[dict[str, Any], dict[str, str]]]:
    """(body, query-string params) per query text, vectors encoded in batches up front."""
    encoder = QueryEncoder(ensure_export(settings), threads=2)
    out = []
    for start in range(0, len(queries), BATCH):
        chunk = queries[start : start + BATCH]
        for q, vector in zip(chunk, encoder.encode(chunk)):
            params = parse_search({"q": q, "mode": "hybrid", "size": str(size)})
            out.append((search.search_body(params, vector.tolist()), {"search_pipeline": HYBRID_PIPELINE}))
    return out
