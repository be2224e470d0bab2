"""Discover: the landing, micro-genre pages, likes and recommendations, the movie map.

Owns ``views`` (the ``discover`` blueprint: ``/``, ``/surprise``, ``/micro-genres/<id>``,
``/likes``, ``/map`` and their JSON, ``/api/recommend``), ``data`` (request bodies and shaping,
pure), ``recommend`` (diversified recommendations for liked films), with ``templates/``
(``index.html``, ``micro_genre.html``, ``likes.html``, ``map.html``).

May import: ``mgm``, ``webapp.api``, ``webapp.explore`` (search bodies, film cards, retired ids)
and ``webapp.insights`` (the landing's figures, the aggregation cache). No family imports it
(tests/test_layering.py).
"""
