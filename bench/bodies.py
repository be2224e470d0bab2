"""The hybrid request bodies the app sends, prepared outside the app for the raw baselines.

Built with the app's own builders (``webapp.api.params``, ``webapp.explore.search``) and its own query
encoder, so the raw OpenSearch figures measure exactly what the web app asks for. A hybrid
search is one ``_msearch`` of its two sides (``webapp.explore.fusion``).
"""

from __future__ import annotations

import json
from typing import Any

from mgm.query_encoder import load_query_encoder
from mgm.settings import Settings
from webapp.api.msearch import msearch_lines
from webapp.api.params import parse_search
from webapp.explore import fusion, search


def hybrid_requests(settings: Settings, queries: list[str], size: int = 20) -> list[dict[str, Any]]:
    """The app's hybrid ``_search``-shaped body per query text, each vector encoded up front as the app encodes it."""
    encoder = load_query_encoder(settings)
    return [search.search_body(parse_search({"q": q, "mode": "hybrid", "size": str(size)}), encoder.encode_one(q).tolist()) for q in queries]


def msearch_payload(index: str, body: dict[str, Any]) -> str:
    """``body`` as the app sends it: the NDJSON of one ``_msearch`` of its two sides."""
    return "".join(json.dumps(line) + "\n" for line in msearch_lines([(index, part) for part in fusion.parts(body)]))
