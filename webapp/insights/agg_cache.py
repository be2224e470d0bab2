"""In-process cache of shaped aggregation results, keyed by the run that built the served indices.

The data only changes when the indexer swaps an alias to a new index, so the key holds the
index names the aliases point to *now* (one cheap ``GET /<aliases>/_alias`` per request).
Those names are ``<alias>-<run id>``: the key is the run id, and after a swap every key misses
and the pages refresh, with no TTL to tune. The run's report (the Overview's KPIs) is written
before the swap, so the first page cached under a new run id already holds that run's figures.
Bounded LRU, thread-safe.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import NotFoundError

from webapp.api.errors import index_missing

MAX_ENTRIES = 256  # filter combinations are unbounded; keep the most recently used


class AggCache:
    def __init__(self, max_entries: int = MAX_ENTRIES):
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The cached value, or ``compute()`` stored under ``key`` (errors are not cached)."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = compute()  # outside the lock: a slow cold page must not block warm ones
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return value

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


CACHE = AggCache()  # the process's one cache of shaped pages


def reset() -> None:
    """Forget every cached page (the bench's "cold" measurements start here)."""
    CACHE.reset()


def concrete_indices(client: OpenSearch, *names: str) -> tuple[str, ...]:
    """For each alias (or index) name, the sorted concrete index names it resolves to, comma-joined."""
    try:
        resolved = client.indices.get_alias(index=",".join(names))
    except NotFoundError:
        raise index_missing() from None
    out = []
    for name in names:
        hits = sorted(index for index, info in resolved.items() if index == name or name in info.get("aliases", {}))
        if not hits:
            raise index_missing()
        out.append(",".join(hits))
    return tuple(out)
