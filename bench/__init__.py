"""Benchmarks for `make bench`: each module's ``run(settings)`` returns a JSON-able dict."""
