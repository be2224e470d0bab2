"""Taxonomy, the third stage: the micro-genres and macro themes, named and judged.

Owns ``compose`` (``Taxonomy``: features -> groups -> labels -> macro themes, and its
``Corpus``/``TaxonomyResult``), ``keyword_themes`` (the production micro-genre clusterer),
``cluster`` (K-Means and the merge / refine steps), ``label`` (phrase names and their fit),
``macro`` (macro themes from the shelves), ``quality`` (the metrics and the head-of-catalogue
check, with ``head_films.json``) and ``identity`` (persistent ids matched across runs; pure).

May import: ``mgm``, ``indexer.ingest`` and ``indexer.features``; not ``publish`` (above it),
nor the runs (``indexer.pipeline``, ``indexer.incremental``, ``indexer.cli``).
"""
