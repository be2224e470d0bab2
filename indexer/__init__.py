"""Micro-genre indexer: CSV/collector records -> embeddings -> taxonomy -> documents -> OpenSearch.

Owns the batch side, laid out by stage, each stage a package importing only the stages below it
(enforced by tests/test_layering.py):

    ingest/     load, collect, text: input rows, validation, the texts to embed
    features/   embed, theme_features, neighbours, layout, vectors: films as numbers
    taxonomy/   compose (the composer), keyword_themes, cluster, label, macro, quality,
                identity, head_films.json: the micro-genres and macro themes, named and judged
    publish/    documents, store, index_settings, lease, lineage: what reaches OpenSearch

and, above them, the runs that compose the stages: ``pipeline`` (one full run),
``incremental`` (``indexer add``), ``cli``/``__main__`` (``python -m indexer``).

May import: ``mgm`` (the shared core); never ``webapp`` or ``bench``. No stage imports
``pipeline``, ``incremental``, ``cli`` or ``__main__``: the runs drive the stages.
"""
