"""Explorer: the search JSON API and the ``/explore`` page (micro-genre pages: ``webapp.discover``).

The pages are rendered on the server from the same functions the API uses, so every state
(query, mode, filters, page, open movie) is a plain URL that can be shared, and the site
works with the keyboard and without JavaScript.
"""

from __future__ import annotations

import csv
import io
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from opensearchpy.exceptions import NotFoundError

from mgm.client import stored_vectors
from webapp.api.errors import ApiError, document_missing, for_the_page, unknown_movie
from webapp.api.msearch import msearch
from webapp.api.params import (
    FILTER_FIELDS,
    SEARCH_FIELDS,
    Filters,
    SearchParams,
    accepts,
    number_arg,
    parse_filters,
    parse_id,
    parse_query,
    parse_search,
    parse_size,
)
from webapp.explore import fusion, search, themes
from webapp.explore.highlight import highlight, query_stems
from webapp.explore.intents import Reading, content_text, kind_beside_subject, kind_clauses, language_codes, read_query, says_recent
from webapp.explore.successors import Moved, current_filters, missing_micro, moved_json
from webapp.explore.tones import tone_evidence

bp = Blueprint("explorer", __name__, template_folder="templates")
log = logging.getLogger(__name__)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = (
    "id",
    "title",
    "year",
    "genres",
    "micro_genre_id",
    "micro_genre",
    "macro_genre",
    "vote_average",
    "vote_count",
    "rating_weighted",
    "score",
)


def _client():
    return current_app.extensions["opensearch"]


def _settings():
    return current_app.config["SETTINGS"]


def _embed(text: str) -> list[float]:
    """One query vector per request, with the model loaded (and warmed) at app start."""
    encoder = current_app.extensions.get("query_encoder")
    if encoder is None:
        raise ApiError("semantic search is unavailable: the embedding model is not loaded", field="mode", status=503)
    return encoder.encode_one(text).tolist()


# --- operations shared by the API and the pages ----------------------------------------------


