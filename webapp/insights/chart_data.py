"""Pure shapers: OpenSearch aggregation answers -> the exact data each chart plots.

Input is the raw response dicts of the bodies in ``aggregations``; output is JSON-ready and is
both what ``/api/...`` returns and what the page embeds for Plotly.
"""

from __future__ import annotations

from typing import Any

from mgm.rating import PRIOR_VOTES
from webapp.api.params import Filters
from webapp.insights import findings
from webapp.insights.aggregations import MIN_PERIOD_FILMS
from webapp.insights.findings import Prior, clean
from webapp.insights.params import TrendsParams

MIN_RANK_SIZE = 5  # a ranking of 2-film micro-genres says nothing about the micro-genre
RANK_LENGTH = 10
TOP_MOVIES_SHOWN = 5
GROWTH_LENGTH = 8
DEFAULT_PICKED = 3  # growers and decliners each, when the URL picks no micro-genres
STACKED_SERIES = 8  # the stacked-area chart shows this many themes and folds the rest into "Other"
SPARSE_PERIOD_FILMS = findings.MIN_HEATMAP_MOVIES  # periods with fewer films are marked "few films" on the charts


# --- small helpers over buckets ------------------------------------------------------------


def _value(aggs: dict, name: str) -> float | None:
    return clean(aggs[name]["value"])


def prior_from(aggs: dict) -> Prior:
    C = _value(aggs, "rating")
    return Prior(C=C if C is not None else 0.0, m=PRIOR_VOTES)


def group_stats(bucket: dict, prior: Prior) -> dict:
    """Count, vote-weighted mean R, votes v and the Bayesian weighted rating of one bucket."""
    rating, votes = _value(bucket, "rating"), _value(bucket, "votes") or 0.0
    return {
        "count": bucket["doc_count"],
        "rating": _round(rating),
        "mean_rating": _round(_value(bucket, "mean_rating")),
        "votes": int(votes),
        "weighted_rating": round(prior.shrink(rating, votes), 3),
    }


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _first_key(bucket: dict, name: str) -> str | None:
    buckets = bucket[name]["buckets"]
    return buckets[0]["key"] if buckets else None


def catalog_from(aggs: dict) -> dict:
    """Every macro theme and micro-genre of the index (for menus and parameter validation)."""
    micros = {
        str(b["key"]): {"id": b["key"], "label": _first_key(b, "label"), "macro": _first_key(b, "macro"), "count": b["doc_count"]}
        for b in aggs["catalog"]["micros"]["buckets"]
    }
    macros = sorted(({"id": b["key"], "name": _first_key(b, "label")} for b in aggs["catalog"]["macros"]["buckets"]), key=lambda m: m["name"] or "")
    return {"macros": macros, "micros": micros}


def _prior_dict(prior: Prior) -> dict:
    """The prior as both pages show it (``attach_top_movies`` rebuilds the Prior from this)."""
    return {"C": round(prior.C, 4), "m": prior.m, "formula": "WR = (v*R + m*C) / (v + m)"}


def _micro_node(bucket: dict, prior: Prior, keywords: dict[int, list[str]]) -> dict:
    """One micro-genre bucket as the treemap and the rankings show it."""
    return {
        "micro_id": bucket["key"],
        "name": _first_key(bucket, "label"),
        **group_stats(bucket, prior),
        "popularity": _round(_value(bucket, "popularity")),
        "keywords": keywords.get(bucket["key"], []),
    }


def _best_rated(micros: list[dict], n: int) -> list[dict]:
    """The ``n`` highest weighted ratings among micro-genres big enough to rank."""
    solid = [m for m in micros if m["count"] >= MIN_RANK_SIZE]
    return sorted(solid, key=lambda m: (-m["weighted_rating"], m["micro_id"]))[:n]


# --- overview and landing ------------------------------------------------------------------


