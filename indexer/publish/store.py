"""OpenSearch I/O: build new timestamped indices, verify them, swap aliases atomically.

The web app reads only through the aliases, so a reindex is invisible until the single
``_aliases`` call that moves both ``movies`` and ``micro-genres`` together. Anything failing
before that call deletes the half-built indices and leaves the aliases where they were.

The swap is the one call whose outcome matters most and is least safe to repeat, so it is
sent exactly once (``without_retries``) and guarded: each ``remove`` names the index the
alias pointed to when the swap was planned, with ``must_exist``, so if anything moved the
alias in between the whole call fails and changes nothing. After any failure the aliases
are read back before anything is deleted: an index an alias points to is never deleted.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import NotFoundError, OpenSearchException, RequestError

from mgm.client import without_retries

MAPPINGS = Path(__file__).resolve().parents[2] / "opensearch" / "mappings"
CHUNK = 500
log = logging.getLogger(__name__)


class IndexingError(RuntimeError):
    """Indexing did not produce the expected index; the aliases were left untouched."""


class SwapError(RuntimeError):
    """The alias swap was not applied; the aliases still serve what they served before."""


def mapping(name: str) -> dict:
    return json.loads((MAPPINGS / f"{name}.json").read_text())


REPLICA_WAIT = "60s"  # bounded: a single node never assigns a replica
MERGE_TIMEOUT_S = 900  # a forced merge rebuilds each shard's HNSW graph: minutes at 100k films


def build_index(client: OpenSearch, index: str, body: dict, docs: Iterable[dict], progress=None) -> int:
    """Create ``index``, bulk-load ``docs`` (``_id`` = doc["id"]), refresh, return the count.

    Raises ``IndexingError`` on the first rejected document or a count mismatch. Bulk
    retries are safe (each document has its own ``_id``); the create is sent once.

    The index is read far more than it is written (only ``indexer add`` writes to it before the
    next reindex), so it is built for reading: no refresh during the load (a refresh a second made 4 segments of the movies), then
    one segment per shard, so a search walks one HNSW graph and one term dictionary per
    shard. Measured against the 4-segment index: OpenSearch CPU per hybrid search 10.1 ->
    8.4 ms, keyword 4.7 -> 3.5 ms, for about 3.6 s of merging in a reindex.
    """
    loading = copy.deepcopy(body)
    settings = loading.setdefault("settings", {}).setdefault("index", {})
    restore = {"refresh_interval": settings.get("refresh_interval", "1s"), "number_of_replicas": settings.get("number_of_replicas", 0)}
    # Bulk settings: no refresh and no replica during the load (each replica would index every
    # document again); both are restored once the index is merged.
    settings.update(refresh_interval="-1", number_of_replicas=0)
    without_retries(client).indices.create(index=index, body=loading)
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
    client.indices.forcemerge(index=index, max_num_segments=1, request_timeout=MERGE_TIMEOUT_S)
    client.indices.put_settings(index=index, body={"index": restore})
    if int(restore["number_of_replicas"]):  # the replicas copy the merged segments: wait, so a node may fail right after
        client.cluster.health(index=index, wait_for_status="green", timeout=REPLICA_WAIT, request_timeout=120, ignore=408)
    count = client.count(index=index)["count"]
    if count != sent:
        raise IndexingError(f"{index} holds {count} documents, expected {sent}")
    return count


def field_paths(properties: dict, prefix: str = "") -> set[str]:
    """Every field of a mapping's ``properties``, subfields included ("title.trigram")."""
    paths: set[str] = set()
    for name, spec in properties.items():
        path = f"{prefix}{name}"
        paths.add(path)
        paths |= field_paths(spec.get("properties", {}), f"{path}.")
        paths |= field_paths(spec.get("fields", {}), f"{path}.")
    return paths


def missing_fields(client: OpenSearch, alias: str, name: str) -> list[str]:
    """Fields of mapping file ``name`` that the index behind ``alias`` lacks.

    A query on a field the live index lacks matches nothing, silently: after an upgrade
    that adds one (say ``title.trigram``), ``indexer ensure`` rebuilds instead of serving
    a search that quietly lost a feature.
    """
    wanted = field_paths(mapping(name)["mappings"]["properties"])
    live: set[str] = set()
    for index in client.indices.get_mapping(index=alias).values():  # every index behind the alias, one request
        live |= field_paths(index["mappings"].get("properties", {}))
    return sorted(wanted - live)