def find(
    client,
    index: str,
    micro_index: str,
    params: SearchParams,
    embed: Callable[[str], list[float]],
    *,
    floor: float = search.RELATIVE_FLOOR,
    keep: int = search.MIN_KEPT,
    micro: bool = True,
    micro_options: dict[str, float] | None = None,
    lift: float = themes.MICRO_LIFT,
    shelf_lift: float = themes.SHELF_LIFT,
    shelf_gate: bool = True,
    shelf_browse: float = themes.SHELF_BROWSE_LIFT,
    genre_browse: float = themes.GENRE_BROWSE_LIFT,
    theme_browse: float = themes.THEME_BROWSE_LIFT,
    headed_browse: float = themes.HEADED_BROWSE_LIFT,
    like_shelf: float = themes.LIKE_SHELF_LIFT,
    like_browse: float = themes.LIKE_BROWSE_LIFT,
    genre_lift: float = themes.GENRE_LIFT,
    rule_out: bool = True,
    fused_prior: float = search.FUSED_PRIOR,
    prior_field: str = search.PRIOR_FIELD,
    mood_anchor: float = fusion.MOOD_VECTOR_ANCHOR,
    extras: bool = True,
    extra_source: tuple[str, ...] = (),
    **options: Any,
) -> dict[str, Any]:
    """One search as the app runs it, without Flask: the API, the pages and ``bench.relevance`` call this.

    The query is read first (``webapp.explore.intents``: years become the year filter, "like <title>"
    the films like that one); hybrid then matches a short query to a micro-genre and to the
    macro themes (fan shelves) it names (in the app, ``micro_table``) and lifts their films.
    Hybrid and "like <film>" rank a window of relevant films that the
    app sorts, counts and pages; the other modes let OpenSearch page, sort and aggregate.
    Either way ``total``, ``facets`` and the page describe the same set. ``floor``, ``keep``,
    ``micro``, ``micro_options`` (``micro_match``'s thresholds), ``lift``, ``shelf_lift``, ``shelf_gate`` (the
    named shelves' films enter the hybrid set, ``search.keyword_query``), ``shelf_browse`` (the lift of a
    query that is a shelf's own words, ``themes.browses_shelf``; 0: no browse), ``genre_browse`` (the same for a
    query that only names genres, ``intents.Reading.browse``), ``genre_lift`` (films of the
    genres the query names, ``intents.named_genres``), ``rule_out`` (leave out the genres its mood rules
    out, ``intents.ruled_out``), ``like_shelf`` and ``like_browse`` (hybrid "like <film>": its
    shelf's films lifted, its shelf's best-known films brought, ``themes.like_browse``), ``fused_prior`` and its
    ``prior_field``, ``mood_anchor`` (``fusion.vector_top``) and
    ``options`` (``search.main_query``'s) let the benchmark sweep each setting; ``extras=False`` drops the
    facets and the suggester, ``extra_source`` asks for more fields (the benchmark's needs).
    """
    reading = read_query(params.q, params.filters, newest_year(client, index) if says_recent(params.q) else None)
    params = replace(params, q=reading.q, filters=reading.filters if rule_out else replace(reading.filters, ruled_out=()))
    liked = None  # like_film's (film, vector) for a "like <title>" query
    if params.q and params.mode != "keyword":  # keyword mode reads words
        liked = like_film(client, index, params.q)
    like = liked[0] if liked is not None else None
    limit = search.window(params, like=like is not None)
    if params.offset >= limit:
        raise ApiError(f"page {params.page} starts beyond the {limit} best matches this search ranks; lower page or size", field="page")
    match = vector = None
    shelves: list[dict[str, Any]] = []
    theme_text = reading.theme_text  # without "based on books": what the theme matches read
    terms = search.micro_terms(theme_text)  # a short query's topic words ([] for a plot)
    if liked is not None:
        film, film_vector = liked
        body = search.like_body(film["id"], film_vector, params.filters, limit, params.mode, index)
    else:
        vector = embed(params.q) if params.q and params.mode != "keyword" else None
        options = {"about": reading.about, **options}
        if vector is not None:
            options = {"candidates": knn_candidates(client, index), **options}
        if shelf_gate and shelf_lift and search.ranked(params) and params.filters.macro is None:
            options = {"shelves": themes.named_shelves(terms, theme_text), **options}
        body = search.search_body(params, vector, **options)
    if not extras:
        body.pop("aggs", None)
        body.pop("suggest", None)
    if extra_source:
        body["_source"] = [*body["_source"], *extra_source]
    if vector is not None:
        body.setdefault("aggs", {})[search.WORDS_SEEN] = search.words_seen_agg(params.q)
    fused = params.mode == "hybrid" and (like is not None or search.ranked(params))
    top = fusion.vector_top(params.q, mood_anchor) if like is None else None
    if like is None:
        browsed = _browse(reading, params, terms, genre_browse, theme_browse, headed_browse) if search.ranked(params) else None
    else:
        browsed = themes.like_browse(like, like_browse) if fused else None
    browse_films = (
        themes.popular_films_body(browsed.clauses, params.filters, body["_source"], by=browsed.by, evidence=browsed.evidence) if browsed else None
    )
    resp = fusion.hybrid_search(client, index, body, top, browse_films) if fused else client.search(index=index, body=body)
    if vector is not None and search.words_unseen(resp):  # only the vector side: a stricter cosine (search.UNSEEN_WORDS_MIN_SCORE)
        del body["aggs"][search.WORDS_SEEN]
        body["query"] = search.main_query(params, vector, **{**options, "min_score": search.UNSEEN_WORDS_MIN_SCORE})
        resp = fusion.hybrid_search(client, index, body, top, browse_films) if fused else client.search(index=index, body=body)
    hits = resp["hits"]["hits"]
    if like is not None or search.ranked(params):
        if fused and like is not None and like_shelf and like.get("macro_genre_id") is not None:  # hybrid "like <film>": its shelf first
            hits = search.lift(hits, "macro_genre_id", {like["macro_genre_id"]}, like_shelf)
        if like is not None and browsed is not None:  # ... and its shelf's best-known films come too
            hits = browsed.join(hits, resp.get("also", []))
        if like is None:  # "like": the film itself tops both sides, so a floor relative to it would keep little
            table = micro_table(client, index, micro_index, hits[0]["_index"]) if terms and hits else None
            if table is not None and micro and params.filters.micro_genre is None:
                if vector is None:  # hybrid embeds every ranked query, the only kind with a table
                    raise TypeError("a ranked query without its vector")
                match = themes.micro_match(table, terms, vector, **(micro_options or {}))
            if table is not None and shelf_lift and params.filters.macro is None:
                shelves = themes.shelf_match(table, terms, theme_text, hits)
            # beside a genre word ("alien comedy"), the topic's micro-genre and shelves lift only films of the genre:
            # the micro-genre "Alien" ranked Alien, Aliens and Avatar above Men in Black
            both = frozenset(reading.genres) if kind_beside_subject(params.q) else frozenset()
            if match is not None:
                hits = search.lift(hits, "micro_genre_id", {match["id"]}, lift, kinds=both)
            if shelves:
                shelf_browsed = browsed is not None and browsed.field == "macro_genre"  # its films came already
                browse = bool(shelf_browse) and match is None and not shelf_browsed and themes.browses_shelf(terms, theme_text)
                if browse:  # a second round trip (it needs the micro-genre match), for the few queries that are a shelf's own words
                    on_shelves = [{"terms": {"macro_genre": [s["label"] for s in shelves]}}]
                    more = themes.popular_films_body(on_shelves, params.filters, body["_source"])
                    hits = themes.with_films(hits, client.search(index=index, body=more)["hits"]["hits"])
                hits = search.lift(hits, "macro_genre_id", {s["id"] for s in shelves}, shelf_browse if browse else shelf_lift, kinds=both)
            if browsed is not None:
                hits = browsed.join(hits, resp.get("also", []))
            hits = search.relevant_window(search.popular_first(hits, fused_prior, prior_field), floor, keep)
            if reading.genres and genre_lift and params.filters.genre is None:  # reorders the set, never cuts it
                hits = search.lift(hits, "genres", set(reading.genres), genre_lift)
            hits = search.titles_first(hits, params.q, table.themes if table is not None else frozenset())
        hits = hits[:limit]  # a browse's films join both windows' union: the set stays what the pages reach
        facets = search.count_facets([h["_source"] for h in hits])
        total = len(hits)
        hits = search.window_page(hits, params)
    else:
        facets = search.shape_facets(resp.get("aggregations", {}))
        total = resp["hits"]["total"]["value"]
    return {
        "params": params,
        "reading": reading,
        "like": like,
        "micro_genre_match": match,
        "macro_genre_matches": shelves,
        "window": limit,
        "hits": hits,
        "total": total,
        "facets": facets,
        "response": resp,
    }


