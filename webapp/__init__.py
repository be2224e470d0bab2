"""Flask app factory: one blueprint per page family, shared state in ``app.extensions``.

Owns the web side: explore (``explorer``, ``search``, ``params``, ``intents``, ``highlight``,
``successors``), insights (``insights``, ``insight_params``, ``aggregations``, ``chart_data``,
``findings``, ``agg_cache``), discover (``discover``, ``discover_data``, ``recommend``), and
the API plumbing (``openapi``, ``errors``, ``msearch``, ``json_provider``, ``limits``,
``health``), with ``templates/``, ``static/`` and ``gunicorn.conf.py``.

May import: ``mgm`` (the shared core); never ``indexer`` (a web worker loads no indexer
code, torch or scikit-learn) and never ``bench`` (tests/test_layering.py).
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, send_from_directory

from mgm.client import make_client
from mgm.settings import Settings
from webapp.json_provider import OrjsonProvider


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
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)
    app.extensions["opensearch"] = make_client(settings, timeout=10)
    if load_model:
        # ONNX Runtime + tokenizers only: torch never enters a web worker (see mgm/query_encoder.py).
        from mgm.query_encoder import load_query_encoder

        app.extensions["query_encoder"] = load_query_encoder(settings)

    from webapp import discover, errors, explorer, health, insights, limits, openapi, params

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
        return send_from_directory(Path(app.static_folder), "favicon.svg", mimetype="image/svg+xml")

    return app
