"""Micro-genre indexer: CSV/collector records -> embeddings -> taxonomy -> documents -> OpenSearch.

Owns the batch side, one module per stage: ``load``/``collect``/``text`` (input, validation,
embedding text), ``embed`` (the Parquet embedding cache), the taxonomy (``features``,
``neighbours``, ``keyword_themes``, ``cluster``, ``label``, ``macro``/``shelves``, ``quality``,
composed by ``taxonomy``), identity (``identity``, ``lineage``: persistent ids), publishing
(``documents``, ``layout``, ``store``, ``index_settings``, ``lease``), ``incremental``
(``indexer add``), ``pipeline`` (one run) and ``cli`` (``python -m indexer``).

May import: ``mgm`` (the shared core); never ``webapp`` or ``bench``. No stage imports
``cli`` or ``__main__``: the command line drives the stages (tests/test_layering.py).
"""
