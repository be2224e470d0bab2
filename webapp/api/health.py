"""``/healthz``: is OpenSearch up, and is the movies alias there?"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from opensearchpy.exceptions import OpenSearchException

from webapp.api.params import accepts

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@accepts()
def healthz():
    settings = current_app.config["SETTINGS"]
    client = current_app.extensions["opensearch"]
    try:
        health = client.cluster.health()
        alias_ok = bool(client.indices.exists_alias(name=settings.index_alias))
    except OpenSearchException as exc:
        return jsonify({"status": "down", "opensearch": None, "error": type(exc).__name__}), 503
    return jsonify(
        {
            "status": "ok" if alias_ok else "no-index",
            "opensearch": {"url": settings.opensearch_url, "cluster_status": health["status"]},
            "index_alias": settings.index_alias,
            "index_present": alias_ok,
        }
    )