def shape_overview(resp: dict, run_resp: dict, micro_docs: dict, filters: Filters) -> dict:
    aggs = resp["aggregations"]
    prior = prior_from(aggs)
    keywords = {int(h["_source"]["id"]): h["_source"].get("keywords", []) for h in micro_docs["hits"]["hits"]}
    catalog = catalog_from(aggs)
    macro_ids = {m["name"]: m["id"] for m in catalog["macros"]}
    macros = []
    for mb in aggs["macros"]["buckets"]:
        # a micro-genre may sit under several themes: its node id names both (treemap ids are unique)
        children = [{"id": f"micro:{b['key']}/{mb['key']}", **_micro_node(b, prior, keywords)} for b in mb["micros"]["buckets"]]
        macros.append(
            {"id": f"macro:{mb['key']}", "macro_id": macro_ids.get(mb["key"]), "name": mb["key"], **group_stats(mb, prior), "children": children}
        )
    total = resp["hits"]["total"]["value"]
    micros = [_micro_node(b, prior, keywords) | {"macro": _first_key(b, "macro")} for b in aggs["micros"]["buckets"]]
    years = aggs["years"]
    run = _run_kpis(run_resp)
    return {
        "filters": filters.as_json(),
        "kpis": {
            "movies": total,
            "micro_genres": len(micros),
            "macro_themes": len(macros),
            "year_min": _int_or_none(years["min"]),
            "year_max": _int_or_none(years["max"]),
            "mean_rating": _round(_value(aggs, "mean_rating"), 2),
            "votes": int(_value(aggs, "votes") or 0),
            "run": run["kpis"] if run else None,
        },
        "prior": _prior_dict(prior),
        "treemap": {"id": "root", "name": "All movies", "count": total, "weighted_rating": round(prior.C, 3), "children": macros},
        "micro_genres": micros,
        "rankings": _rankings(micros),
        "top_movies": {},
        "head_check": run["head_check"] if run else {},
        "catalogue_check": run["catalogue_check"] if run else {},
        "catalog": catalog,
    }


def _int_or_none(value: float | None) -> int | None:
    return None if value is None else int(value)


def _run_kpis(run_resp: dict) -> dict | None:
    hits = run_resp.get("hits", {}).get("hits", [])
    if not hits:
        return None
    doc = hits[0]["_source"]
    kpis = {k: doc.get(k) for k in ("run_id", "finished_at", "movies_index", "k", "n_macro", "silhouette", "label_fit", "total_seconds")}
    kpis["theme_recovery"] = (doc.get("taxonomy") or {}).get("theme_recovery")
    head = doc.get("head_check")
    behind = head.get("catalogue") if isinstance(head, dict) else None
    return {"kpis": kpis, "head_check": _head_check(head), "catalogue_check": _catalogue_check(behind)}


HEAD_SPLITS = ("held_out", "tune")
HEAD_FIGURES = ("films", "micro_fit", "micro_pooled_fit", "macro_fit", "first_genre_fit", "contradicted")


def _head_check(found: object) -> dict:
    """The run's head-of-catalogue check (``indexer.taxonomy.quality.head_check``), held-out half first:
    only its figures, so a run document from an older indexer (no check) shows nothing."""
    if not isinstance(found, dict):
        return {}
    out = {}
    for split in HEAD_SPLITS:
        row = found.get(split)
        if isinstance(row, dict) and row.get("films"):
            out[split] = {k: row.get(k) for k in HEAD_FIGURES}
            pairs = row.get("pairs")
            if isinstance(pairs, dict):
                out[split]["pairs"] = {k: pairs.get(k) for k in ("pairs", "held", "share")}
    return out


def _catalogue_check(found: object) -> dict:
    """The run's catalogue check (``indexer.taxonomy.quality.catalogue_check``), held-out half first;
    nothing for a run from an older indexer."""
    if not isinstance(found, dict):
        return {}
    return {split: {k: found[split].get(k) for k in ("films", "fit", "unjudged")} for split in HEAD_SPLITS if isinstance(found.get(split), dict)}


