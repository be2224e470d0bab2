"""Shared core of Micro-Genre Miner: settings, the embedding model, the OpenSearch client.

Both the indexer (batch) and the web app (per request) need these three things, and they
must agree on them exactly (same model, same index names), so they live in one place.
"""
