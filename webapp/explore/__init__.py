"""Explore: the search and its pages and JSON (``/explore``, ``/api/search``, ``/api/movies/...``).

Owns ``views`` (the ``explorer`` blueprint, and ``find``: one search as the app runs it, which
the API, the pages and ``bench relevance`` call), ``search`` (the OpenSearch bodies and the
ranking, pure; ``FACETS``), ``intents`` (what a query asks: years, "like <title>"),
``highlight`` (``<mark>`` on query stems) and ``successors`` (retired micro-genre and macro ids
resolved to their successors, at most one registry read per request), and ``templates/explore.html``.

May import: ``mgm`` and ``webapp.api``; never ``insights`` or ``discover``, which build on it
(tests/test_layering.py).
"""