def _rankings(micros: list[dict]) -> dict:
    def row(m: dict) -> dict:
        keys = ("micro_id", "name", "macro", "count", "weighted_rating", "rating", "votes", "popularity")
        return {k: m[k] for k in keys}

    solid = [m for m in micros if m["count"] >= MIN_RANK_SIZE]
    by_rating = _best_rated(micros, RANK_LENGTH)
    by_pop = sorted(solid, key=lambda m: (-(m["popularity"] or 0), m["micro_id"]))[:RANK_LENGTH]
    return {"min_size": MIN_RANK_SIZE, "by_rating": [row(m) for m in by_rating], "by_popularity": [row(m) for m in by_pop]}


def ranked_micro_ids(overview: dict) -> list[int]:
    """The micro-genres whose top movies the Overview lists (both rankings, in order)."""
    ids: list[int] = []
    for row in overview["rankings"]["by_rating"] + overview["rankings"]["by_popularity"]:
        if row["micro_id"] not in ids:
            ids.append(row["micro_id"])
    return ids


def attach_top_movies(overview: dict, top_resp: dict) -> dict:
    """Per ranked micro-genre: its most-voted films ordered by their own Bayesian score."""
    prior = Prior(C=overview["prior"]["C"], m=overview["prior"]["m"])
    top: dict[str, list[dict]] = {}
    for bucket in top_resp["aggregations"]["micros"]["buckets"]:
        films = []
        for hit in bucket["top"]["hits"]["hits"]:
            f = hit["fields"]
            rating, votes = f["vote_average"][0], f["vote_count"][0]
            films.append(
                {
                    "id": f["id"][0],
                    "title": f["title.raw"][0],
                    "year": (f.get("year") or [None])[0],
                    "vote_average": rating,
                    "vote_count": votes,
                    "weighted_rating": round(prior.shrink(rating, votes), 3),
                }
            )
        films.sort(key=lambda x: -x["weighted_rating"])
        top[str(bucket["key"])] = films[:TOP_MOVIES_SHOWN]
    return overview | {"top_movies": top}


def shape_landing(overview: dict) -> dict:
    """The landing's live examples and stats: a view of the unfiltered Overview data."""
    micros = overview["micro_genres"]
    example = ("micro_id", "name", "macro", "count", "weighted_rating", "mean_rating", "keywords")
    largest = sorted(micros, key=lambda m: (-m["count"], m["micro_id"]))[:6]
    best = _best_rated(micros, 6)
    macros = sorted(overview["treemap"]["children"], key=lambda m: -m["count"])
    return {
        "stats": {k: overview["kpis"][k] for k in ("movies", "micro_genres", "macro_themes", "year_min", "year_max", "mean_rating", "votes")},
        "largest": [{k: m[k] for k in example} for m in largest],
        "best_rated": [{k: m[k] for k in example} for m in best],
        "macros": [
            {"id": m["macro_id"], "name": m["name"], "count": m["count"], "votes": m["votes"], "micro_genres": len(m["children"])} for m in macros
        ],
        "prior": overview["prior"],
        "min_size": MIN_RANK_SIZE,
        # "Surprise me" picks among these: rated above the catalogue's mean, big enough to rank.
        "surprise": [m["micro_id"] for m in micros if m["count"] >= MIN_RANK_SIZE and m["weighted_rating"] > overview["prior"]["C"]],
    }


# --- trends --------------------------------------------------------------------------------


def _period_key(bucket: dict, yearly: bool) -> int:
    return int(bucket["key_as_string"]) if yearly else int(bucket["key"])


def _share_table(buckets: list[dict], sub: str, yearly: bool, names: dict | None = None, totals: dict | None = None) -> dict:
    """Periods x series counts and shares (percent of that period's films); ``sparse`` marks the
    periods with so few films that one film moves a share by several points."""
    periods = [_period_key(b, yearly) for b in buckets]
    period_totals = [totals[p] if totals else b["doc_count"] for p, b in zip(periods, buckets)]
    counts: dict = {}
    for i, b in enumerate(buckets):
        for s in b[sub]["buckets"]:
            counts.setdefault(s["key"], [0] * len(buckets))[i] = s["doc_count"]
    order = sorted(counts, key=lambda k: -sum(counts[k]))
    series = [
        {
            "key": key,
            "name": names[str(key)]["label"] if names else key,
            "counts": counts[key],
            "shares": [round(100 * c / t, 3) if t else 0.0 for c, t in zip(counts[key], period_totals)],
        }
        for key in order
    ]
    sparse = [t < SPARSE_PERIOD_FILMS for t in period_totals]
    return {"periods": periods, "totals": period_totals, "sparse": sparse, "series": series}


