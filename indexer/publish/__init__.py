"""Publish, the fourth stage: what a run writes to OpenSearch, and how it goes live.

Owns ``documents`` (movie and micro-genre documents), ``store`` (mappings, bulk indexing,
the alias swap, the runs index), ``index_settings`` (shards and replicas), ``lease`` (the
one-reindex-at-a-time lease) and ``lineage`` (persistent ids and the retired-id registry,
read from the previous run and written with this one).

May import: ``mgm``, ``indexer.ingest``, ``indexer.features`` and ``indexer.taxonomy``; not the
runs above it (``indexer.pipeline``, ``indexer.incremental``, ``indexer.cli``).
"""
