"""Old micro-genre and macro theme ids, resolved to the live ids that succeeded them (issue 16).

A reindex may retire an id (its group merged or dissolved); the indexer records each retired id
with its nearest successor in the id registry (``settings.ids_index``). Shared links keep
working: ``/micro-genres/<old>`` redirects (301) and ``?micro_genre=<old>`` / ``?macro=<old>``
filter on the successor, and so do the Trends page's ``micro``/``cloud_micro``. Only ids the live index lacks are looked up, one ``GET`` per hop.
"""
from __future__ import annotations

from dataclasses import replace

from flask import Response, jsonify
from opensearchpy import OpenSearch
from opensearchpy.exceptions import NotFoundError

from webapp.errors import ApiError
from webapp.params import Filters

MAX_HOPS = 50  # a chain of retirements is one hop per reindex; this bounds a corrupt cycle


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


def successor(client: OpenSearch, index: str, kind: str, group_id: int) -> int | None:
    """The live id ``group_id`` now lives on as, or None when the registry holds it as not retired."""
    current = group_id
    for _ in range(MAX_HOPS):
        try:
            doc = client.get(index=index, id=f"{kind}-{current}")["_source"]
        except NotFoundError:
            break
        if doc.get("status") != "retired" or doc.get("successor") is None:
            break
        current = int(doc["successor"])
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


def current_id(client: OpenSearch, index: str, kind: str, group_id: int | None) -> int | None:
    """``group_id`` itself, or its successor when it was retired."""
    if group_id is None:
        return None
    moved = successor(client, index, kind, group_id)
    return group_id if moved is None else moved


def current_filters(client: OpenSearch, index: str, filters: Filters) -> Filters:
    """``filters`` with retired micro-genre / macro theme ids replaced by their successors."""
    return replace(filters, micro_genre=current_id(client, index, "micro", filters.micro_genre),
                   macro=current_id(client, index, "macro", filters.macro))