def _browse(
    reading: Reading, params: SearchParams, terms: list[str], genre_lift: float, theme_lift: float, headed_lift: float
) -> themes.Browse | None:
    """What a ranked query browses, if anything: the genres and languages it only names ("horror
    movies", "korean thriller", ``intents.Reading.browse``), the shelf whose name it is ("heist movies", ``themes.theme_shelves``)
    or the shelf its first word heads (the shelf's films matching its words: "heist crew double
    cross", ``themes.headed_shelves``). Their most popular films come in the hybrid search's own
    _msearch. A lift of 0 turns one off."""
    if genre_lift and reading.browse and params.filters.genre is None:
        clauses = kind_clauses(reading)
        field: str | None
        if reading.scale or reading.tones or not (reading.genres or reading.languages):  # "gory horror", "must-see movies": its films first
            field, values = None, set()
        elif reading.languages:  # "korean thriller": every film of the language ranks first
            field, values = "original_language", set(language_codes(reading.languages))
        else:
            field, values = "genres", set(reading.genres)
        return themes.Browse(clauses, field, values, genre_lift, by=reading.browse_by, evidence=tuple(tone_evidence(reading.tones)))
    if params.filters.macro is not None:
        return None
    shelves = themes.theme_shelves(terms) if theme_lift else []
    if shelves:
        return themes.Browse([{"terms": {"macro_genre": shelves}}], "macro_genre", set(shelves), theme_lift)
    shelves = themes.headed_shelves(terms) if headed_lift else []
    if shelves:
        return themes.headed_browse(terms, params.q, shelves, headed_lift)
    return None