def alias_targets(client: OpenSearch, alias: str) -> list[str]:
    try:
        return sorted(client.indices.get_alias(name=alias))
    except NotFoundError:
        return []


def _targets(client: OpenSearch, aliases: Iterable[str]) -> dict[str, list[str]]:
    return {alias: alias_targets(client, alias) for alias in aliases}


def swap_aliases(client: OpenSearch, new: dict[str, str], previous: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """Point each alias at its new index in ONE ``_aliases`` call; return the previous targets.

    Idempotent: if the aliases already point at ``new`` nothing is sent. ``previous`` (what
    the caller saw) makes the call a compare-and-set; after a failure (a timeout whose
    request was applied, say) the aliases are read back and decide the outcome.
    """
    wanted = {alias: [index] for alias, index in new.items()}
    if previous is None:
        previous = _targets(client, new)
    if previous == wanted:
        return previous
    actions = [
        {"remove": {"index": old, "alias": alias, "must_exist": True}} for alias, olds in previous.items() for old in olds if old != new[alias]
    ]
    actions += [{"add": {"index": index, "alias": alias}} for alias, index in new.items()]
    try:
        without_retries(client).indices.update_aliases(body={"actions": actions})
    except OpenSearchException as exc:
        if _targets(client, new) == wanted:  # applied, only the answer was lost
            log.warning("alias swap answered %s but was applied", type(exc).__name__)
            return previous
        raise SwapError(f"alias swap not applied ({type(exc).__name__}: {exc}); aliases unchanged") from exc
    return previous


def discard_unaliased(client: OpenSearch, indices: Iterable[str]) -> list[str]:
    """Delete those of ``indices`` that no alias points to (read back now); return them."""
    deleted = []
    for index in indices:
        try:
            info = client.indices.get_alias(index=index)
        except NotFoundError:
            continue  # never created
        if any(meta.get("aliases") for meta in info.values()):
            log.warning("not deleting %s: an alias points to it", index)
            continue
        client.indices.delete(index=index, ignore_unavailable=True)
        deleted.append(index)
    return deleted


def _created(meta: dict) -> int:
    return int(meta.get("settings", {}).get("index", {}).get("creation_date", 0))


def prune(client: OpenSearch, alias: str, keep: set[str]) -> list[str]:
    """Delete older ``<alias>-*`` indices except ``keep`` (the new one and the one it replaced).

    Never deletes an index an alias points to, nor one created after the newest kept index
    (a run that started later owns it).
    """
    existing = client.indices.get(index=f"{alias}-*", ignore_unavailable=True, allow_no_indices=True)
    newest_kept = max((_created(existing[name]) for name in keep if name in existing), default=0)
    doomed = sorted(name for name, meta in existing.items() if name not in keep and not meta.get("aliases") and _created(meta) < newest_kept)
    for name in doomed:
        client.indices.delete(index=name, ignore_unavailable=True)
    return doomed


Plan = dict[str, tuple[str, dict, Iterable[dict]]]


def publish(client: OpenSearch, plan: Plan, progress=None, before_swap: Callable[[dict[str, int]], None] | None = None) -> dict:
    """Build every ``alias -> (index, body, docs)``, then swap all aliases at once, then prune.

    ``before_swap(counts)`` runs after every index is built and verified and before the
    swap (the pipeline writes its run report there, and checks it still holds its lease):
    if it raises, nothing is swapped. On any failure the new indices nobody serves are
    deleted and the exception propagates.
    """
    built: list[str] = []
    counts: dict[str, int] = {}
    new = {alias: index for alias, (index, _, _) in plan.items()}
    try:
        for alias, (index, body, docs) in plan.items():
            built.append(index)
            counts[alias] = build_index(client, index, body, docs, progress)
        previous = _targets(client, new)
        if before_swap:
            before_swap(counts)
        swap_aliases(client, new, previous)
    except BaseException:
        try:
            discard_unaliased(client, built)
        except OpenSearchException as cleanup:  # OpenSearch gone: the next run's prune removes them
            log.warning("could not remove half-built indices %s: %s", built, cleanup)
        raise
    pruned = []
    for alias, index in new.items():
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
