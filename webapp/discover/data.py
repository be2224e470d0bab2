"""Request bodies and shapers of the discovery pages (pure functions, no server access).

The micro-genre documents of the new taxonomy carry ``evidence`` (phrase, share inside,
share in the catalogue) and ``label_fit``; until an index has them, the same evidence is
derived here with a ``significant_terms`` aggregation on the films' keywords, whose buckets
hold exactly those two counts (foreground and background).
"""

from __future__ import annotations

import math
from typing import Any

from webapp.explore import search

PAGE_SIZE = 24
MAX_PAGE = 10_000 // PAGE_SIZE  # index.max_result_window
ROW_FILMS = 12
NEAREST = 6
EVIDENCE_SIZE = 10
MICRO_SORTS = ("popularity", "rating", "year", "votes")
CARD_SOURCE = [
    "id",
    "title",
    "year",
    "genres",
    "micro_genre",
    "micro_genre_id",
    "macro_genre",
    "macro_genre_id",
    "vote_average",
    "vote_count",
    "rating_weighted",
    "poster_path",
]  # what a card shows: no overview
ROW_MACROS = 3
ROW_BEST_MICROS = 3
ROW_LARGEST_MICROS = 2


def _films(query: dict, sort: str, offset: int, size: int) -> dict[str, Any]:
    order = [{"vote_count": {"order": "desc"}}] if sort == "votes" else search.opensearch_sort(sort)
    return {"query": query, "sort": order, "from": offset, "size": size, "_source": CARD_SOURCE, "track_total_hits": True}


# --- landing rows --------------------------------------------------------------------------


def row_picks(landing: dict) -> list[dict[str, Any]]:
    """Which rows the landing shows: the macro themes whose films fans know best (the most TMDB
    votes), then the best-rated and largest micro-genres.

    A visitor judges the site by the films they know. By size, the first rows were the broad
    shelves (Romantic Comedies, Dramas, Romantic Dramas), the very genre names the themes are
    meant to go beyond; by votes they are Animated Family Adventures, Superheroes and Comic
    Books, and Dystopian and Future Sci-Fi."""
    known_first = sorted(landing["macros"], key=lambda m: (-m["votes"], m["name"]))
    picks = [
        {
            "kind": "macro",
            "label": m["name"],
            "note": f"{m['count']} films · {m['micro_genres']} micro-genres",
            "filter": {"term": {"macro_genre": m["name"]}},
        }
        for m in known_first[:ROW_MACROS]
    ]
    seen: set[int] = set()
    for m in landing["best_rated"][:ROW_BEST_MICROS] + landing["largest"][:ROW_LARGEST_MICROS]:
        if m["micro_id"] in seen:
            continue
        seen.add(m["micro_id"])
        picks.append(
            {
                "kind": "micro",
                "label": m["name"],
                "href": f"/micro-genres/{m['micro_id']}",
                "filter": {"term": {"micro_genre_id": m["micro_id"]}},
                "note": f"{m['count']} films · {m['macro']}",
            }
        )
    return picks


def row_body(pick: dict) -> dict[str, Any]:
    """The most-voted films of a row (the ones a fan is likely to recognise)."""
    return _films({"bool": {"filter": [pick["filter"]]}}, "votes", 0, ROW_FILMS)


def shape_rows(picks: list[dict], responses: list[dict]) -> list[dict[str, Any]]:
    rows = []
    for pick, resp in zip(picks, responses):
        films = [search.shape_hit(h) for h in resp["hits"]["hits"]]
        if not films:
            continue
        href = pick.get("href") or f"/explore?macro={films[0]['macro_genre_id']}"  # explore filters themes by id
        rows.append({k: v for k, v in pick.items() if k != "filter"} | {"href": href, "films": films})
    return rows


# --- micro-genre page ----------------------------------------------------------------------


