"""Edited copies of the real CSV for the identity and incremental measurements (issue 16).

Written to a temporary folder by the caller, never committed (the dataset stays out of git).
Selections are by row position, so every run changes the same films.
"""

from __future__ import annotations

import csv
from pathlib import Path


def read_rows(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, fields: list[str], rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def edited_copy(source: Path, target: Path, every: int = 40) -> tuple[int, int]:
    """Two films in ``every`` change (5% at 40): one dropped, one with its overview rewritten
    (sentences reversed, a line added). Returns (dropped, edited)."""
    fields, rows = read_rows(source)
    out, dropped, edited = [], 0, 0
    for n, row in enumerate(rows):
        if n % every == 0:
            dropped += 1
            continue
        if n % every == every // 2:
            sentences = [s for s in row["overview"].split(". ") if s]
            row = dict(row, overview=". ".join(reversed(sentences)) + " Nothing will be the same again.")
            edited += 1
        out.append(row)
    write_rows(target, fields, out)
    return dropped, edited


def hold_out(source: Path, kept: Path, held: Path, n: int = 200) -> list[int]:
    """Split ``source`` into ``kept`` and ``n`` evenly spread ``held`` rows; the held rows' ids."""
    fields, rows = read_rows(source)
    step = len(rows) // n
    chosen = {i * step + step // 2 for i in range(n)}
    write_rows(kept, fields, [r for i, r in enumerate(rows) if i not in chosen])
    write_rows(held, fields, [r for i, r in enumerate(rows) if i in chosen])
    return [int(rows[i]["id"]) for i in sorted(chosen)]
