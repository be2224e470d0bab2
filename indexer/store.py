"""OpenSearch I/O: build new timestamped indices, verify them, swap aliases atomically.

The web app reads only through the aliases, so a reindex is invisible until the single
``_aliases`` call that moves both ``movies`` and ``micro-genres`` together. Anything failing
before that call deletes the half-built indices and leaves the aliases where they were.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import NotFoundError, RequestError

MAPPINGS = Path(__file__).resolve().parent.parent / "opensearch" / "mappings"
CHUNK = 500


class IndexingError(RuntimeError):
    """Indexing did not produce the expected index; the aliases were left untouched."""


def mapping(name: str) -> dict:
    return json.loads((MAPPINGS / f"{name}.json").read_text())


def build_index(client: OpenSearch, index: str, body: dict, docs: Iterable[dict], progress=None) -> int:
    """Create ``index``, bulk-load ``docs`` (``_id`` = doc["id"]), refresh, return the count.

    Raises ``IndexingError`` on the first rejected document or a count mismatch.
    """
    client.indices.create(index=index, body=body)
    sent = 0
    actions = ({"_index": index, "_id": str(d["id"]), "_source": d} for d in docs)
    for ok, item in helpers.streaming_bulk(client, actions, chunk_size=CHUNK, raise_on_error=False, max_retries=2):
        if not ok:
            error = item.get("index", {}).get("error", item)
            reason = error.get("reason", error) if isinstance(error, dict) else error
            raise IndexingError(f"document rejected by {index}: {reason}")
        sent += 1
        if progress:
            progress(1)
    client.indices.refresh(index=index)
    count = client.count(index=index)["count"]
    if count != sent:
        raise IndexingError(f"{index} holds {count} documents, expected {sent}")
    return count


def alias_targets(client: OpenSearch, alias: str) -> list[str]:
    try:
        return sorted(client.indices.get_alias(name=alias))
    except NotFoundError:
        return []


def swap_aliases(client: OpenSearch, new: dict[str, str]) -> dict[str, list[str]]:
    """Point each alias at its new index in ONE ``_aliases`` call; return the previous targets."""
    previous = {alias: alias_targets(client, alias) for alias in new}
    actions = [{"remove": {"index": old, "alias": alias}} for alias, olds in previous.items() for old in olds]
    actions += [{"add": {"index": index, "alias": alias}} for alias, index in new.items()]
    client.indices.update_aliases(body={"actions": actions})
    return previous


def prune(client: OpenSearch, alias: str, keep: set[str]) -> list[str]:
    """Delete ``<alias>-*`` indices except ``keep`` (the new one and the one it replaced)."""
    existing = client.indices.get(index=f"{alias}-*", ignore_unavailable=True, allow_no_indices=True)
    doomed = sorted(name for name in existing if name not in keep and not existing[name].get("aliases"))
    for name in doomed:
        client.indices.delete(index=name, ignore_unavailable=True)
    return doomed


def publish(client: OpenSearch, plan: dict[str, tuple[str, dict, Iterable[dict]]], progress=None) -> dict:
    """Build every ``alias -> (index, body, docs)``, then swap all aliases at once, then prune.

    On any failure the new indices are deleted and the exception propagates.
    """
    built: list[str] = []
    counts: dict[str, int] = {}
    try:
        for alias, (index, body, docs) in plan.items():
            built.append(index)
            counts[alias] = build_index(client, index, body, docs, progress)
        previous = swap_aliases(client, {alias: index for alias, (index, _, _) in plan.items()})
    except BaseException:
        for index in built:
            client.indices.delete(index=index, ignore_unavailable=True)
        raise
    pruned = []
    for alias, (index, _, _) in plan.items():
        pruned += prune(client, alias, keep={index, *previous[alias]})
    return {"counts": counts, "previous": previous, "pruned": pruned}


def ensure_index(client: OpenSearch, index: str, body: dict) -> None:
    """Create ``index`` unless it exists (a concurrent creator is not an error)."""
    if not client.indices.exists(index=index):
        try:
            client.indices.create(index=index, body=body)
        except RequestError as exc:
            if "resource_already_exists" not in str(exc):
                raise


def write_run(client: OpenSearch, runs_index: str, report: dict) -> None:
    """Store the run report (created from runs.json on first use); failed runs are recorded too."""
    ensure_index(client, runs_index, mapping("runs"))
    client.index(index=runs_index, id=report["run_id"], body=report, refresh=True)


def last_run(client: OpenSearch, runs_index: str) -> dict | None:
    if not client.indices.exists(index=runs_index):
        return None
    hits = client.search(index=runs_index, body={"size": 1, "sort": [{"started_at": "desc"}]})["hits"]["hits"]
    return hits[0]["_source"] if hits else None