def run_search(params: SearchParams) -> dict[str, Any]:
    """Execute a validated search (``find``: one OpenSearch request, two for "like <title>") and shape the API response."""
    params = replace(params, filters=_current(params.filters))  # retired micro-genre / macro ids
    settings = _settings()
    found = find(_client(), settings.index_alias, settings.micro_alias, params, _embed)
    searched, like, total = found["params"], found["like"], found["total"]
    results = [search.shape_hit(h) for h in found["hits"]]
    stems = query_stems(content_text(searched.q)) if searched.q and like is None else frozenset()  # the words BM25 searched
    for r in results:
        marked = highlight(r["overview"], stems)
        if marked:
            r["highlight"] = {"overview": marked}
    return {
        "total": total,
        "took_ms": found["response"]["took"],
        "mode": params.mode,
        "page": params.page,
        "size": params.size,
        "window": found["window"],
        "pages": max(1, -(-min(total, found["window"]) // params.size)),
        "like": like,
        "intents": found["reading"].intents(),
        "micro_genre_match": found["micro_genre_match"],
        "macro_genre_matches": found["macro_genre_matches"],
        "did_you_mean": search.suggestion(found["response"], searched.q, total) if searched.q and like is None else None,
        "results": results,
        "facets": found["facets"],
    }


_READ: dict[tuple[str, str], tuple[float, Any]] = {}  # (what, alias) -> (monotonic time read, value)
SIZE_SECONDS = 60.0


def _once_a_minute(what: str, index: str, read: Callable[[], Any]) -> Any:
    """``read()``'s value for the served ``index``, read again at most every ``SIZE_SECONDS``:
    facts of the catalogue a reindex changes (its size, its newest year), which a search needs
    and which would cost a round trip per request."""
    now = time.monotonic()
    seen = _READ.get((what, index))
    if seen is None or now - seen[0] > SIZE_SECONDS:
        seen = _READ[(what, index)] = (now, read())
    return seen[1]


def knn_candidates(client, index: str) -> int | None:
    """``search.KNN_CANDIDATES`` when the served catalogue holds more than ``search.EXACT_KNN_MAX``
    films, else None (every film scored exactly). The count is read at most once a minute: a
    reindex that crosses the line takes effect within it, and either way the answers are right."""
    films = _once_a_minute("films", index, lambda: int(client.count(index=index)["count"]))
    return search.KNN_CANDIDATES if films > search.EXACT_KNN_MAX else None


def newest_year(client, index: str) -> int | None:
    """The newest release year the served catalogue holds (what "recent thrillers" counts back
    from, ``intents.read_era``), read at most once a minute."""

    def read() -> int | None:
        body = {"size": 0, "aggs": {"newest": {"max": {"field": "year"}}}}
        value = client.search(index=index, body=body)["aggregations"]["newest"]["value"]
        return int(value) if value is not None else None

    return _once_a_minute("newest year", index, read)


_MICRO_TABLES: OrderedDict[str, themes.MicroTable] = OrderedDict()
_MICRO_TABLES_LOCK = threading.Lock()
MICRO_TABLES_KEPT = 2  # the served index and the one before a swap


def micro_table(client, index: str, micro_index: str, served: str) -> themes.MicroTable:
    """The micro-genres published with ``served`` (the index the hits came from), and the macro
    themes its films sit on (``themes.shelf_table_body``), read once.

    The indexer publishes ``<alias>-<run>`` for both aliases in one swap, so the run of the
    served movies index names its micro-genres index: the table can never pair one run's films
    with another run's micro-genre ids, and a swap needs no TTL. If the names do not follow
    that rule, the micro-genres alias is read instead.
    """
    with _MICRO_TABLES_LOCK:
        if served in _MICRO_TABLES:
            return _MICRO_TABLES[served]
    run = served[len(index) + 1 :] if served.startswith(index + "-") else None
    try:
        hits = client.search(index=f"{micro_index}-{run}" if run else micro_index, body=themes.micro_table_body())["hits"]["hits"]
    except NotFoundError:
        hits = client.search(index=micro_index, body=themes.micro_table_body())["hits"]["hits"]
    served_table = client.search(index=served, body=themes.shelf_table_body())
    table = themes.MicroTable.from_docs([h["_source"] for h in hits], themes.shelf_rows(served_table), themes.theme_phrases(served_table))
    with _MICRO_TABLES_LOCK:
        _MICRO_TABLES[served] = table
        while len(_MICRO_TABLES) > MICRO_TABLES_KEPT:
            _MICRO_TABLES.popitem(last=False)
    return table


def like_film(client, index: str, q: str) -> tuple[dict[str, Any], list[float]] | None:
    """The film a "like X" / "movies like X" / "similar to X" query names, with its vector, if the
    catalogue has one and the whole query is no title itself ("Like Crazy"): one ``_msearch``."""
    title = search.like_title(q)
    if title is None:
        return None
    whole, named = msearch(client, [(index, search.is_title_body(q)), (index, search.find_title_body(title))], "a title lookup")
    hits = named["hits"]["hits"]
    if whole["hits"]["total"]["value"] or not hits:
        return None
    return hits[0]["_source"], hits[0]["fields"]["vector"][0]


def get_movie(movie_id: int) -> dict[str, Any]:
    """The movie document (404 ``ApiError`` when the id is unknown)."""
    try:
        doc = _client().get(index=_settings().index_alias, id=str(movie_id))
    except NotFoundError as exc:
        raise document_missing(exc, lambda: unknown_movie(movie_id)) from None
    return doc["_source"]


def movie_view(src: dict[str, Any]) -> dict[str, Any]:
    """The movie document in the API's shape (micro-genre as an object, like search results)."""
    out = {k: v for k, v in src.items() if k not in ("micro_genre", "micro_genre_id", "micro_genre_keywords")}
    out["micro_genre"] = {
        "id": src.get("micro_genre_id"),
        "label": src.get("micro_genre"),
        "keywords": src.get("micro_genre_keywords", []),
    }
    return out


def _vectors(seeds: list[int], field: str) -> list[list[float]]:
    """The stored vectors of ``seeds``; unknown ids are a 404 naming ``field``."""
    vectors = stored_vectors(_client(), _settings().index_alias, seeds)
    missing = [i for i in seeds if i not in vectors]
    if missing:
        raise ApiError(f"unknown movie id(s): {missing}", field=field, status=404)
    return [vectors[i] for i in seeds]


def nearest_films(movie_id: int, filters: Filters, size: int) -> list[dict[str, Any]]:
    """ "Similar films": the films nearest one film's vector, itself excluded (404 if unknown).

    Recommendations from several liked films live in ``webapp.discover.recommend``.
    """
    vector = _vectors([movie_id], "id")[0]
    body = search.similar_body(vector, [movie_id], _current(filters), size)
    hits = _client().search(index=_settings().index_alias, body=body)["hits"]["hits"]
    return [search.shape_hit(h) for h in hits]


def _current(filters: Filters) -> Filters:
    return current_filters(_client(), _settings().ids_index, filters)


def get_micro(micro_id: int, neighbours: int = 6) -> dict[str, Any]:
    """A micro-genre with its nearest micro-genres by centroid; ``Moved`` for a retired id."""
    try:
        src = _client().get(index=_settings().micro_alias, id=str(micro_id))["_source"]
    except NotFoundError as exc:
        raise document_missing(exc, lambda: missing_micro(_client(), _settings().ids_index, micro_id)) from None
    body = search.micro_search_body(src["centroid"], neighbours, exclude=micro_id)
    hits = _client().search(index=_settings().micro_alias, body=body)["hits"]["hits"]
    out = search.shape_micro(src)
    # Lucene's cosinesimil score is (1 + cos) / 2; report the cosine itself.
    out["neighbours"] = [dict(search.shape_micro(h["_source"]), similarity=round(2 * h["_score"] - 1, 4)) for h in hits]
    return out


# --- JSON API -------------------------------------------------------------------------------


@bp.get("/api/search")
@accepts(*SEARCH_FIELDS)
def api_search():
    params = parse_search(request.args)
    result = run_search(params)
    if params.format == "csv":
        return _csv_response(result["results"])
    return jsonify(result)


def csv_cell(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR) gets a
    leading apostrophe, so it opens as text (OWASP's CSV-injection advice); numbers pass as they are."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def _csv_response(results: list[dict[str, Any]]) -> Response:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for r in results:
        row = [
            r["id"],
            r["title"],
            r["year"],
            "|".join(r["genres"]),
            r["micro_genre"]["id"],
            r["micro_genre"]["label"],
            r["macro_genre"],
            r["vote_average"],
            r["vote_count"],
            r["rating_weighted"],
            r["score"],
        ]
        writer.writerow([csv_cell(v) for v in row])
    return Response(buf.getvalue(), mimetype="text/csv", headers={"Content-Disposition": "attachment; filename=movies.csv"})


@bp.get("/api/movies/<raw_id>")
@accepts()
def api_movie(raw_id: str):
    return jsonify(movie_view(get_movie(parse_id(raw_id))))


@bp.get("/api/movies/<raw_id>/similar")
@accepts("size", *FILTER_FIELDS)
def api_similar(raw_id: str):
    movie_id = parse_id(raw_id)
    results = nearest_films(movie_id, parse_filters(request.args), parse_size(request.args, 10))
    return jsonify({"id": movie_id, "results": results})


@bp.get("/api/micro-genres")
@accepts("q", "size", "offset")
def api_micro_genres():
    q = parse_query(request.args)
    if q:
        size = parse_size(request.args, 10)
        body = search.micro_search_body(_embed(q), size)
    else:  # the list: every micro-genre by default, or a page of them
        size = number_arg(request.args, "size", 1, search.MICRO_LIST_MAX, default=search.MICRO_LIST_MAX)
        offset = number_arg(request.args, "offset", 0, search.MICRO_LIST_MAX, default=0)
        body = search.micro_list_body(size, offset)
    resp = _client().search(index=_settings().micro_alias, body=body)
    results = [dict(search.shape_micro(h["_source"]), score=h["_score"]) for h in resp["hits"]["hits"]]
    return jsonify({"total": resp["hits"]["total"]["value"], "q": q, "results": results})


@bp.get("/api/micro-genres/<raw_id>")
@accepts()
def api_micro_genre(raw_id: str):
    try:
        return jsonify(get_micro(parse_id(raw_id)))
    except Moved as moved:
        return moved_json(moved, f"/api/micro-genres/{moved.new}")


@bp.get("/api/suggest")
@accepts("q", "size")
def api_suggest():
    q = parse_query(request.args)
    if not q:
        raise ApiError("q is required", field="q")
    size = parse_size(request.args, 8)
    resp = _client().search(index=_settings().index_alias, body=search.suggest_body(q, size))
    return jsonify({"q": q, "results": search.merge_suggestions(resp, size)})


# --- pages ----------------------------------------------------------------------------------


def _linker(args: dict[str, Any]):
    """``link(**changes)``: the current explorer URL with some parameters changed (None drops)."""

    def link(**changes: Any) -> str:
        merged = dict(args)
        if "page" not in changes:
            merged.pop("page", None)  # a new filter or query starts at page 1
        merged.update(changes)
        clean = {k: v for k, v in merged.items() if v not in (None, "")}
        return "/explore" + ("?" + urlencode(clean) if clean else "")

    return link


@bp.get("/explore")
@accepts("movie", *SEARCH_FIELDS)
def explore_page():
    args = {k: v for k, v in request.args.items() if v != ""}
    link = _linker(args)
    error = result = params = movie = similar = None
    status = 200
    try:
        params = parse_search(args)
        result = run_search(params)
        if "movie" in args:
            movie = movie_view(get_movie(parse_id(args["movie"], "movie")))
            similar = nearest_films(movie["id"], Filters(), 6)
    except ApiError as exc:
        error, status = for_the_page(exc), exc.status
    return (
        render_template(
            "explore.html",
            params=params or SearchParams(),
            result=result,
            error=error,
            args=args,
            link=link,
            movie=movie,
            similar=similar,
            csv_link="/api/search?" + urlencode({**args, "format": "csv"}),
            json_link="/api/search?" + urlencode({k: v for k, v in args.items() if k not in ("movie", "format")}),
        ),
        status,
    )