def fold_other(table: dict, keep: int = STACKED_SERIES) -> dict:
    """The ``keep`` largest series and one "Other" series summing the rest (a readable stack)."""
    series = table["series"]
    if len(series) <= keep + 1:
        return table
    rest = series[keep:]
    counts = [sum(col) for col in zip(*(s["counts"] for s in rest))]
    shares = [round(100 * c / t, 3) if t else 0.0 for c, t in zip(counts, table["totals"])]
    other = {"key": "other", "name": f"Other ({len(rest)})", "counts": counts, "shares": shares}
    return table | {"series": series[:keep] + [other]}


def _heatmap(table: dict) -> dict:
    order = [s["name"] for s in table["series"]]
    return {
        "macros": order,
        "decades": table["periods"],
        "decade_totals": table["totals"],
        "sparse": table["sparse"],
        "share": [[round(v, 2) for v in s["shares"]] for s in table["series"]],
        "count": [s["counts"] for s in table["series"]],
    }


def _growth(aggs: dict, params: TrendsParams, catalog: dict) -> dict:
    earlier, later = aggs["periods"]["buckets"]["earlier"], aggs["periods"]["buckets"]["later"]
    n_e, n_l = earlier["doc_count"], later["doc_count"]
    c_e = {b["key"]: b["doc_count"] for b in earlier["micros"]["buckets"]}
    c_l = {b["key"]: b["doc_count"] for b in later["micros"]["buckets"]}
    rows = []
    if n_e and n_l:
        for key in set(c_e) | set(c_l):
            e, later = c_e.get(key, 0), c_l.get(key, 0)
            if e + later < params.min_support:
                continue
            s_e, s_l = 100 * e / n_e, 100 * later / n_l
            rows.append(
                {
                    "id": key,
                    "label": catalog["micros"][str(key)]["label"],
                    "macro": catalog["micros"][str(key)]["macro"],
                    "count_earlier": e,
                    "count_later": later,
                    "share_earlier": round(s_e, 3),
                    "share_later": round(s_l, 3),
                    "change_pp": round(s_l - s_e, 3),
                }
            )
    f = params.filters
    return {
        "split": params.split,
        "min_support": params.min_support,
        "earlier": {"to": params.split - 1, "from": f.year_from, "count": n_e, "label": f"before {params.split}"},
        "later": {"from": params.split, "to": f.year_to, "count": n_l, "label": f"from {params.split} on"},
        "growing": sorted((r for r in rows if r["change_pp"] > 0), key=lambda r: (-r["change_pp"], r["id"]))[:GROWTH_LENGTH],
        "declining": sorted((r for r in rows if r["change_pp"] < 0), key=lambda r: (r["change_pp"], r["id"]))[:GROWTH_LENGTH],
    }


def default_picked(trends: dict) -> list[int]:
    """No micro-genres in the URL: follow the top growers and decliners."""
    g = trends["growth"]
    return [r["id"] for r in g["growing"][:DEFAULT_PICKED] + g["declining"][:DEFAULT_PICKED]]


