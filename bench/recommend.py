"""Leave-one-out hit rate@10 of ``/api/recommend``: diversified (``webapp.discover.recommend``) vs the mean vector.

Ground truth without labels: franchise sequels. Films whose titles share a stem once the
sequel marker is cut ("Iron Man" / "Iron Man 2", "The Hobbit: An Unexpected Journey" / "The
Hobbit: The Desolation of Smaug") form a series. For each film of a series, hide it, like the
other films of the series (up to 3), and count a hit when the hidden film is among the 10
recommendations. A fan rarely likes one franchise only, so the main setting adds
``DISTRACTORS`` random films from other series to the liked set (seeded); the pure setting
(series films only) is reported too. The hand-written fan pairs of ``bench/fan_pairs.json``
("together": two films a fan files under one theme) are a second, smaller test: like one film
of a pair plus the distractors, look for the other. Both methods answer the same requests in
the same run, through the app's own ``/api/recommend`` (Flask test client, real index).
"""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from pathlib import Path

from mgm.settings import Settings
from webapp import create_app

K = 10
DISTRACTORS = 2
MAX_LIKED_FROM_SERIES = 3
SEED = 7
FAN_PAIRS = Path(__file__).resolve().parent / "fan_pairs.json"
SEQUEL = re.compile(r"(\s+(part\s+)?([0-9]+|ii|iii|iv|v|vi|vii|viii)\b.*$)|(\s*:.*$)", re.IGNORECASE)


def series_of(titles: dict[int, str]) -> list[list[int]]:
    """Groups of >= 2 films whose titles share a stem, at least one of them with a sequel marker."""
    groups: dict[str, list[int]] = defaultdict(list)
    marked: set[str] = set()
    for movie_id, title in titles.items():
        stem = SEQUEL.sub("", title).strip().lower()
        if len(stem) < 3:
            continue
        groups[stem].append(movie_id)
        if stem != title.strip().lower():
            marked.add(stem)
    return [sorted(ids) for stem, ids in sorted(groups.items()) if len(ids) >= 2 and stem in marked]


def run(settings: Settings) -> dict:
    app = create_app(settings, load_model=False)
    client = app.extensions["opensearch"]
    http = app.test_client()
    hits = client.search(index=settings.index_alias, body={"size": 10_000, "_source": ["id", "title"], "query": {"match_all": {}}})
    titles = {h["_source"]["id"]: h["_source"]["title"] for h in hits["hits"]["hits"]}
    series = series_of(titles)
    rng = random.Random(SEED)
    in_series = {i for s in series for i in s}
    others = sorted(set(titles) - in_series)
    cases = []
    for s in series:
        for held in s:
            liked = [i for i in s if i != held][:MAX_LIKED_FROM_SERIES]
            cases.append({"held": held, "liked": liked, "distractors": rng.sample(others, DISTRACTORS)})

    by_title = {t: i for i, t in sorted(titles.items(), reverse=True)}  # a repeated title: the lowest id
    pairs = [(by_title[a], by_title[b]) for a, b, *_ in json.loads(FAN_PAIRS.read_text())["together"] if a in by_title and b in by_title]
    fan_cases = [{"held": h, "liked": [k], "distractors": rng.sample(others, DISTRACTORS)} for a, b in pairs for k, h in ((a, b), (b, a))]

    def hit_rate(method: str, with_distractors: bool, cases: list[dict] = cases) -> float:
        found = 0
        for case in cases:
            liked = case["liked"] + (case["distractors"] if with_distractors else [])
            resp = http.post("/api/recommend", json={"liked": liked, "size": K, "method": method})
            assert resp.status_code == 200, resp.get_json()
            found += case["held"] in {r["id"] for r in resp.get_json()["results"]}
        return round(found / len(cases), 4)

    settings_out = {}
    for name, with_distractors in (("with_distractors", True), ("series_only", False)):
        settings_out[name] = {method: hit_rate(method, with_distractors) for method in ("mean", "diverse")}
    settings_out["fan_pairs_with_distractors"] = {method: hit_rate(method, True, fan_cases) for method in ("mean", "diverse")}
    settings_out["fan_pairs_alone"] = {"either (one liked film)": hit_rate("mean", False, fan_cases)}
    return {
        "metric": f"leave-one-out hit rate@{K}",
        "series": len(series),
        "cases": len(cases),
        "fan_pair_cases": len(fan_cases),
        "example_series": [[titles[i] for i in s] for s in series[:8]],
        "distractors_per_case": DISTRACTORS,
        "results": settings_out,
        "baseline": "mean: the nearest films to the mean liked vector (the previous /api/recommend)",
    }
