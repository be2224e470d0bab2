"""`python -m bench [name ...] [--films N]`: run benchmarks, write bench/results/<name>.json.

Each benchmark module exposes ``run(settings) -> dict``; ``scale`` (long: it indexes up to
``--films`` synthetic films) runs only when named, and takes ``run(settings, films=N)``. Figures are reported against a
baseline measured in the same run, so they mean something on any machine.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path

from mgm.settings import Settings

BENCHMARKS = ("taxonomy", "reindex", "incremental", "relevance", "search_latency", "pages", "recommend", "profile_search", "web_layout")
ON_REQUEST = ("scale",)
RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*")
    parser.add_argument("--films", type=int, help="largest synthetic catalogue of `scale` (default 100000)")
    args = parser.parse_args(argv)
    names = args.names or list(BENCHMARKS)
    unknown = sorted(set(names) - set(BENCHMARKS) - set(ON_REQUEST))
    if unknown:
        print(f"bench: unknown benchmark(s) {unknown}; choose from {list(BENCHMARKS + ON_REQUEST)}", file=sys.stderr)
        return 2
    options = {"films": args.films} if args.films else {}
    settings = Settings.from_env()
    RESULTS.mkdir(exist_ok=True)
    for name in names:
        started = time.time()
        result = importlib.import_module(f"bench.{name}").run(settings, **(options if name == "scale" else {}))
        result.setdefault("benchmark", name)
        result.setdefault("measured_at", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)))
        (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
        print(f"bench: {name} done in {time.time() - started:.1f}s -> bench/results/{name}.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
