"""Micro-genre indexer: CSV/collector records -> embeddings -> K-Means -> labels -> OpenSearch."""
