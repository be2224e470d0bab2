"""Batch-encode texts with a Parquet cache keyed by sha256(model identity + backend + text).

The namespace (``mgm.model.cache_namespace``) is a hash of the model's files plus the
backend, so another MODEL_DIR, changed weights or the torch backend never reuse vectors that
another model or runtime made.

Encoding the 4,800 movies is the slowest stage (about 40 s on 2 cores). The cache makes a
re-run encode only new or changed texts; it is shared by every run using the same cache_dir
(CLI, tests, bench), so writes go to a temporary file renamed into place.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from mgm.model import DIMENSION

CACHE_FILE = "embeddings.parquet"
READ_BATCH = 8192  # rows of the cache file read at a time


def text_key(namespace: str, text: str) -> str:
    return hashlib.sha256(f"{namespace}\n{text}".encode()).hexdigest()


def read_cache(path: Path) -> dict[str, np.ndarray]:
    """key -> float32 vector (a row of one matrix); an unreadable cache is treated as empty (it
    is only a cache).

    Read in batches of ``READ_BATCH`` rows, each batch's vector bytes copied straight into the
    matrix: the whole table, every vector as a bytes object and their join made the 100k-film
    run's embed stage grow it by 1.05 GB for 190 MB of vectors (0.65 GB in batches).
    """
    if not path.is_file():
        return {}
    try:
        parquet = pq.ParquetFile(path)
        matrix = np.empty((parquet.metadata.num_rows, DIMENSION), np.float32)
        keys: list[str] = []
        for batch in parquet.iter_batches(batch_size=READ_BATCH, columns=["key", "vector"]):
            vectors = batch.column("vector")
            offsets = np.frombuffer(vectors.buffers()[1], np.int32)[vectors.offset : vectors.offset + len(vectors) + 1]
            data = np.frombuffer(vectors.buffers()[2], np.uint8)[offsets[0] : offsets[-1]]
            matrix[len(keys) : len(keys) + len(vectors)] = data.view(np.float32).reshape(len(vectors), DIMENSION)
            keys += batch.column("key").to_pylist()
    except (pa.ArrowInvalid, OSError):
        return {}
    return dict(zip(keys, matrix))


def write_cache(path: Path, cache: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = list(cache)
    table = pa.table(
        {
            "key": pa.array(keys, pa.string()),
            "vector": pa.array([np.asarray(cache[k], np.float32).tobytes() for k in keys], pa.binary()),
        }
    )
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".parquet.tmp")
    os.close(fd)
    pq.write_table(table, tmp)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


class EmbeddingCache:
    """The Parquet cache of one run: read once, written back whenever a call encoded something.

    A run embeds its movies, then label phrases four times (keywords and labels, micro and
    macro); reading the file per call cost about 0.45 s each on 10,000 vectors.
    """

    def __init__(self, path: Path, namespace: str, encode: Callable[[list[str]], np.ndarray], batch_size: int = 256):
        self.path, self.namespace, self.encode, self.batch_size = path, namespace, encode, batch_size
        self.vectors = read_cache(path)

    def embed(self, texts: list[str], progress: Callable[[int], None] | None = None) -> tuple[np.ndarray, int]:
        """Vectors for ``texts`` (n, 384) and how many had to be encoded (cache misses)."""
        keys = [text_key(self.namespace, t) for t in texts]
        by_key = dict(zip(keys, texts))
        # Longest first across all chunks, so each batch pads to similar lengths (ST sorts only per call).
        missing = sorted(dict.fromkeys(k for k in keys if k not in self.vectors), key=lambda k: -len(by_key[k]))
        if missing:
            for start in range(0, len(missing), self.batch_size):
                chunk = missing[start : start + self.batch_size]
                vectors = self.encode([by_key[k] for k in chunk])
                self.vectors.update(zip(chunk, np.asarray(vectors, np.float32)))
                if progress:
                    progress(len(chunk))
            # Re-read before writing so a concurrent run's new entries are kept, not overwritten.
            merged = read_cache(self.path)
            merged.update(self.vectors)
            write_cache(self.path, merged)
            self.vectors = merged
        matrix = np.stack([self.vectors[k] for k in keys]) if keys else np.zeros((0, DIMENSION), np.float32)
        return matrix.astype(np.float32, copy=False), len(missing)