def shape_trends(resp: dict, cloud_resp: dict, params: TrendsParams) -> dict:
    aggs = resp["aggregations"]
    prior = prior_from(aggs)
    catalog = catalog_from(aggs)
    names = catalog["micros"] if params.filters.macro is not None else None  # see aggregations.trends_body
    by_year = _share_table(aggs["by_year"]["buckets"], "groups", yearly=True, names=names)
    by_decade = _share_table(aggs["by_decade"]["buckets"], "groups", yearly=False, names=names)
    decade_ratings = [{"decade": int(b["key"]), **group_stats(b, prior)} for b in aggs["by_decade"]["buckets"]]
    scatter = []
    for b in aggs["micros"]["buckets"]:
        info = catalog["micros"][str(b["key"])]
        scatter.append({"id": b["key"], "label": info["label"], "macro": info["macro"], **group_stats(b, prior)})
    trends = {
        "filters": params.filters.as_json(),
        "movies": resp["hits"]["total"]["value"],
        "min_period_films": MIN_PERIOD_FILMS,
        "sparse_period_films": SPARSE_PERIOD_FILMS,
        "prior": _prior_dict(prior),
        "groups": "micro" if names else "macro",
        "shares": {
            "macro": {"by_year": by_year, "by_decade": by_decade},
            "stacked": {"by_year": fold_other(by_year), "by_decade": fold_other(by_decade)},
            "micro": {"picked": [], "by_year": None, "by_decade": None},
        },
        "heatmap": _heatmap(by_decade),
        "decade_ratings": decade_ratings,
        "growth": _growth(aggs, params, catalog),
        "scatter": {"points": scatter},
        "cloud": _cloud(cloud_resp, params, catalog),
        "catalog": catalog,
    }
    return trends


def attach_picked(trends: dict, picked_resp: dict, ids: list[int]) -> dict:
    """Shares of the picked micro-genres, over the same per-period totals as the macro shares."""
    aggs = picked_resp["aggregations"]
    names = trends["catalog"]["micros"]
    macro_shares = trends["shares"]["macro"]
    micro: dict[str, Any] = {"picked": ids}
    for name, yearly in (("by_year", True), ("by_decade", False)):
        table = macro_shares[name]
        totals = dict(zip(table["periods"], table["totals"]))
        # Every period of the selection, so lines drop to 0 where the micro-genre has no film.
        present = {_period_key(b, yearly): b for b in aggs[name]["buckets"]}
        buckets = [present.get(p) or {"key": p, "key_as_string": str(p), "doc_count": 0, "picked": {"buckets": []}} for p in table["periods"]]
        micro[name] = _share_table(buckets, "picked", yearly, names=names, totals=totals)
    trends = dict(trends)
    trends["shares"] = {**trends["shares"], "micro": micro}
    return trends


def _cloud(resp: dict, params: TrendsParams, catalog: dict) -> dict:
    if params.cloud_micro is not None:
        label = catalog["micros"].get(str(params.cloud_micro), {}).get("label") or f"micro-genre {params.cloud_micro}"
        focus = {"kind": "micro", "value": params.cloud_micro, "label": f"“{label}”"}
    else:
        focus = {"kind": "decade", "value": params.cloud_decade, "label": f"the {params.cloud_decade}s"}
    aggs = resp["aggregations"]
    buckets = aggs["keywords"]["buckets"]
    top = max((b["score"] for b in buckets), default=1.0) or 1.0
    words = [
        {"term": b["key"], "score": round(b["score"], 4), "weight": round(b["score"] / top, 3), "count": b["doc_count"], "bg_count": b["bg_count"]}
        for b in buckets
    ]
    micro_genres = [
        {"id": b["key"], "label": catalog["micros"][str(b["key"])]["label"], "count": b["doc_count"], "score": round(b["score"], 4)}
        for b in aggs.get("micro_genres", {}).get("buckets", [])
    ]
    return {"focus": focus, "docs": resp["hits"]["total"]["value"], "words": words, "micro_genres": micro_genres}


def trend_insights(trends: dict) -> list[dict]:
    """The Insights panel: each finding computed from the shaped aggregation data."""
    return [
        findings.size_vs_rating(trends["scatter"]["points"]),
        findings.growth_leaders(trends["growth"]),
        findings.macro_shift(trends["heatmap"], "micro-genre" if trends["groups"] == "micro" else "macro theme"),
        findings.decade_ratings(trends["decade_ratings"]),
        findings.distinctive_words(trends["cloud"]),
    ]
