"""Shared core of Micro-Genre Miner: settings, the embedding model, the OpenSearch client.

Both the indexer (batch) and the web app (per request) need these three things, and they
must agree on them exactly (same model, same index names), so they live in one place.

Owns: ``settings`` (every environment variable, read once), ``model``/``model_files``/
``onnx_export``/``query_encoder`` (MiniLM offline, torch for the indexer, ONNX Runtime for
the web), ``client`` (the OpenSearch client), ``rating`` (the Bayesian prior both sides use),
``security_setup`` and ``dashboards`` (the secured deployment's roles and saved objects),
``shelves`` (the fan's vocabulary of macro themes: the indexer files films on them, the web app
reads them in queries).

May import: the standard library and third-party packages only; never ``indexer``,
``webapp`` or ``bench`` (tests/test_layering.py).
"""
