"""The statistics behind the pages: the Bayesian average and the Insights panel's findings.

Pure functions over already-aggregated groups (one number per micro-genre, decade or macro
theme), never over movie documents. Each finding states what the numbers show, whichever way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import median

from scipy.stats import pearsonr, spearmanr

from mgm.rating import weighted_rating

MIN_DECADE_MOVIES = 30  # a decade with fewer films is too thin to compare ratings
MIN_HEATMAP_MOVIES = 50  # first/last decade used for the macro-theme shift


@dataclass(frozen=True)
class Prior:
    """Bayesian average WR = (v*R + m*C) / (v + m).

    R: the group's vote-weighted mean rating, v: its total votes, C: the vote-weighted mean of
    the whole selection, m: ``mgm.rating.PRIOR_VOTES``. The formula itself is
    ``mgm.rating.weighted_rating``, the one the indexer stores on films and micro-genres, so the
    unfiltered Overview shows a micro-genre's own page figure.
    """

    C: float
    m: float

    def shrink(self, rating: float | None, votes: float | None) -> float:
        return weighted_rating(votes, rating, self.C, self.m)


def clean(value: float | None) -> float | None:
    """OpenSearch answers null/NaN/Infinity for empty metrics; the pages want None."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return float(value)


def size_vs_rating(points: list[dict]) -> dict:
    """Do niche micro-genres rate higher? Spearman rho of size vs weighted rating + size quartiles.

    The Bayesian average pulls small groups toward the mean, which by itself weakens any size
    effect, so the raw vote-weighted mean (R) is tested too and both are reported.
    """
    n = len(points)
    if n < 8:
        return {"title": "Niche vs large micro-genres", "text": f"Only {n} micro-genres in this selection: too few to test.", "numbers": {"n": n}}
    sizes = [p["count"] for p in points]
    wr = [p["weighted_rating"] for p in points]
    raw = [p["rating"] if p["rating"] is not None else p["weighted_rating"] for p in points]
    rho, p_value = spearmanr(sizes, wr)
    rho_raw, p_raw = spearmanr(sizes, raw)
    r_log, _ = pearsonr([math.log(s) for s in sizes], wr)
    ordered = sorted(points, key=lambda p: p["count"])
    q = n // 4
    small, large = ordered[:q], ordered[-q:]
    small_med = median(p["weighted_rating"] for p in small)
    large_med = median(p["weighted_rating"] for p in large)
    if p_value < 0.05 and rho < 0:
        verdict = "Yes: niche micro-genres rate higher"
    elif p_value < 0.05 and rho > 0:
        verdict = "No, the opposite: larger micro-genres rate higher"
    else:
        verdict = "No clear link between a micro-genre's size and its rating"
    text = (
        f"{verdict}. Spearman ρ = {rho:+.2f} (p = {p_value:.3f}) between size and weighted rating over {n} micro-genres "
        f"(on the unshrunk vote-weighted mean: ρ = {rho_raw:+.2f}, p = {p_raw:.3f}). The smallest quarter "
        f"({small[0]['count']}–{small[-1]['count']} films) has a median weighted rating of {small_med:.2f}, "
        f"the largest quarter ({large[0]['count']}–{large[-1]['count']} films) {large_med:.2f}."
    )
    numbers = {
        "n": n,
        "spearman_rho": round(float(rho), 4),
        "p_value": round(float(p_value), 4),
        "spearman_rho_unshrunk": round(float(rho_raw), 4),
        "p_value_unshrunk": round(float(p_raw), 4),
        "pearson_log_size": round(float(r_log), 4),
        "smallest_quartile_median": round(small_med, 3),
        "largest_quartile_median": round(large_med, 3),
    }
    return {"title": "Do niche micro-genres rate higher?", "text": text, "numbers": numbers}


