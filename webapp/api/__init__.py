"""The API's plumbing, used by every page family: how a request is checked, fails and is answered.

Owns ``errors`` (``ApiError`` and every failure mapped once: JSON ``{"error", "field"}`` or the
styled ``error.html``), ``params`` (every query parameter and body validated once: ``Filters``,
``SearchParams``, ``@accepts`` and the 400 for unknown names, the limits), ``msearch`` (several
searches in one round trip, one rule for a rejected one), ``json_provider`` (orjson),
``health`` (``/healthz``) and ``openapi`` (``/api/openapi.json``).

May import: ``mgm`` and third-party packages; no page family (``explore``, ``insights``,
``discover``), since they all import this package. The one exception is ``openapi``: it
describes every family's routes with their own limits, so it reads their constants, and
nothing but the app factory imports it (tests/test_layering.py).
"""
