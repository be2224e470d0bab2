"""Fresh query texts for the load benchmarks: no two requests send the same text.

A cycle of the 72 judged queries lets any cache (an embedding memo, OpenSearch's caches)
serve repeats; real users type new text. These are 6-14 word windows of real TMDB
overviews, read from the CSV at run time (nothing from the dataset is committed).
"""

from __future__ import annotations

import random
from pathlib import Path

from indexer.ingest.load import load_movies


def fresh_queries(csv: Path, n: int = 60_000, seed: int = 13) -> list[str]:
    """``n`` distinct plot-like texts, shuffled reproducibly."""
    rng = random.Random(seed)
    overviews = [m.overview.split() for m in load_movies(csv).movies if len(m.overview.split()) >= 16]
    out: set[str] = set()
    while len(out) < n:
        words = rng.choice(overviews)
        size = rng.randint(6, 14)
        start = rng.randrange(0, len(words) - size)
        out.add(" ".join(words[start : start + size]))
    texts = sorted(out)
    rng.shuffle(texts)
    return texts
