"""Ingest, the first stage: the films a run starts from.

Owns ``load`` (CSV / JSON-lines rows -> validated ``Movie``s, with rejection counts),
``collect`` (the TMDB API collector writing those JSON lines) and ``text`` (each film's
embedding text, grounding text and theme keywords).

May import: ``mgm`` only; no other indexer stage (it is the lowest), nor the runs above the
stages (``indexer.pipeline``, ``indexer.incremental``, ``indexer.cli``).
"""
