"""JSON errors for the API: a 4xx with a message and the offending field, never a trace."""
from __future__ import annotations

from flask import Flask, jsonify, request
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import ConnectionTimeout
from werkzeug.exceptions import HTTPException


class ApiError(Exception):
    """Raise from a view to answer ``status`` with ``{"error": message, "field": field}``."""

    def __init__(self, message: str, field: str | None = None, status: int = 400):
        super().__init__(message)
        self.message, self.field, self.status = message, field, status


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        return jsonify({"error": exc.message, "field": exc.field}), exc.status

    @app.errorhandler(OSConnectionError)
    @app.errorhandler(ConnectionTimeout)
    def search_down(exc: Exception):
        app.logger.warning("OpenSearch unavailable: %s", exc)
        body = {"error": "search backend unavailable, try again shortly", "field": None}
        if _wants_json():
            return jsonify(body), 503
        return body["error"], 503

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if _wants_json():
            return jsonify({"error": exc.description, "field": None}), exc.code
        return exc
