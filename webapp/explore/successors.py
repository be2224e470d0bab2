"""Old micro-genre and macro theme ids, resolved to the live ids that succeeded them (issue 16).

A reindex may retire an id (its group merged or dissolved); the indexer records each retired id
with its nearest successor in the id registry (``settings.ids_index``). Shared links keep
working: ``/micro-genres/<old>`` redirects (301) and ``?micro_genre=<old>`` / ``?macro=<old>``
filter on the successor, and so do the Trends page's ``micro``/``cloud_micro``.

The registry's retired ids are read with one search, at most once per request (``retired_ids``,
memoised on Flask's ``g``), however many ids the request names and however long their chains
(``/trends`` named up to 11 ids, one ``GET`` per id and hop). Nothing outlives the request, so a
reindex (which records its retirements after the alias swap) is seen by the next request.
"""

from __future__ import annotations

from dataclasses import replace
from typing import overload

from flask import Response, g, has_request_context, jsonify
from opensearchpy import OpenSearch, helpers

from webapp.api.errors import ApiError
from webapp.api.params import Filters

MAX_HOPS = 50  # a chain of retirements is one hop per reindex; this bounds a corrupt cycle
RETIRED_PAGE = 10_000  # retired ids read in one search; beyond (thousands of reindexes), a scroll


class Moved(Exception):
    """A retired micro-genre id: the pages answer 301 to its successor."""

    def __init__(self, old: int, new: int):
        super().__init__(f"micro-genre {old} was merged into micro-genre {new} by a reindex")
        self.old, self.new = old, new

    def page(self) -> str:
        return f"/micro-genres/{self.new}?moved_from={self.old}"

    @staticmethod
    def note(moved_from: str) -> str | None:
        """The page's note for ``?moved_from=``."""
        return f"Micro-genre #{moved_from} was merged into this one by a reindex." if moved_from.isdigit() else None


def retired_ids(client: OpenSearch, index: str) -> dict[tuple[str, int], int]:
    """Every retired ``(kind, id)`` in the registry with its successor: one search, read at most
    once per request (a missing registry is an empty one)."""
    memo: dict[str, dict[tuple[str, int], int]] = g.setdefault("retired_ids", {}) if has_request_context() else {}
    if index not in memo:
        memo[index] = _read_retired(client, index)
    return memo[index]


def _read_retired(client: OpenSearch, index: str) -> dict[tuple[str, int], int]:
    query = {"term": {"status": "retired"}}
    fields = ["kind", "id", "successor"]
    hits = client.search(index=index, body={"size": RETIRED_PAGE, "query": query, "_source": fields}, ignore_unavailable=True)["hits"]["hits"]
    if len(hits) >= RETIRED_PAGE:
        hits = list(helpers.scan(client, index=index, query={"query": query, "_source": fields}))
    return {
        (h["_source"]["kind"], int(h["_source"]["id"])): int(h["_source"]["successor"]) for h in hits if h["_source"].get("successor") is not None
    }


def successor(client: OpenSearch, index: str, kind: str, group_id: int) -> int | None:
    """The live id ``group_id`` now lives on as, or None when the registry holds it as not retired."""
    retired = retired_ids(client, index)
    current = group_id
    for _ in range(MAX_HOPS):
        following = retired.get((kind, current))
        if following is None:
            break
        current = following
    return current if current != group_id else None


def missing_micro(client: OpenSearch, index: str, micro_id: int) -> Exception:
    """What to raise for a micro-genre id the live index lacks: ``Moved`` if retired, else a 404."""
    moved = successor(client, index, "micro", micro_id)
    if moved is not None:
        return Moved(micro_id, moved)
    return ApiError(f"no micro-genre with id {micro_id}", field="id", status=404)


def moved_json(moved: Moved, location: str) -> Response:
    """The JSON API's 301 for a retired micro-genre: where it went, and why."""
    response = jsonify({"moved_to": moved.new, "note": str(moved)})
    response.status_code, response.headers["Location"] = 301, location
    return response


@overload
def current_id(client: OpenSearch, index: str, kind: str, group_id: int) -> int: ...
@overload
def current_id(client: OpenSearch, index: str, kind: str, group_id: int | None) -> int | None: ...
def current_id(client: OpenSearch, index: str, kind: str, group_id: int | None) -> int | None:
    """``group_id`` itself, or its successor when it was retired."""
    if group_id is None:
        return None
    moved = successor(client, index, kind, group_id)
    return group_id if moved is None else moved


def current_filters(client: OpenSearch, index: str, filters: Filters) -> Filters:
    """``filters`` with retired micro-genre / macro theme ids replaced by their successors."""
    return replace(
        filters, micro_genre=current_id(client, index, "micro", filters.micro_genre), macro=current_id(client, index, "macro", filters.macro)
    )
