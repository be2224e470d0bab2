"""Flask app factory: one blueprint package per page family, shared state in ``app.extensions``.

The web side, laid out by page family (each a package whose ``__init__`` says what it owns):

- ``api/``: the plumbing every family uses: ``errors`` (every failure mapped once),
  ``params`` (every parameter validated once), ``msearch``, ``json_provider``, ``health``
  (``/healthz``), and ``openapi`` (``/api/openapi.json``, the contract of every family);
- ``explore/``: search (``search``, ``intents``, ``highlight``, ``successors``) and its pages and
  JSON (``views``: ``/explore``, ``/api/search``, ``/api/movies/...``);
- ``insights/``: Overview, Trends, About the model (``views``, ``aggregations``, ``chart_data``,
  ``findings``, ``params``, ``agg_cache``);
- ``discover/``: landing, micro-genre pages, likes and recommendations, the map (``views``,
  ``data``, ``recommend``).

Here at the top: this factory, ``limits`` (the per-client rate limit), ``gunicorn.conf.py``, the
shared ``templates/`` (``base.html``, ``error.html`` and the card and rating macros several
families use) and the one ``static/`` folder (``/static/...``: its CSS and JS serve several
families' pages). A family's own pages are in its ``templates/``; every template name is
unique across the folders (tests/test_layering.py), so Flask finds each where it is.

May import: ``mgm`` (the shared core); never ``indexer`` (a web worker loads no indexer
code, torch or scikit-learn) and never ``bench`` (tests/test_layering.py). Inside, the families
are layered ``api`` <- ``explore`` <- ``insights`` <- ``discover``: each imports only those to
its left (see each package's docstring); only this factory imports every family.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, send_from_directory

from mgm.client import make_client
from mgm.settings import Settings
from webapp.api.json_provider import OrjsonProvider


def create_app(settings: Settings | None = None, load_model: bool = True) -> Flask:
    """Build the app. ``load_model=False`` skips the query encoder (pages without search)."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.json = OrjsonProvider(app)
    app.config["SETTINGS"] = settings
    if settings.trusted_proxies > 0:
        # ``request.remote_addr`` (the rate limit's key) and the scheme come from the
        # X-Forwarded-For/-Proto values the last N proxies appended; anything a client wrote
        # further left is ignored. Host passes through as is (``proxy_set_header Host``).
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.trusted_proxies
        # Wrapping the method is Flask's documented way to add WSGI middleware (mypy forbids assigning to a method).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    app.extensions["opensearch"] = make_client(settings, timeout=10)
    if load_model:
        # ONNX Runtime + tokenizers only: torch never enters a web worker (see mgm/query_encoder.py).
        from mgm.query_encoder import load_query_encoder

        app.extensions["query_encoder"] = load_query_encoder(settings)

    from webapp import limits
    from webapp.api import errors, health, openapi, params
    from webapp.discover import views as discover
    from webapp.explore import views as explorer
    from webapp.explore.search import poster_initial
    from webapp.insights import views as insights

    app.add_template_filter(poster_initial)  # the card templates' placeholder letter
    limits.register(app)
    errors.register(app)
    params.check_parameters(app)
    for blueprint in (health.bp, explorer.bp, insights.bp, discover.bp, openapi.bp):
        app.register_blueprint(blueprint)

    @app.get("/vendor/plotly.min.js")
    def plotly_js():
        """Plotly.js from the pip package's own copy: no CDN, nothing vendored in git."""
        import plotly

        folder = Path(plotly.__file__).parent / "package_data"
        return send_from_directory(folder, "plotly.min.js", max_age=86400)

    @app.get("/favicon.ico")
    def favicon():
        if app.static_folder is None:  # Flask(__name__) keeps its default "static" folder
            raise TypeError("the app has no static folder")
        return send_from_directory(Path(app.static_folder), "favicon.svg", mimetype="image/svg+xml")

    return app
