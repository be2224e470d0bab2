"""Overview, Trends and About-the-model pages, and the Landing, Overview and Trends JSON endpoints.

Each page's figures come from one ``_msearch`` of aggregations (plus one small follow-up search
when the first answer decides what to fetch next), shaped by ``chart_data`` and cached per
concrete index in ``agg_cache``. A page embeds exactly the JSON its ``/api/...`` twin returns.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from opensearchpy import OpenSearch

from webapp.api.errors import ApiError, for_the_page
from webapp.api.msearch import msearch
from webapp.api.params import Filters, accepts, parse_filters
from webapp.explore.successors import current_id
from webapp.insights import chart_data as shape
from webapp.insights.agg_cache import CACHE, concrete_indices
from webapp.insights.aggregations import overview_searches, picked_body, top_movies_body, trends_searches
from webapp.insights.params import INSIGHT_FIELDS, TRENDS_FIELDS, TrendsParams, parse_trends

bp = Blueprint("insights", __name__, template_folder="templates")


# --- data (shared by pages and API) --------------------------------------------------------


def _client() -> OpenSearch:
    return current_app.extensions["opensearch"]


def _msearch(searches: list[tuple[str, dict]]) -> list[dict]:
    """The runs index may not exist yet (no run recorded): its search answers empty, not an error."""
    return msearch(_client(), searches, "an aggregation", ignore_unavailable=True)


def _indices() -> tuple[str, str]:
    settings = current_app.config["SETTINGS"]
    movies, micro = concrete_indices(_client(), settings.index_alias, settings.micro_alias)
    return movies, micro


def _check_known(catalog: dict, filters: Filters, micro_ids: tuple[int, ...] = (), field: str = "micro") -> None:
    if filters.macro is not None and filters.macro not in {m["id"] for m in catalog["macros"]}:
        raise ApiError(f"unknown macro theme id {filters.macro}", field="macro")
    for mid in micro_ids:
        if str(mid) not in catalog["micros"]:
            raise ApiError(f"unknown micro-genre id {mid}", field=field)


def overview_data(filters: Filters) -> dict:
    movies, micro = _indices()
    runs_index = current_app.config["SETTINGS"].runs_index

    def compute() -> dict:
        resp, runs, docs = _msearch(overview_searches(movies, micro, runs_index, filters))
        _check_known(shape.catalog_from(resp["aggregations"]), filters)
        data = shape.shape_overview(resp, runs, docs, filters)
        ids = shape.ranked_micro_ids(data)
        if ids:  # top_hits only for the ranked micro-genres: all 160+ would cost ~10x more
            (top,) = _msearch([(movies, top_movies_body(filters, ids))])
            data = shape.attach_top_movies(data, top)
        return data

    return CACHE.get_or_compute(("overview", movies, micro, runs_index, filters), compute)


def landing_data() -> dict:
    return shape.shape_landing(overview_data(Filters()))


def trends_data(params: TrendsParams) -> dict:
    movies, micro = _indices()
    ids_index = current_app.config["SETTINGS"].ids_index
    params = replace(
        params,
        micro=tuple(current_id(_client(), ids_index, "micro", i) for i in params.micro),
        cloud_micro=current_id(_client(), ids_index, "micro", params.cloud_micro),
    )

    def compute() -> dict:
        responses = _msearch(trends_searches(movies, params))
        catalog = shape.catalog_from(responses[0]["aggregations"])
        _check_known(catalog, params.filters, params.micro)
        if params.cloud_micro is not None:
            _check_known(catalog, Filters(), (params.cloud_micro,), field="cloud_micro")
        data = shape.shape_trends(responses[0], responses[1], params)
        ids = list(params.micro) or shape.default_picked(data)
        if ids:
            picked = responses[2] if params.micro else _msearch([(movies, picked_body(params.filters, ids))])[0]
            data = shape.attach_picked(data, picked, ids)
        data["insights"] = shape.trend_insights(data)
        return data

    return CACHE.get_or_compute(("trends", movies, micro, params), compute)


@bp.app_template_global()
def insights_url(**changes) -> str:
    """The current page's URL with some parameters changed (``None`` drops one)."""
    args = _args() | {k: v for k, v in changes.items() if v is not None}
    for name in (k for k, v in changes.items() if v is None):
        args.pop(name, None)
    if request.endpoint is None:  # only the routed insight pages render it
        raise TypeError("insights_url needs a request that matched a route")
    return url_for(request.endpoint, **args)


def _args() -> dict[str, str]:
    """Query args as one string each; repeated values (a multi-select) join with commas."""
    return {k: ",".join(request.args.getlist(k)) for k in request.args}


# --- JSON ----------------------------------------------------------------------------------


@bp.get("/api/overview")
@accepts(*INSIGHT_FIELDS)
def api_overview():
    return jsonify(overview_data(parse_filters(_args())))


@bp.get("/api/trends")
@accepts(*TRENDS_FIELDS)
def api_trends():
    return jsonify(trends_data(parse_trends(_args())))


# --- pages ---------------------------------------------------------------------------------


def _page(template: str, load, **context):
    """Render ``template`` with ``data``; a bad parameter shows on the page with its status."""
    try:
        return render_template(template, data=load(), error=None, **context)
    except ApiError as exc:
        return render_template(template, data=None, error=for_the_page(exc), **context), exc.status


@bp.get("/about-model")
@accepts()
def about_model():
    """How the micro-genres were made and how well the clustering scores (not for browsing)."""
    return _page("about_model.html", lambda: overview_data(Filters()))


@bp.get("/overview")
@accepts(*INSIGHT_FIELDS)
def overview():
    args = _args()
    return _page("overview.html", lambda: overview_data(parse_filters(args)), args=args)


@bp.get("/trends")
@accepts(*TRENDS_FIELDS)
def trends():
    args = _args()
    return _page("trends.html", lambda: trends_data(parse_trends(args)), args=args)
