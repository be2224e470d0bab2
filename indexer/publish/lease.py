"""A reindex lease: one document created with ``op_type=create``, renewed while the run lives.

Two reindexes at once would prune each other's half-built indices and race on the alias
swap. The lease makes the second one refuse at its start. It expires ``ttl`` seconds after
the last renewal, so a crashed (SIGKILLed) run blocks the next one for at most ``ttl``;
a live run renews it from a daemon thread every ``ttl / 3``. Every write after the create
is a compare-and-set on ``_seq_no``/``_primary_term``: a run whose lease expired and was
taken over cannot renew it, and finds out before it swaps (``assert_held``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConflictError, NotFoundError, OpenSearchException

from indexer.publish.store import ensure_index

LEASE_ID = "reindex"
log = logging.getLogger(__name__)
LEASE_MAPPING = {
    "mappings": {
        "dynamic": "strict",
        "properties": {
            "owner": {"type": "keyword"},
            "host": {"type": "keyword"},
            "pid": {"type": "integer"},
            "acquired_at": {"type": "date"},
            "expires_at": {"type": "date", "format": "epoch_millis"},
        },
    }
}


class LeaseHeld(RuntimeError):
    """Another live run holds the lease; the message is the operator's one line."""


class LeaseLost(RuntimeError):
    """This run's lease expired and another run took it: it must not swap."""


def lease_index(runs_index: str) -> str:
    """The lease lives beside the run reports, so each deployment (and test prefix) has its own."""
    return f"{runs_index}-lease"


def _utc(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%H:%M:%S UTC")


@dataclass
class Lease:
    client: OpenSearch
    index: str
    owner: str
    ttl: float
    _version: tuple[int, int] | None = field(default=None, init=False)
    _lost: bool = field(default=False, init=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def _body(self) -> dict:
        now = time.time()
        return {
            "owner": self.owner,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "acquired_at": datetime.fromtimestamp(now, UTC).isoformat(),
            "expires_at": int((now + self.ttl) * 1000),
        }

    def acquire(self) -> None:
        """Take the lease or raise ``LeaseHeld`` naming the holder and when it expires."""
        ensure_index(self.client, self.index, LEASE_MAPPING)
        try:
            resp = self.client.create(index=self.index, id=LEASE_ID, body=self._body(), refresh="true")
        except ConflictError:
            self._take_over_if_expired()
        else:
            self._version = (resp["_seq_no"], resp["_primary_term"])
        self._start_heartbeat()

    def _take_over_if_expired(self) -> None:
        current = self.client.get(index=self.index, id=LEASE_ID)
        src = current["_source"]
        if src["owner"] == self.owner:  # our own create was applied, then its answer was lost
            self._version = (current["_seq_no"], current["_primary_term"])
            return
        if src["expires_at"] > time.time() * 1000:
            raise LeaseHeld(
                f"another reindex is running (run {src['owner']}, pid {src['pid']} on {src['host']}); "
                f"its lease expires at {_utc(src['expires_at'])} unless renewed: try again after it finishes"
            )
        try:  # expired: a crashed run. Take it over only if nobody else did in between.
            resp = self.client.index(
                index=self.index,
                id=LEASE_ID,
                body=self._body(),
                refresh="true",
                if_seq_no=current["_seq_no"],
                if_primary_term=current["_primary_term"],
            )
        except ConflictError:
            raise LeaseHeld("another reindex took over an expired lease just now: try again after it finishes") from None
        self._version = (resp["_seq_no"], resp["_primary_term"])

    def renew(self) -> None:
        """Push the expiry forward; ``LeaseLost`` if another run owns the lease now."""
        with self._lock:
            if self._lost or self._version is None:
                raise LeaseLost(f"run {self.owner} lost its reindex lease")
            seq_no, term = self._version
            try:
                resp = self.client.index(index=self.index, id=LEASE_ID, body=self._body(), refresh="true", if_seq_no=seq_no, if_primary_term=term)
            except (ConflictError, NotFoundError):
                self._lost = True
                raise LeaseLost(f"run {self.owner} lost its reindex lease (it expired and another run took it)") from None
            self._version = (resp["_seq_no"], resp["_primary_term"])

    def assert_held(self) -> None:
        """Renew now: called right before the alias swap, so a run that lost the lease never swaps."""
        self.renew()

    def _start_heartbeat(self) -> None:
        def beat() -> None:
            while not self._stop.wait(self.ttl / 3):
                try:
                    self.renew()
                except LeaseLost:
                    return
                except OpenSearchException:
                    continue  # OpenSearch briefly away: the next beat (or assert_held) decides

        threading.Thread(target=beat, name="reindex-lease", daemon=True).start()

    def release(self) -> None:
        """Delete the lease if it is still ours (a compare-and-set delete).

        Never raises: with OpenSearch gone the lease simply expires, and the run's own
        outcome (often that very outage) is what the caller must see.
        """
        self._stop.set()
        with self._lock:
            if self._lost or self._version is None:
                return
            seq_no, term = self._version
            self._version = None
            try:
                self.client.delete(index=self.index, id=LEASE_ID, refresh="true", if_seq_no=seq_no, if_primary_term=term)
            except (ConflictError, NotFoundError):
                pass  # already taken over or gone: nothing of ours to remove
            except OpenSearchException as exc:
                log.warning("reindex lease not released (%s); it expires in at most %.0f s", type(exc).__name__, self.ttl)

    def __enter__(self) -> Lease:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
