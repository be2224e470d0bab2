"""The OpenAPI 3 description of the JSON API, served at ``/api/openapi.json``.

Built from the app itself so it cannot drift silently: the operations are the app's ``/api``
and ``/healthz`` routes, and each operation's query parameters are the names its view
declares with ``@accepts`` (typed from ``PARAMETERS``, whose bounds are the validators'
constants). Only the response shapes are written out here; ``tests/test_openapi.py``
checks them against real answers and schemathesis fuzzes every operation in ``make test``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, jsonify

from webapp.api.params import FORMATS, MAX_LIKED, MAX_MICRO_ID, MAX_QUERY_CHARS, MAX_SIZE, MODES, SORTS, YEAR_MAX, YEAR_MIN, accepts
from webapp.discover.data import MAX_PAGE as MICRO_MAX_PAGE
from webapp.discover.data import MICRO_SORTS
from webapp.explore.search import MICRO_LIST_MAX
from webapp.insights.params import MAX_PICKED

bp = Blueprint("openapi", __name__)

MAX_ID = 2**31 - 1
ID_LIST = rf"^\s*[0-9]+\s*(,\s*[0-9]+\s*){{0,{MAX_PICKED - 1}}}$"


def _int(lo: int, hi: int) -> dict:
    return {"type": "integer", "minimum": lo, "maximum": hi}


def _str(max_len: int, **extra: Any) -> dict:
    return {"type": "string", "maxLength": max_len, **extra}


def _nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


def _obj(required: dict[str, dict], optional: dict[str, dict] | None = None, closed: bool = True) -> dict:
    """An object with ``required`` properties (and ``optional`` ones); ``closed``: no others."""
    return {
        "type": "object",
        "required": sorted(required),
        "properties": {**required, **(optional or {})},
        "additionalProperties": not closed,
    }


def _array(items: dict, **extra: Any) -> dict:
    return {"type": "array", "items": items, **extra}


INT, NUM, STR, BOOL = {"type": "integer"}, {"type": "number"}, {"type": "string"}, {"type": "boolean"}
ANY_OBJ: dict = {"type": "object"}

PARAMETERS: dict[str, dict] = {
    "q": _str(MAX_QUERY_CHARS),
    "mode": {"type": "string", "enum": list(MODES)},
    "sort": {"type": "string", "enum": list(SORTS)},
    "format": {"type": "string", "enum": list(FORMATS)},
    "page": _int(1, 10_000),
    "size": _int(1, MAX_SIZE),
    "genre": _str(100),
    "micro_genre": _int(0, MAX_MICRO_ID),
    "macro": _int(0, MAX_MICRO_ID),
    "year_from": _int(YEAR_MIN, YEAR_MAX),
    "year_to": _int(YEAR_MIN, YEAR_MAX),
    "min_rating": {"type": "number", "minimum": 0, "maximum": 10},
    "split": _int(YEAR_MIN, YEAR_MAX),
    "min_support": _int(1, 10_000),
    "micro": {"type": "string", "pattern": ID_LIST},
    "cloud_decade": _int(YEAR_MIN // 10 * 10, YEAR_MAX),
    "cloud_micro": _int(0, MAX_MICRO_ID),
    "offset": _int(0, MICRO_LIST_MAX),
}

ERROR = _obj({"error": STR, "field": _nullable(STR)})
MICRO_REF = _obj({"id": _nullable(INT), "label": _nullable(STR)})
HIT = _obj(
    {
        "id": INT,
        "title": _nullable(STR),
        "year": _nullable(INT),
        "overview": _nullable(STR),
        "genres": _array(STR),
        "micro_genre": MICRO_REF,
        "macro_genre": _nullable(STR),
        "macro_genre_id": _nullable(INT),
        "vote_average": _nullable(NUM),
        "vote_count": _nullable(INT),
        "rating_weighted": _nullable(NUM),
        "poster_path": _nullable(STR),
        "original_language": _nullable(STR),  # TMDB's code: "en", "fr", "ko"
        "score": _nullable(NUM),
        "highlight": {"type": "object", "additionalProperties": STR},
    }
)
FACET = _obj({"key": {"oneOf": [INT, STR]}, "count": INT}, {"label": STR})
YEARS_INTENT = _obj({"from": _nullable(INT), "to": _nullable(INT), "text": STR, "applied": BOOL})
# What the query said besides its topic (years, the TMDB genres and languages it names, how its films
# were made and sold: "Blockbusters", "Big budget", "Low budget", "Independent", from what: "Based on
# novels", "Based on comics"..., and seen: "Hidden gems", "Short", "Black and white"...; how they play:
# "Gory", "Slow burn"...; what it does not want; the genres a "like <film> but <mood>" asks for); the text searched.
INTENTS = _obj(
    {
        "years": _nullable(YEARS_INTENT),
        "genres": _array(STR),
        "ruled_out": _array(STR),
        "languages": _array(STR),
        "scale": _array(STR),
        "tones": _array(STR),
        "without": _array(STR),
        "kinds": _array(STR),
        "query": STR,
    }
)
MICRO_MATCH = _obj({"id": INT, "label": STR, "size": INT})  # the micro-genre (or macro theme) a short hybrid query names (its films lifted)
SEARCH = _obj(
    {
        "total": INT,
        "took_ms": INT,
        "mode": PARAMETERS["mode"],
        "page": INT,
        "size": INT,
        "window": INT,
        "pages": INT,
        "like": _nullable(ANY_OBJ),
        "intents": INTENTS,
        "micro_genre_match": _nullable(MICRO_MATCH),
        "macro_genre_matches": _array(MICRO_MATCH),
        "did_you_mean": _nullable(STR),
        "results": _array(HIT),
        "facets": {"type": "object", "additionalProperties": _array(FACET)},
    }
)
MOVIE = _obj(
    {
        "id": INT,
        "title": STR,
        "genres": _array(STR),
        "macro_genre": _nullable(STR),
        "micro_genre": _obj({"id": _nullable(INT), "label": _nullable(STR), "keywords": _array(STR)}),
    },
    closed=False,
)
MICRO = _obj(
    {"id": INT, "label": STR, "keywords": _array(STR), "macro_genre": _nullable(STR), "size": INT},
    {
        "macro_genre_id": _nullable(INT),
        "mean_rating": _nullable(NUM),
        "weighted_rating": _nullable(NUM),
        "mean_popularity": _nullable(NUM),
        "year_min": _nullable(INT),
        "year_max": _nullable(INT),
        "top_genres": _array(STR),
        "top_movies": _array(ANY_OBJ),
        "score": _nullable(NUM),
        "label_phrases": _array(STR),
        "evidence": _array(ANY_OBJ),
        "label_fit": _nullable(NUM),
    },
)
MICRO_DETAIL = {
    **MICRO,
    "required": sorted([*MICRO["required"], "neighbours"]),
    "properties": {**MICRO["properties"], "neighbours": _array({**MICRO, "properties": {**MICRO["properties"], "similarity": NUM}})},
}
RESULTS = {"results": _array(HIT)}
RESPONSES: dict[tuple[str, str], tuple[str, dict]] = {
    ("get", "/api/search"): ("Hybrid, keyword or semantic search with filters and facets (or CSV with format=csv)", SEARCH),
    ("get", "/api/movies/{raw_id}"): ("One movie (no vector)", MOVIE),
    ("get", "/api/movies/{raw_id}/similar"): ("Nearest films by k-NN on the movie's vector, itself excluded", _obj({"id": INT, **RESULTS})),
    ("get", "/api/micro-genres"): (
        "Micro-genres by size, or a semantic search over their centroids",
        _obj({"total": INT, "q": STR, "results": _array(MICRO)}),
    ),
    ("get", "/api/micro-genres/{raw_id}"): ("A micro-genre with its neighbouring micro-genres", MICRO_DETAIL),
    ("post", "/api/recommend"): (
        "Films for the liked ones, diverse across their micro-genres",
        _obj({"liked": _array(INT), "method": STR, "rows": _array(ANY_OBJ), **RESULTS}),
    ),
    ("get", "/api/suggest"): ("Title autocomplete", _obj({"q": STR, "results": _array(_obj({"id": INT, "title": STR}, {"year": _nullable(INT)}))})),
    ("get", "/api/landing"): (
        "What the landing page shows",
        _obj(
            {k: ANY_OBJ for k in ("stats", "prior")} | {k: _array(ANY_OBJ) for k in ("largest", "best_rated", "macros", "rows")} | {"min_size": INT},
            {"surprise": {}},
        ),
    ),
    ("get", "/api/overview"): (
        "What the Overview page plots",
        _obj(
            {k: ANY_OBJ for k in ("filters", "kpis", "prior", "treemap", "rankings", "top_movies", "head_check", "catalogue_check", "catalog")}
            | {"micro_genres": _array(ANY_OBJ)}
        ),
    ),
    ("get", "/api/trends"): ("What the Trends page plots", _obj({"movies": INT, "catalog": ANY_OBJ, "insights": _array(ANY_OBJ)}, closed=False)),
    ("get", "/healthz"): (
        "OpenSearch status and whether the movies alias exists",
        _obj({"status": {"type": "string", "enum": ["ok", "no-index"]}, "opensearch": ANY_OBJ, "index_alias": STR, "index_present": BOOL}),
    ),
    ("get", "/api/openapi.json"): ("This description", ANY_OBJ),
    ("get", "/api/micro-genres/{raw_id}/films"): ("What the micro-genre page renders: the group, its evidence, a page of its films", ANY_OBJ),
    ("get", "/api/movies/{raw_id}/why"): ("Why a film is in its micro-genre: its keywords among the group's evidence", ANY_OBJ),
    ("get", "/api/map"): ("Every film's map position, title and groups, as compact columns", ANY_OBJ),
}
# Parameters whose meaning depends on the route (the micro-genre page sorts and pages its own way).
ROUTE_PARAMETERS: dict[tuple[str, str], dict] = {
    ("/api/micro-genres/{raw_id}/films", "sort"): {"type": "string", "enum": list(MICRO_SORTS)},
    ("/api/micro-genres/{raw_id}/films", "page"): _int(1, MICRO_MAX_PAGE),
}
RECOMMEND_BODY = _obj({"liked": _array(_int(0, MAX_ID), minItems=1, maxItems=MAX_LIKED)}, {"size": _int(1, MAX_SIZE)})
ERROR_STATUSES = {
    "400": "A bad parameter (named in `field`)",
    "404": "Unknown id or path",
    "503": "OpenSearch unreachable, or the index not built yet (the message says what to do)",
}


def _path(rule: str) -> str:
    return rule.replace("<", "{").replace(">", "}")


def _operation(method: str, path: str, view: Any) -> dict:
    summary, schema = RESPONSES[(method, path)]
    params = [
        {"name": n, "in": "query", "required": False, "schema": ROUTE_PARAMETERS.get((path, n), PARAMETERS[n])}
        for n in getattr(view, "accepted_params", ())
    ]
    params += [{"name": n, "in": "path", "required": True, "schema": _int(0, MAX_ID)} for n in ("raw_id",) if f"{{{n}}}" in path]
    ok: dict = {"description": summary, "content": {"application/json": {"schema": schema}}}
    if "format" in getattr(view, "accepted_params", ()):
        ok["content"]["text/csv"] = {"schema": STR}
    errors = {
        code: {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for code, text in ERROR_STATUSES.items()
    }
    errors["429"] = {
        "description": "Over the client's rate limit; retry after `retry_after_s` (also the Retry-After header)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RateLimited"}}},
    }
    op: dict = {"summary": summary, "operationId": view.__name__, "parameters": params, "responses": {"200": ok, **errors}}
    if method == "post":
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": RECOMMEND_BODY}}}
    return op


def describe(app: Flask) -> dict:
    """The OpenAPI document of ``app``'s JSON routes."""
    paths: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith("/api/") or rule.rule == "/healthz"):
            continue
        if rule.methods is None:  # werkzeug's "any method"; Flask's add_url_rule always sets them
            raise TypeError(f"{rule.rule}: a route without methods")
        path = _path(rule.rule)
        for method in sorted(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method] = _operation(method, path, app.view_functions[rule.endpoint])
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Micro-Genre Miner API",
            "version": "1.0",
            "description": "Search films by mood and theme; every error is JSON {error, field}.",
        },
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": {"Error": ERROR, "RateLimited": _obj({"error": STR, "field": _nullable(STR), "retry_after_s": NUM})}},
    }


@bp.get("/api/openapi.json")
@accepts()
def openapi_json():
    return jsonify(describe(current_app))
