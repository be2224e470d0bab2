"""Insights: the Overview, Trends and About-the-model pages and their JSON, from aggregations.

Owns ``views`` (the ``insights`` blueprint; ``landing_data``, the landing's figures),
``aggregations`` (the aggregation bodies, pure), ``chart_data`` (answers shaped into what each
chart plots, pure), ``findings`` (insights computed from the data), ``params`` (the Trends
page's parameters) and ``agg_cache`` (shaped results cached per concrete index, so an alias swap
refreshes them), with ``templates/`` (``overview.html``, ``trends.html``, ``about_model.html``
and the ``_insights.html`` macros the landing uses too).

May import: ``mgm``, ``webapp.api`` and ``webapp.explore`` (filter clauses, retired ids);
never ``discover``, which builds on it (tests/test_layering.py).
"""
