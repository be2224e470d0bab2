"""Request parameter validation: raw strings in, typed values out, or ``ApiError`` naming the field.

The one parameter layer of every page and API: one ``Filters`` (``macro`` is a macro theme
*id* everywhere), one year range, and one policy for names a route does not know (a 400
naming them, so a typo never passes silently). Views never touch ``request.args``
themselves; the query builders can therefore trust every value they receive.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, request

from webapp.api.errors import ApiError

MODES = ("hybrid", "keyword", "semantic")
SORTS = ("relevance", "rating", "popularity", "year")
FORMATS = ("json", "csv")
MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 100
TERM = re.compile(r"[^\W_]+|[^\w\s]")  # a word, or one symbol (the analyzer makes each emoji a term)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_SIZE = 100
MAX_LIKED = 50
MAX_MICRO_ID = 1_000_000  # micro-genre and macro theme ids; also keeps them inside an integer field
YEAR_MIN, YEAR_MAX = 1870, 2100  # earliest film ever made .. far future; outside is a typo
YEAR_RANGE = (YEAR_MIN, YEAR_MAX)
FILTER_FIELDS = ("genre", "micro_genre", "macro", "year_from", "year_to", "min_rating")
SEARCH_FIELDS = ("q", "mode", "sort", "page", "size", "format", *FILTER_FIELDS)
READ_FROM_TEXT = ("without", "ruled_out", "kinds")  # filters the query's words set, never a link's parameters


@dataclass(frozen=True)
class Filters:
    """Filters of every page and API (all optional); frozen and hashable, so a cache key."""

    genre: str | None = None
    micro_genre: int | None = None
    macro: int | None = None
    year_from: int | None = None
    year_to: int | None = None
    min_rating: float | None = None
    # What the query says it does not want ("action movies without superheroes"): read from its
    # text (``webapp.explore.intents.read_without``), never a URL parameter, so no link carries it
    without: tuple[str, ...] = ()
    # The TMDB genres its mood rules out ("heartwarming summer camp": Horror), read from the text too
    # (``webapp.explore.intents.ruled_out``); both are filters of every mode (``search.filter_clauses``)
    ruled_out: tuple[str, ...] = ()
    # The TMDB genres a "like <film> but <mood>" asks for, any of them ("like inception but funnier":
    # Comedy; ``webapp.explore.intents.read_like_but``), read from the text too
    kinds: tuple[str, ...] = ()

    def as_args(self) -> dict[str, Any]:
        """The non-empty filters, under their URL parameter names (for links and forms)."""
        return {k: v for k, v in self.__dict__.items() if v is not None and k not in READ_FROM_TEXT}

    def as_json(self) -> dict[str, Any]:
        """Every filter a page offers, set or not (None), as the insight pages echo them: not the
        ones a search query's words set, which those pages never read."""
        return {k: v for k, v in self.__dict__.items() if k not in READ_FROM_TEXT}


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    mode: str = "hybrid"
    filters: Filters = field(default_factory=Filters)
    sort: str = "relevance"
    page: int = 1
    size: int = 20
    format: str = "json"

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


def _text(args: Mapping[str, str], name: str, max_len: int = MAX_QUERY_CHARS) -> str | None:
    value = args.get(name)
    if value is None:
        return None
    value = value.strip()
    if len(value) > max_len:
        raise ApiError(f"{name} is longer than {max_len} characters", field=name)
    if CONTROL.search(value):  # Lucene reserves some (U+001E breaks the completion suggester): a 502 otherwise
        raise ApiError(f"{name} contains control characters", field=name)
    return value or None


def number_arg(args: Mapping[str, str], name: str, lo: float, hi: float, *, cast: type = int, default: float | None = None):
    """``args[name]`` as an ``int`` (or ``cast=float``) within [lo, hi]; absent or blank is ``default``.

    The one number parser of every page and API, so each reports a bad value the same way.
    """
    raw = args.get(name)
    if raw is None or raw.strip() == "":
        return default
    kind = "an integer" if cast is int else "a number"
    try:
        value = cast(raw.strip())
    except ValueError:
        raise ApiError(f"{name} must be {kind}, got {raw[:40]!r}", field=name) from None
    if not lo <= value <= hi:  # also rejects nan
        raise ApiError(f"{name} must be between {lo:g} and {hi:g}, got {raw.strip()[:40]}", field=name)
    return value


