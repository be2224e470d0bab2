"""Every failure mapped once: JSON ``{"error", "field"}`` for the API, a styled page for browsers.

Views raise ``ApiError`` for what they know (a bad parameter, an unknown id); OpenSearch's own
exceptions are translated here, so each route answers the same way when the backend is down
(503), when the index was never built (503, "run `make reindex`"), or for an unknown path (404).
A message always says what to do next; a stack trace is never shown.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, jsonify, render_template, request
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import NotFoundError, TransportError
from werkzeug.exceptions import HTTPException

BACKEND_DOWN = "search backend unavailable: start OpenSearch (`make opensearch-up`) and try again"
INDEX_MISSING = "index not built yet: run `make reindex`"
TITLES = {
    400: "Bad request",
    404: "Page not found",
    405: "Method not allowed",
    414: "Request too long",
    500: "Something went wrong",
    502: "Search backend error",
    503: "Search is not available",
}


class ApiError(Exception):
    """Raise from a view to answer ``status`` with ``{"error": message, "field": field}``."""

    def __init__(self, message: str, field: str | None = None, status: int = 400):
        super().__init__(message)
        self.message, self.field, self.status = message, field, status


def index_missing() -> ApiError:
    return ApiError(INDEX_MISSING, status=503)


def is_index_missing(exc: TransportError) -> bool:
    """A 404 about the index itself (missing alias or index), not about a document in it."""
    return isinstance(exc, NotFoundError) and exc.error == "index_not_found_exception"


def unknown_movie(movie_id: int) -> ApiError:
    return ApiError(f"no movie with id {movie_id}", field="id", status=404)


def document_missing(exc: NotFoundError, unknown: Callable[[], Exception]) -> Exception:
    """What a 404 from a document GET means: the index itself is missing (503, "run `make
    reindex`"), or ``unknown()`` (the id's own 404 or redirect). Every GET by id asks this,
    so a catalogue that was never built never answers "no movie with id 1"."""
    return index_missing() if is_index_missing(exc) else unknown()


def for_the_page(exc: ApiError) -> ApiError:
    """A request error for the page to show beside its form; a backend error (5xx) is
    raised on to the site's error page instead, the same on every page."""
    if exc.status >= 500:
        raise exc
    return exc


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def respond(status: int, message: str, field: str | None = None):
    """The error as JSON (API paths) or as the site's error page with its navigation."""
    if _wants_json():
        return jsonify({"error": message, "field": field}), status
    title = TITLES.get(status, "Error")
    return render_template("error.html", status=status, title=title, message=message, field=field), status


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        return respond(exc.status, exc.message, exc.field)

    @app.errorhandler(OSConnectionError)  # includes ConnectionTimeout
    def search_down(exc: Exception):
        app.logger.warning("OpenSearch unavailable: %s", exc)
        return respond(503, BACKEND_DOWN)

    @app.errorhandler(TransportError)
    def search_error(exc: TransportError):
        if is_index_missing(exc):
            return respond(503, INDEX_MISSING)
        app.logger.error("OpenSearch refused a request: %s %s", exc.status_code, exc.error)
        return respond(502, f"search backend rejected the request ({exc.error})")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return respond(exc.code or 500, exc.description or TITLES.get(exc.code or 500, "Error"))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s", request.path)
        return respond(500, "internal error: the server log has the details")