def micro_films_body(micro_id: int, sort: str, page: int, with_evidence: bool) -> dict[str, Any]:
    """One page of the micro-genre's films; with ``with_evidence``, its distinctive keywords."""
    body = _films({"bool": {"filter": [{"term": {"micro_genre_id": micro_id}}]}}, sort, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    if with_evidence:
        body["aggs"] = {"evidence": {"significant_terms": {"field": "keywords", "size": EVIDENCE_SIZE, "min_doc_count": 3}}}
    return body


def evidence_from(resp: dict) -> list[dict[str, Any]]:
    """``significant_terms`` buckets -> [{phrase, share, catalogue_share}] (the taxonomy's shape)."""
    agg = resp["aggregations"]["evidence"]
    inside, everywhere = agg["doc_count"] or 1, agg.get("bg_count") or 1
    return [
        {"phrase": b["key"], "share": round(b["doc_count"] / inside, 4), "catalogue_share": round(b["bg_count"] / everywhere, 4)}
        for b in agg["buckets"]
    ]


def siblings_body(macro_id: int | None, exclude: int) -> dict[str, Any]:
    """The other micro-genres of the same macro theme, largest first."""
    return {
        "query": {"bool": {"filter": [{"term": {"macro_genre_id": macro_id}}], "must_not": [{"ids": {"values": [str(exclude)]}}]}},
        "size": 100,
        "sort": [{"size": "desc"}],
        "_source": ["id", "label", "size"],
    }


def shape_micro_page(src: dict, films: dict, siblings: dict, nearest: dict, sort: str, page: int) -> dict[str, Any]:
    total = films["hits"]["total"]["value"]
    out = search.shape_micro(src)
    out.update(
        evidence=src.get("evidence") if "evidence" in src else evidence_from(films),
        label_fit=src.get("label_fit"),
        films=[search.shape_hit(h) for h in films["hits"]["hits"]],
        total=total,
        sort=sort,
        page=page,
        page_size=PAGE_SIZE,
        pages=max(1, math.ceil(total / PAGE_SIZE)),
        siblings=[h["_source"] for h in siblings["hits"]["hits"]],
        # Lucene's cosinesimil score is (1 + cos) / 2; show the cosine itself.
        neighbours=[dict(search.shape_micro(h["_source"]), similarity=round(2 * h["_score"] - 1, 4)) for h in nearest["hits"]["hits"]],
    )
    return out


def why(keywords: list[str], evidence: list[dict], micro_id: int | None, label: str | None) -> dict[str, Any]:
    """The film's keywords that are among its micro-genre's evidence phrases, evidence order."""
    own = {k.lower() for k in keywords}
    shared = [e for e in evidence if e["phrase"].lower() in own]
    return {"micro_genre": {"id": micro_id, "label": label}, "shared": shared, "evidence_size": len(evidence)}


# --- likes and map -------------------------------------------------------------------------


def ids_body(ids: list[int]) -> dict[str, Any]:
    return {"query": {"ids": {"values": [str(i) for i in ids]}}, "size": len(ids), "_source": CARD_SOURCE}


def map_body() -> dict[str, Any]:
    """Every film's map position and labels from doc values (no _source parsing)."""
    fields = ["id", "map_x", "map_y", "year", "title.raw", "macro_genre", "micro_genre"]
    return {"query": {"exists": {"field": "map_x"}}, "size": 10_000, "_source": False, "docvalue_fields": fields, "sort": ["_doc"]}


def shape_map(resp: dict) -> dict[str, Any]:
    """Columns for Plotly: positions, titles, and group indices into the ``macros``/``micros`` lists."""
    macros: dict[str, int] = {}
    micros: dict[str, int] = {}
    cols: dict[str, list] = {k: [] for k in ("id", "x", "y", "title", "year", "macro", "micro")}
    for hit in resp["hits"]["hits"]:
        f = hit["fields"]
        cols["id"].append(f["id"][0])
        cols["x"].append(round(f["map_x"][0], 4))
        cols["y"].append(round(f["map_y"][0], 4))
        cols["title"].append(f["title.raw"][0])
        cols["year"].append((f.get("year") or [None])[0])
        cols["macro"].append(macros.setdefault(f["macro_genre"][0], len(macros)))
        cols["micro"].append(micros.setdefault(f["micro_genre"][0], len(micros)))
    return cols | {"macros": list(macros), "micros": list(micros), "count": len(cols["id"])}
