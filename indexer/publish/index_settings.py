"""Shard and replica counts for the indices a run creates, from settings.

The mapping files keep 1 shard and 0 replicas, right for one node. A cluster needs more
shards to spread the work and replicas to survive losing a node, so the counts are applied
here, on a copy of the mapping, rather than edited into the JSON files.
"""

from __future__ import annotations

import copy

from mgm.settings import Settings


def with_shards(body: dict, settings: Settings) -> dict:
    """``body`` (a mapping file's contents) with the configured shard and replica counts."""
    out = copy.deepcopy(body)
    index = out.setdefault("settings", {}).setdefault("index", {})
    index["number_of_shards"] = settings.index_shards
    index["number_of_replicas"] = settings.index_replicas
    return out
