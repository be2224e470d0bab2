"""`python -m bench [name ...]`: run benchmarks, write bench/results/<name>.json.

Each benchmark module exposes ``run(settings) -> dict``. Figures are reported against a
baseline measured in the same run, so they mean something on any machine.
"""
from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

from mgm.settings import Settings

BENCHMARKS = ("taxonomy", "reindex", "relevance", "search_latency", "pages")
RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        print(f"bench: unknown benchmark(s) {unknown}; choose from {list(BENCHMARKS)}", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    RESULTS.mkdir(exist_ok=True)
    for name in names:
        started = time.time()
        result = importlib.import_module(f"bench.{name}").run(settings)
        result.setdefault("benchmark", name)
        result.setdefault("measured_at", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)))
        (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
        print(f"bench: {name} done in {time.time() - started:.1f}s -> bench/results/{name}.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
