"""Discovery pages for film fans: landing rows, micro-genre pages, likes, the movie map.

Each page is rendered on the server from a few OpenSearch requests (one ``_msearch`` where
several are needed), so every state is a URL and the pages work without JavaScript; the
scripts only add hearts (``likes.js``), title suggestions and the map's drawing. Shaping and
request bodies are in ``data`` (pure); this module only talks to the server.
"""

from __future__ import annotations

import json
import random
from typing import Any, cast

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request
from opensearchpy import OpenSearch
from opensearchpy.exceptions import NotFoundError

from webapp.api.errors import ApiError, document_missing, for_the_page, unknown_movie
from webapp.api.msearch import msearch
from webapp.api.params import MAX_LIKED, accepts, number_arg, parse_id, parse_recommend
from webapp.discover import data as dd
from webapp.discover.recommend import recommend
from webapp.explore import search
from webapp.explore.successors import Moved, missing_micro, moved_json
from webapp.insights.agg_cache import CACHE, concrete_indices
from webapp.insights.views import landing_data

bp = Blueprint("discover", __name__, template_folder="templates")
LIKES_RECOMMENDED = 12  # films per recommendation row on /likes


def _client() -> OpenSearch:
    return current_app.extensions["opensearch"]


def _settings():
    return current_app.config["SETTINGS"]


def _indices() -> tuple[str, str]:
    """The concrete indices behind the aliases: the cache key that a reindex changes."""
    movies, micro = concrete_indices(_client(), _settings().index_alias, _settings().micro_alias)
    return movies, micro


def _msearch(searches: list[tuple[str, dict]]) -> list[dict]:
    return msearch(_client(), searches, "a discovery query")


# --- landing -------------------------------------------------------------------------------


def landing_rows() -> dict[str, Any]:
    """The landing's data plus browse rows (a few macro themes and micro-genres, their films)."""
    movies, micro = _indices()

    def compute() -> dict[str, Any]:
        data = landing_data()
        picks = dd.row_picks(data)
        responses = _msearch([(movies, dd.row_body(p)) for p in picks])
        return data | {"rows": dd.shape_rows(picks, responses)}

    return CACHE.get_or_compute(("landing-rows", movies, micro), compute)


@bp.get("/")
@accepts()
def landing():
    try:
        return render_template("index.html", data=landing_rows(), error=None)
    except ApiError as exc:
        return render_template("index.html", data=None, error=for_the_page(exc)), exc.status


@bp.get("/api/landing")
@accepts()
def api_landing():
    return current_app.json.response(landing_rows())


@bp.get("/surprise")
@accepts()
def surprise():
    """A random well-rated micro-genre (weighted rating above the catalogue's mean)."""
    data = landing_data()
    choices = data["surprise"] or data["largest"]
    if not choices:
        raise ApiError("no micro-genre to pick from: build the index with `make reindex`", status=503)
    return redirect(f"/micro-genres/{random.choice(choices)}")


# --- micro-genre pages ---------------------------------------------------------------------


def micro_page_data(micro_id: int, sort: str, page: int) -> dict[str, Any]:
    """A micro-genre with one page of its films, its evidence, siblings and nearest ones
    (cached per concrete index like the insight pages: it only changes with a reindex)."""
    movies, micro = _indices()

    def compute() -> dict[str, Any]:
        try:
            src = _client().get(index=micro, id=str(micro_id))["_source"]
        except NotFoundError:
            raise missing_micro(_client(), _settings().ids_index, micro_id) from None
        films, siblings, nearest = _msearch(
            [
                (movies, dd.micro_films_body(micro_id, sort, page, with_evidence="evidence" not in src)),
                (micro, dd.siblings_body(src.get("macro_genre_id"), micro_id)),
                (micro, search.micro_search_body(src["centroid"], dd.NEAREST, exclude=micro_id)),
            ]
        )
        return dd.shape_micro_page(src, films, siblings, nearest, sort, page)

    return CACHE.get_or_compute(("micro-page", movies, micro, micro_id, sort, page), compute)


def _micro_request(raw_id: str) -> dict[str, Any]:
    """The micro-genre page's data for the URL's ``sort`` and ``page`` (400 on bad values)."""
    micro_id = parse_id(raw_id)
    sort = request.args.get("sort", dd.MICRO_SORTS[0])
    if sort not in dd.MICRO_SORTS:
        raise ApiError(f"sort must be one of {', '.join(dd.MICRO_SORTS)}", field="sort")
    page = number_arg(request.args, "page", 1, dd.MAX_PAGE, default=1)
    micro = micro_page_data(micro_id, sort, page)
    if page > micro["pages"]:
        raise ApiError(f"page {page} is beyond the last page ({micro['pages']})", field="page")
    return micro


