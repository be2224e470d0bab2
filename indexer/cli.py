"""`python -m indexer run|add|status|ensure|collect`: thin argument parsing around the pipeline.

Every failure ends with exit code 1 and one line ``indexer: <what> (<where>)``, never a
traceback: the people running this are operators, not debuggers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mgm.settings import Settings


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m indexer", description="Mine micro-genres and index them into OpenSearch.")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="full reindex (atomic alias swap)")
    run.add_argument("--csv", type=Path, help="TMDB CSV or collector .jsonl (default: $MOVIES_CSV)")
    run.add_argument("--quiet", action="store_true", help="no progress bars")
    add = sub.add_parser("add", help="add or update films in the live index without re-clustering")
    add.add_argument("--csv", type=Path, required=True, help="TMDB CSV or collector .jsonl of new or edited films")
    status_ = sub.add_parser("status", help="aliases, document counts, last run")
    status_.add_argument("--labels", action="store_true", help="print every macro theme with its micro-genres instead")
    ensure = sub.add_parser("ensure", help="run only if the movies alias is missing")
    ensure.add_argument("--quiet", action="store_true")
    collect = sub.add_parser("collect", help="pull movies from the TMDB API v3 into a .jsonl file")
    collect.add_argument("--api-key", required=True)
    collect.add_argument("--pages", type=int, default=5, help="discover pages of 20 movies (default 5)")
    collect.add_argument("--out", type=Path, required=True, help="output .jsonl (resumed if it exists)")
    collect.add_argument("--base-url", default="https://api.themoviedb.org/3")
    collect.add_argument("--workers", type=int, default=4)
    return p


def _summary(report: dict) -> str:
    c = report.get("counts", {})
    return (
        f"indexer: {report['status']} run {report['run_id']}: {c.get('indexed_movies')} movies, "
        f"{report.get('k')} micro-genres, {report.get('n_macro')} macro themes, "
        f"label fit {report.get('label_fit')}, silhouette {report.get('silhouette')}, encoded {c.get('encoded')}, "
        f"rejected {report.get('rejected')}, {report.get('total_seconds')} s"
    )


def status(settings: Settings) -> dict:
    from indexer.publish.store import alias_targets, last_run
    from mgm.client import make_client

    client = make_client(settings)
    out: dict = {"opensearch": settings.opensearch_url, "aliases": {}}
    for alias in (settings.index_alias, settings.micro_alias):
        targets = alias_targets(client, alias)
        out["aliases"][alias] = {
            "indices": targets,
            "count": client.count(index=alias)["count"] if targets else 0,
        }
    run = last_run(client, settings.runs_index)
    keys = (
        "run_id",
        "status",
        "finished_at",
        "k",
        "n_macro",
        "silhouette",
        "label_fit",
        "taxonomy",
        "total_seconds",
        "counts",
        "rejected",
        "timings",
        "error",
    )
    out["last_run"] = {k: run.get(k) for k in keys if k in run} if run else None
    from indexer.incremental import drift

    out["since_last_run"] = drift(client, settings)
    return out


def labels_table(settings: Settings) -> str:
    """Every macro theme with its micro-genres: size, label fit and three member titles.

    Read from the live micro-genres alias, so it shows exactly what the site serves.
    """
    from mgm.client import make_client

    client = make_client(settings)
    fields = ["id", "label", "size", "label_fit", "macro_genre", "macro_genre_id", "top_movies"]
    hits = client.search(index=settings.micro_alias, body={"size": 10_000, "_source": fields})["hits"]["hits"]
    by_macro: dict[tuple[int, str], list[dict]] = {}
    for h in hits:
        d = h["_source"]
        by_macro.setdefault((d["macro_genre_id"], d["macro_genre"]), []).append(d)
    lines = []
    for (_, macro), micros in sorted(by_macro.items(), key=lambda kv: -sum(m["size"] for m in kv[1])):
        lines.append(f"{macro} ({len(micros)} micro-genres, {sum(m['size'] for m in micros)} films)")
        for m in sorted(micros, key=lambda m: -m["size"]):
            titles = ", ".join(t["title"] for t in m["top_movies"][:3])
            fit = f"{m['label_fit']:.2f}" if m.get("label_fit") is not None else "?"
            lines.append(f"  {m['id']:>4}  {m['label']} ({m['size']} films, fit {fit}): {titles}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings.from_env()
    try:
        if args.command == "status":
            print(labels_table(settings) if args.labels else json.dumps(status(settings), indent=2))
            return 0
        if args.command == "add":
            from indexer.incremental import add

            report = add(settings, args.csv)
            c = report["counts"]
            print(
                f"indexer: added {c['added']}, updated {c['updated']} films (encoded {c['encoded']}, rejected "
                f"{report['rejected']}) into {len(report['micro_genres_touched'])} micro-genres, no alias swap"
            )
            return 0
        if args.command == "collect":
            from indexer.ingest.collect import collect

            stats = collect(args.api_key, args.pages, args.out, base_url=args.base_url, workers=args.workers)
            print(f"indexer: collected {stats['written']} new movies ({stats['skipped']} already in {args.out}, {stats['failed']} failed)")
            return 0
        from indexer.pipeline import run

        if args.command == "ensure":
            from indexer.publish.store import alias_targets, missing_fields
            from mgm.client import make_client

            client = make_client(settings)
            if alias_targets(client, settings.index_alias):
                missing = [*missing_fields(client, settings.index_alias, "movies"), *missing_fields(client, settings.micro_alias, "micro_genres")]
                if not missing:
                    print(f"indexer: alias {settings.index_alias!r} exists, nothing to do")
                    return 0
                print(f"indexer: the live indices lack {', '.join(missing)} (a mapping changed): reindexing")
            report = run(settings, progress=not args.quiet)
        else:
            report = run(settings, csv=args.csv, progress=not args.quiet)
        print(_summary(report))
        return 0
    except KeyboardInterrupt:
        print("indexer: interrupted (aliases unchanged unless the swap had completed)", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - one line for the operator, never a traceback
        print(f"indexer: {describe(exc, settings)}", file=sys.stderr)
        return 1


def describe(exc: Exception, settings: Settings) -> str:
    """One line: what failed, and where."""
    from opensearchpy.exceptions import ConnectionError as OSConnectionError
    from opensearchpy.exceptions import TransportError

    from indexer.ingest.collect import CollectError
    from indexer.ingest.load import LoadError
    from indexer.publish.lease import LeaseHeld, LeaseLost
    from indexer.publish.store import SwapError

    if isinstance(exc, (LeaseHeld, LeaseLost, SwapError)):
        return str(exc)  # already the operator's sentence: who holds the lock, or that nothing was swapped
    from indexer.incremental import AddRefused

    if isinstance(exc, AddRefused):
        return f"add refused: {exc}"
    if isinstance(exc, LoadError):
        return f"cannot load movies: {exc}"
    if isinstance(exc, CollectError):
        return f"collect failed: {exc}"
    if isinstance(exc, OSConnectionError):
        return f"OpenSearch is not reachable ({settings.opensearch_url})"
    if isinstance(exc, TransportError):
        return f"OpenSearch refused a request: {exc.error} ({settings.opensearch_url})"
    where = exc.__traceback__
    while where and where.tb_next:
        where = where.tb_next
    location = f"{Path(where.tb_frame.f_code.co_filename).name}:{where.tb_lineno}" if where else "indexer"
    return f"{type(exc).__name__}: {exc} ({location})"
