"""Benchmarks for `make bench`: each module's ``run(settings)`` returns a JSON-able dict.

Owns the measurements and what they share: ``server`` (the one gunicorn starter, tests use it
too), ``load`` (the closed-loop load generator), ``queries``/``bodies``/``catalogue`` (inputs).

May import: anything in the project (``mgm``, ``indexer``, ``webapp``): a benchmark measures
the real code, never a copy of it (tests/test_layering.py).
"""