def growth_leaders(growth: dict) -> dict:
    """The micro-genre whose share grew most and the one that shrank most between the periods."""
    up, down = growth["growing"][:1], growth["declining"][:1]
    earlier, later = growth["earlier"], growth["later"]
    if not up and not down:
        return {"title": "Growth", "text": "No micro-genre has enough films in both periods to compare.", "numbers": {}}
    parts, numbers = [], {}
    for kind, rows in (("grew most", up), ("shrank most", down)):
        for row in rows:
            parts.append(
                f"“{row['label']}” {kind}: {row['share_earlier']:.2f}% of films {earlier['label']} "
                f"({row['count_earlier']}) vs {row['share_later']:.2f}% {later['label']} ({row['count_later']}), "
                f"{row['change_pp']:+.2f} points"
            )
            numbers[kind.replace(" ", "_")] = {k: row[k] for k in ("id", "label", "count_earlier", "count_later", "change_pp")}
    text = "; ".join(parts) + f" (micro-genres with at least {growth['min_support']} films across both periods)."
    return {"title": "Fastest growing and declining", "text": text, "numbers": numbers}


def decade_ratings(rows: list[dict]) -> dict:
    """Best vs worst rated decade among decades with enough films."""
    solid = [r for r in rows if r["count"] >= MIN_DECADE_MOVIES]
    if len(solid) < 2:
        return {"title": "Ratings by decade", "text": "Fewer than two decades with enough films to compare.", "numbers": {}}
    best = max(solid, key=lambda r: r["weighted_rating"])
    worst = min(solid, key=lambda r: r["weighted_rating"])
    text = (
        f"Films from the {best['decade']}s rate highest ({best['weighted_rating']:.2f} weighted, {best['count']} films), "
        f"the {worst['decade']}s lowest ({worst['weighted_rating']:.2f}, {worst['count']} films). Older decades in a "
        f"popularity-selected dataset are survivors: the classics people still vote on."
    )
    numbers = {"best": best, "worst": worst, "min_movies": MIN_DECADE_MOVIES}
    return {"title": "Which decade rates best?", "text": text, "numbers": numbers}


def macro_shift(heatmap: dict, kind: str = "macro theme") -> dict:
    """The group whose share rose most and the one that fell most between the first and last
    well-filled decade. Only a real rise and a real fall are reported, each naming a different
    group: one group alone (always 100 %) or flat shares give no finding, never a tautology."""
    title = "Macro themes over time" if kind == "macro theme" else "Micro-genres over time"
    cols = [i for i, total in enumerate(heatmap["decade_totals"]) if total >= MIN_HEATMAP_MOVIES]
    if len(cols) < 2 or len(heatmap["macros"]) < 2:
        return {"title": title, "text": f"Not enough decades or {kind}s with films to compare.", "numbers": {}}
    first, last = cols[0], cols[-1]
    changes = sorted((row[last] - row[first], name, row[first], row[last]) for name, row in zip(heatmap["macros"], heatmap["share"]))
    down, up = changes[0], changes[-1]
    d0, d1 = heatmap["decades"][first], heatmap["decades"][last]
    parts, numbers = [], {"from_decade": d0, "to_decade": d1}
    if up[0] > 0:
        parts.append(f"“{up[1]}” gained the most share ({up[2]:.1f}% → {up[3]:.1f}%)")
        numbers["gained"] = {"name": up[1], "from": up[2], "to": up[3]}
    if down[0] < 0:
        parts.append(f"“{down[1]}” lost the most ({down[2]:.1f}% → {down[3]:.1f}%)")
        numbers["lost"] = {"name": down[1], "from": down[2], "to": down[3]}
    if not parts:
        return {"title": title, "text": f"Every {kind} kept its share between the {d0}s and the {d1}s.", "numbers": numbers}
    return {"title": title, "text": f"Between the {d0}s and the {d1}s, " + " and ".join(parts) + ".", "numbers": numbers}


def distinctive_words(cloud: dict) -> dict:
    words = [w["term"] for w in cloud["words"][:5]]
    if not words:
        return {"title": f"What marks {cloud['focus']['label']}", "text": "No keyword stands out (too few films).", "numbers": {}}
    text = f"Keywords most over-represented in {cloud['focus']['label']} ({cloud['docs']} films): " + ", ".join(words) + "."
    if cloud.get("micro_genres"):
        text += " Most distinctive micro-genres: " + ", ".join(m["label"] for m in cloud["micro_genres"][:3]) + "."
    return {"title": f"What marks {cloud['focus']['label']}", "text": text, "numbers": {"keywords": words}}
