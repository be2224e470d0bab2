"""Leave-one-out hit rate@10 of ``/api/recommend``: diversified (``webapp.recommend``) vs the mean vector.

Ground truth without labels: franchise sequels. Films whose titles share a stem once the
sequel marker is cut ("Iron Man" / "Iron Man 2", "The Hobbit: An Unexpected Journey" / "The
Hobbit: The Desolation of Smaug") form a series. For each film of a series, hide it, like the
other films of the series (up to 3), and count a hit when the hidden film is among the 10
recommendations. A fan rarely likes one franchise only, so the main setting adds
``DISTRACTORS`` random films from other series to the liked set (seeded); the pure setting
(series films only) is reported too. Both methods answer the same requests in the same run,
through the app's own ``/api/recommend`` (Flask test client, real index).
"""
from __future__ import annotations

import random
import re
from collections import defaultdict

from mgm.settings import Settings
from webapp import create_app

K = 10
DISTRACTORS = 2
MAX_LIKED_FROM_SERIES = 3
SEED = 7
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

    def hit_rate(method: str, with_distractors: bool) -> float:
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
    return {
        "metric": f"leave-one-out hit rate@{K}",
        "series": len(series),
        "cases": len(cases),
        "example_series": [[titles[i] for i in s] for s in series[:8]],
        "distractors_per_case": DISTRACTORS,
        "results": settings_out,
        "baseline": "mean: the nearest films to the mean liked vector (the previous /api/recommend)",
    }
