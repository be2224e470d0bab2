"""Small synthetic movie files for tests that need an index but not the real dataset.

Generated from word pools (never copied from the dataset), deterministic per seed, in the
TMDB 5000 CSV format the loader reads. A run on 120 of them indexes in seconds, which keeps
the fault-injection tests fast.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

from indexer.ingest.load import CSV_COLUMNS

THEMES = {
    "space": ("astronaut", "orbit", "alien", "starship", "planet", "colony", "galaxy", "mission"),
    "heist": ("vault", "thief", "casino", "crew", "diamond", "getaway", "safecracker", "bank"),
    "zombie": ("undead", "outbreak", "survivor", "virus", "horde", "bunker", "infection", "apocalypse"),
    "romance": ("wedding", "letters", "summer", "heartbreak", "lovers", "reunion", "proposal", "dance"),
    "sea": ("shark", "island", "storm", "sailor", "reef", "lighthouse", "whale", "shipwreck"),
    "war": ("soldier", "trench", "battalion", "general", "resistance", "bomber", "frontline", "medal"),
}
GENRES = {"space": "Science Fiction", "heist": "Crime", "zombie": "Horror", "romance": "Romance", "sea": "Adventure", "war": "War"}
# Hostile text in two movies, so every test on synthetic data also checks escaping and the CSV guard.
SCRIPT = '<script>alert("mgm")</script>'
FORMULA = '=HYPERLINK("http://evil.example","click")'


def movies(n: int, seed: int = 7) -> list[dict]:
    """``n`` movie rows with ids 1..n, themed so that clustering finds real groups."""
    rng = random.Random(seed)
    names = list(THEMES)
    rows = []
    for i in range(1, n + 1):
        theme = names[i % len(names)]
        words = rng.sample(THEMES[theme], 5)
        rows.append(
            {
                "id": i,
                "title": f"{words[0].title()} {words[1].title()} {i}",
                "original_title": f"{words[0].title()} {words[1].title()} {i}",
                "overview": f"A {words[2]} story: the {words[0]} meets a {words[1]} near the {words[3]}, and the {words[4]} changes everything.",
                "tagline": f"Every {words[0]} has a {words[3]}.",
                "genres": json.dumps([{"id": 1, "name": GENRES[theme]}]),
                "keywords": json.dumps([{"id": j, "name": w} for j, w in enumerate(words[:4])]),
                "release_date": f"{rng.randint(1950, 2015)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                "vote_average": round(rng.uniform(3, 9), 1),
                "vote_count": rng.randint(5, 5000),
                "popularity": round(rng.uniform(0.5, 80), 3),
                "runtime": rng.randint(80, 160),
                "budget": rng.randint(0, 10**8),
                "revenue": rng.randint(0, 10**9),
                "original_language": "en",
            }
        )
    if n >= 2:
        rows[0]["title"] = f"{SCRIPT} {rows[0]['title']}"
        rows[0]["overview"] += f" Then {SCRIPT} runs <b>wild</b>."
        rows[0]["tagline"] = SCRIPT
        rows[1]["title"] = FORMULA
    return rows


def write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path