@bp.get("/micro-genres/<raw_id>")
@accepts("sort", "page", "moved_from")  # moved_from: the retired id a 301 came from
def micro_genre_page(raw_id: str):
    try:
        micro = _micro_request(raw_id)
    except Moved as moved:
        return redirect(moved.page(), code=301)
    except ApiError as exc:
        return render_template("micro_genre.html", micro=None, error=for_the_page(exc)), exc.status
    return render_template("micro_genre.html", micro=micro, error=None, note=Moved.note(request.args.get("moved_from", "")))


@bp.get("/api/micro-genres/<raw_id>/films")
@accepts("sort", "page")
def api_micro_page(raw_id: str):
    """JSON of ``/micro-genres/<id>``: exactly the data the page renders."""
    try:
        return current_app.json.response(_micro_request(raw_id))
    except Moved as moved:
        return moved_json(moved, f"/api/micro-genres/{moved.new}/films")


@bp.get("/api/movies/<raw_id>/why")
@accepts()
def api_why(raw_id: str):
    """Why a film is in its micro-genre: its keywords that are among the group's evidence."""
    movie_id = parse_id(raw_id)
    settings = _settings()
    try:
        movie = _client().get(index=settings.index_alias, id=str(movie_id), _source_includes=["keywords", "micro_genre_id"])["_source"]
    except NotFoundError as exc:
        raise document_missing(exc, lambda: unknown_movie(movie_id)) from None
    micro_id = movie.get("micro_genre_id")
    src = _client().get(index=settings.micro_alias, id=str(micro_id), _source_excludes=["centroid"])["_source"]
    evidence = src.get("evidence")
    if evidence is None:
        (resp,) = _msearch([(settings.index_alias, dd.micro_films_body(micro_id, "popularity", 1, with_evidence=True))])
        evidence = dd.evidence_from(resp)
    return current_app.json.response(dd.why(movie.get("keywords", []), evidence, micro_id, src.get("label")))


# --- likes ---------------------------------------------------------------------------------


def parse_ids(raw: str | None) -> list[int]:
    """``ids=1,2,3`` -> unique ids in order (400 naming ``ids`` on anything else)."""
    if not raw:
        return []
    parts = [p for p in raw.split(",") if p.strip()]
    if len(parts) > MAX_LIKED:
        raise ApiError(f"ids holds more than {MAX_LIKED} films", field="ids")
    if not all(p.strip().isdigit() for p in parts):
        raise ApiError("ids must be movie ids separated by commas", field="ids")
    return list(dict.fromkeys(int(p) for p in parts))


def likes_data(ids: list[int]) -> tuple[list[dict], dict | None]:
    """The liked films that exist, in order, and recommendations for them (cached per index)."""
    movies, micro = _indices()

    def compute() -> tuple[list[dict], dict | None]:
        hits = _client().search(index=movies, body=dd.ids_body(ids))["hits"]["hits"]
        found = {h["_source"]["id"]: search.shape_hit(h) for h in hits}
        liked = [found[i] for i in ids if i in found]
        if not liked:
            return liked, None
        rec = recommend(_client(), movies, [m["id"] for m in liked], LIKES_RECOMMENDED)
        titles = {m["id"]: m["title"] for m in liked}
        for row in rec["rows"]:
            row["because_titles"] = [titles[i] for i in row["because"]]
        return liked, rec

    return CACHE.get_or_compute(("likes", movies, micro, tuple(ids)), compute)


@bp.get("/likes")
@accepts("ids")
def likes_page():
    """Liked films (from the URL; likes.js puts the browser's list there) and recommendations."""
    try:
        ids = parse_ids(request.args.get("ids"))
        liked, rec = likes_data(ids) if ids else ([], None)
    except ApiError as exc:
        return render_template("likes.html", liked=[], rec=None, ids=[], error=for_the_page(exc)), exc.status
    return render_template("likes.html", liked=liked, rec=rec, ids=ids, error=None)


@bp.post("/api/recommend")
@accepts()
def api_recommend():
    """Diversified recommendations (``webapp.discover.recommend``); ``"method": "mean"`` is the old baseline."""
    body = request.get_json(silent=True)
    liked, size = parse_recommend(body)
    method = cast(dict[str, Any], body).get("method", "diverse")  # a dict: parse_recommend raised otherwise
    return jsonify(recommend(_client(), _settings().index_alias, liked, size, method))


# --- movie map -----------------------------------------------------------------------------


def map_json() -> str:
    """Every film's map position, title and groups as compact columns, serialised once per index."""
    movies, micro = _indices()

    def compute() -> str:
        (resp,) = _msearch([(movies, dd.map_body())])
        return json.dumps(dd.shape_map(resp), separators=(",", ":"))

    return CACHE.get_or_compute(("map", movies, micro), compute)


@bp.get("/api/map")
@accepts()
def api_map():
    return Response(map_json(), mimetype="application/json", headers={"Cache-Control": "public, max-age=300"})


@bp.get("/map")
@accepts("q")
def map_page():
    q = (request.args.get("q") or "").strip()[:200]
    return render_template("map.html", q=q)