def _choice(args: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    raw = (args.get(name) or "").strip().lower() or choices[0]
    if raw not in choices:
        raise ApiError(f"{name} must be one of {', '.join(choices)}, got {raw[:40]!r}", field=name)
    return raw


def accepts(*names: str) -> Callable:
    """Declare the query parameters a view understands; ``check_parameters`` rejects the rest."""

    def mark(view: Callable) -> Callable:
        view.accepted_params = names  # type: ignore[attr-defined]
        return view

    return mark


def reject_unknown(args: Iterable[str], allowed: Iterable[str]) -> None:
    """400 naming every parameter not in ``allowed``."""
    allowed = tuple(allowed)
    unknown = sorted(set(args) - set(allowed))
    if unknown:
        names = ", ".join(unknown)
        raise ApiError(f"unknown parameter(s) {names}; this route accepts: {', '.join(allowed) or 'none'}", field=unknown[0])


def check_parameters(app: Flask) -> None:
    """Before each request: a view declared with ``@accepts`` gets only the names it declared."""

    @app.before_request
    def _known_parameters() -> None:
        view = current_app.view_functions.get(request.endpoint or "")
        allowed = getattr(view, "accepted_params", None)
        if allowed is not None:
            reject_unknown(request.args, allowed)


def parse_filters(args: Mapping[str, str]) -> Filters:
    filters = Filters(
        genre=_text(args, "genre", 100),
        micro_genre=number_arg(args, "micro_genre", 0, MAX_MICRO_ID),
        macro=number_arg(args, "macro", 0, MAX_MICRO_ID),
        year_from=number_arg(args, "year_from", *YEAR_RANGE),
        year_to=number_arg(args, "year_to", *YEAR_RANGE),
        min_rating=number_arg(args, "min_rating", 0.0, 10.0, cast=float),
    )
    if filters.year_from is not None and filters.year_to is not None and filters.year_from > filters.year_to:
        raise ApiError(f"year_to ({filters.year_to}) is before year_from ({filters.year_from})", field="year_to")
    return filters


def parse_size(args: Mapping[str, str], default: int) -> int:
    return number_arg(args, "size", 1, MAX_SIZE, default=default)


def parse_query(args: Mapping[str, str]) -> str:
    """The free-text ``q`` (stripped, at most 500 characters and MAX_QUERY_TERMS terms; "" when absent).

    Each term becomes clauses on several fields; past about 150 terms OpenSearch refuses the
    query (``too_many_nested_clauses``, measured), so the limit is checked here, as a 400.
    """
    q = _text(args, "q") or ""
    if len(TERM.findall(q)) > MAX_QUERY_TERMS:
        raise ApiError(f"q has more than {MAX_QUERY_TERMS} words", field="q")
    return q


def parse_search(args: Mapping[str, str]) -> SearchParams:
    """Validate ``/api/search`` (and ``/explore``) parameters."""
    return SearchParams(
        q=parse_query(args),
        mode=_choice(args, "mode", MODES),
        filters=parse_filters(args),
        sort=_choice(args, "sort", SORTS),
        page=number_arg(args, "page", 1, 10_000, default=1),
        size=parse_size(args, 20),
        format=_choice(args, "format", FORMATS),
    )


def parse_id(raw: str, name: str = "id") -> int:
    """A TMDB or micro-genre id from a URL segment: digits only."""
    return number_arg({name: raw}, name, 0, 2**31 - 1)


def parse_recommend(body: Any) -> tuple[list[int], int]:
    """``{"liked": [ids], "size": N}`` -> (unique ids in order, size)."""
    if not isinstance(body, dict):
        raise ApiError('body must be a JSON object like {"liked": [603], "size": 10}', field="body")
    liked = body.get("liked")
    if not isinstance(liked, list) or not liked:
        raise ApiError("liked must be a non-empty list of movie ids", field="liked")
    if len(liked) > MAX_LIKED:
        raise ApiError(f"liked holds more than {MAX_LIKED} ids", field="liked")
    if not all(isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in liked):
        raise ApiError("liked must hold movie ids (non-negative integers)", field="liked")
    size = body.get("size", 10)
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_SIZE:
        raise ApiError(f"size must be an integer between 1 and {MAX_SIZE}", field="size")
    return list(dict.fromkeys(liked)), size
