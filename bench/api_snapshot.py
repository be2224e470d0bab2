"""Before/after proof that the JSON API answers the same: `python -m bench.api_snapshot build|dump|clean`.

``build`` publishes the tests' tiny synthetic index under the ``apidiff-`` prefix, with retired
micro-genre and macro ids in its registry; ``dump`` prints every fixed request's status,
``Location`` and body (``took_ms`` dropped) as sorted JSON, through Flask's test client on the
code found first on ``PYTHONPATH``; ``clean`` deletes the indices. A refactor (issue 24) is
checked by dumping from a checkout of the old commit and from the new one, then ``diff``:

    python -m bench.api_snapshot build
    (cd /tmp/before && PYTHONPATH=. ../main/.venv/bin/python -m bench.api_snapshot dump) > before.json
    python -m bench.api_snapshot dump > after.json && diff before.json after.json

(an old checkout without this file runs it by path). On 2026-12-05 (issue 24, part 1: fbdee50
against the working tree) the 26 requests answered identically.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

from mgm.client import make_client
from mgm.settings import PROJECT_ROOT, Settings

PREFIX = "apidiff"
RETIRED = [("micro", 900001, 900002), ("micro", 900002, 0), ("macro", 900003, 1)]  # (kind, old id, successor)
REQUESTS = [
    "/api/search?q=vault+crew",
    "/api/search?q=vault+crew&mode=keyword",
    "/api/search?q=astronaut&mode=semantic",
    "/api/search?micro_genre=900001",
    "/api/search?q=zombie&micro_genre=900002&macro=900003",
    "/api/search?q=shark&sort=rating&size=5",
    "/api/search?q=war+soldier&format=csv",
    "/api/search",
    "/api/search?genre=Horror&year_from=1990",
    "/api/trends",
    "/api/trends?micro=900001,1",
    "/api/trends?cloud_micro=900002",
    "/api/overview",
    "/api/overview?macro=1",
    "/api/micro-genres",
    "/api/micro-genres/0",
    "/api/micro-genres/900001",
    "/micro-genres/900002",
    "/api/movies/5",
    "/api/movies/5/similar?micro_genre=900001",
    "/api/bogus",
    "/api/search?nope=1",
    "/api/micro-genres/424242",
    "/healthz",
    "/api/openapi.json",
    "/api/suggest?q=vau",
]


def build(settings: Settings, folder: Path = Path("/tmp/apidiff")) -> None:
    from opensearchpy import helpers

    sys.path.insert(0, str(PROJECT_ROOT / "tests"))
    from tiny_index import build_tiny

    client = make_client(settings)
    folder.mkdir(parents=True, exist_ok=True)
    build_tiny(client, settings, folder, "v1")
    helpers.bulk(
        client,
        [
            {
                "_index": settings.ids_index,
                "_id": f"{kind}-{old}",
                "_source": {"kind": kind, "id": old, "status": "retired", "successor": new, "run_id": PREFIX},
            }
            for kind, old, new in RETIRED
        ],
        refresh=True,
    )


def dump(settings: Settings) -> dict:
    from webapp import create_app

    client = create_app(replace(settings, rate_limit_per_second=0)).test_client()
    out = {}
    for url in REQUESTS:
        resp = client.get(url)
        text = resp.get_data(as_text=True)
        try:
            body = json.loads(text)
            if isinstance(body, dict):
                body.pop("took_ms", None)
        except ValueError:
            body = text[:3000]
        out[url] = {"status": resp.status_code, "location": resp.headers.get("Location"), "body": body}
    return out


if __name__ == "__main__":
    scoped = Settings.from_env().scoped(PREFIX)
    command = sys.argv[1] if len(sys.argv) > 1 else "dump"
    if command == "build":
        build(scoped)
    elif command == "clean":
        make_client(scoped).indices.delete(index=f"{PREFIX}-*", ignore_unavailable=True)
    else:
        print(json.dumps(dump(scoped), indent=1, sort_keys=True))
