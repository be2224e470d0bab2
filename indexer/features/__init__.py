"""Features, the second stage: each film as numbers.

Owns ``embed`` (the sentence encoder and the Parquet embedding cache), ``theme_features``
(story vector beside the TF-IDF + SVD keyword view the clusterer reads), ``neighbours`` (the
film space and each film's nearest films), ``layout`` (the movie map's 2-D coordinates) and
``vectors`` (unit rows and blocked nearest rows, which both ``theme_features`` and
``neighbours`` build on, so neither imports the other).

May import: ``mgm`` and ``indexer.ingest``; not ``taxonomy`` or ``publish`` (above it), nor the
runs (``indexer.pipeline``, ``indexer.incremental``, ``indexer.cli``).
"""

from __future__ import annotations

from typing import Any

# Saved stages (``$CACHE_DIR/stages/*.joblib``, pickled before the stage packages) name these as
# ``indexer.features.<name>`` (the fitted ThemeFeatures and its TF-IDF analyzer): resolved here,
# lazily, so ``indexer add`` still loads them without a reindex.
PICKLED = ("ThemeFeatures", "_tokens")


def __getattr__(name: str) -> Any:
    if name in PICKLED:
        from indexer.features import theme_features

        return getattr(theme_features, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
