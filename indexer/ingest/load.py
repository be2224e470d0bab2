"""Load and validate movie records from the TMDB 5000 CSV or the collector's JSON lines.

Both sources go through one row validator, so a movie is judged the same way wherever it came
from. A bad row is rejected with a reason and counted, never silently dropped; only a file that
cannot be read at all stops the run (``LoadError``, one line naming file and problem).
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

REQUIRED_COLUMNS = ("id", "title", "overview", "genres", "keywords", "release_date", "vote_average", "vote_count")
# Every TMDB 5000 column the loader reads: the header a CSV made for it needs (tests, bench scale).
CSV_COLUMNS = (
    *REQUIRED_COLUMNS,
    "original_title",
    "tagline",
    "popularity",
    "runtime",
    "budget",
    "revenue",
    "original_language",
)
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class LoadError(Exception):
    """The input file as a whole is unusable (missing, empty, not CSV, required columns absent)."""

    def __init__(self, path: Path, problem: str):
        super().__init__(f"{problem} ({path})")
        self.path, self.problem = path, problem


class Rejected(Exception):
    """One row is unusable; ``reason`` is a short stable code counted in the run report."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Movie:
    id: int
    title: str
    original_title: str
    tagline: str
    overview: str
    genres: tuple[str, ...]
    keywords: tuple[str, ...]
    release_date: str | None
    year: int | None
    vote_average: float
    vote_count: int
    popularity: float
    runtime: int | None
    budget: int
    revenue: int
    original_language: str
    poster_path: str | None = None
    companies: tuple[str, ...] = ()  # production companies ("Pixar", "Marvel Studios"): people search by studio


@dataclass
class LoadResult:
    movies: list[Movie]
    rows: int
    rejected: Counter = field(default_factory=Counter)

    @property
    def retention(self) -> float:
        return len(self.movies) / self.rows if self.rows else 0.0


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _names(value: Any) -> tuple[str, ...]:
    """TMDB list columns: a JSON string (CSV) or a list (collector) of {"name": ...} objects."""
    if isinstance(value, dict) and "keywords" in value:  # details?append_to_response=keywords
        value = value["keywords"]
    if isinstance(value, str):
        if not value.strip():
            return ()
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise Rejected("bad_json") from exc
    if not isinstance(value, list) or not all(isinstance(v, dict) and isinstance(v.get("name"), str) for v in value):
        raise Rejected("bad_json")
    return tuple(v["name"].strip() for v in value if v["name"].strip())


def _number(value: Any, cast, required: bool):
    text = _text(value)
    if not text:
        if required:
            raise Rejected("bad_number")
        return None
    try:
        number = float(text)
    except ValueError as exc:
        raise Rejected("bad_number") from exc
    if math.isnan(number) or math.isinf(number) or number < 0:
        raise Rejected("bad_number")
    return cast(number)


def _date(value: Any) -> tuple[str | None, int | None]:
    text = _text(value)
    if not text:
        return None, None
    if not DATE_RE.match(text):
        raise Rejected("bad_date")
    try:
        parsed = date.fromisoformat(text)
    except ValueError as exc:
        raise Rejected("bad_date") from exc
    return text, parsed.year


def parse_row(row: dict[str, Any]) -> Movie:
    """One validated ``Movie`` or ``Rejected(reason)``."""
    try:
        movie_id = int(_text(row.get("id")))
    except ValueError as exc:
        raise Rejected("bad_id") from exc
    if movie_id <= 0:
        raise Rejected("bad_id")
    title = _text(row.get("title"))
    if not title:
        raise Rejected("no_title")
    overview = _text(row.get("overview"))
    if not overview:
        raise Rejected("no_overview")
    genres = _names(row.get("genres"))
    keywords = _names(row.get("keywords"))
    try:  # optional: a missing or malformed studio list is no reason to drop the film
        companies = _names(row.get("production_companies"))
    except Rejected:
        companies = ()
    release_date, year = _date(row.get("release_date"))
    return Movie(
        id=movie_id,
        title=title,
        original_title=_text(row.get("original_title")) or title,
        tagline=_text(row.get("tagline")),
        overview=overview,
        genres=genres,
        keywords=keywords,
        release_date=release_date,
        year=year,
        vote_average=_number(row.get("vote_average"), float, True),
        vote_count=_number(row.get("vote_count"), int, True),
        popularity=_number(row.get("popularity"), float, False) or 0.0,
        runtime=_number(row.get("runtime"), int, False),
        budget=_number(row.get("budget"), int, False) or 0,
        revenue=_number(row.get("revenue"), int, False) or 0,
        original_language=_text(row.get("original_language")) or "xx",
        poster_path=_text(row.get("poster_path")) or None,
        companies=companies,
    )


def validate(rows: Iterable[dict[str, Any] | Rejected]) -> LoadResult:
    """Validate rows in order; the first occurrence of an id wins, later ones are duplicates."""
    result = LoadResult(movies=[], rows=0)
    seen: set[int] = set()
    for row in rows:
        result.rows += 1
        try:
            if isinstance(row, Rejected):
                raise row
            movie = parse_row(row)
            if movie.id in seen:
                raise Rejected("duplicate_id")
        except Rejected as rej:
            result.rejected[rej.reason] += 1
            continue
        seen.add(movie.id)
        result.movies.append(movie)
    return result


def _csv_rows(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames
            if not header:
                raise LoadError(path, "file is empty")
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            if missing:
                raise LoadError(path, f"not a TMDB movies CSV, missing column(s) {', '.join(missing)}")
            return list(reader)
    except UnicodeDecodeError as exc:
        raise LoadError(path, f"not UTF-8 text (byte {exc.start})") from exc
    except csv.Error as exc:
        raise LoadError(path, f"malformed CSV ({exc})") from exc


def _jsonl_rows(path: Path) -> list[dict[str, Any] | Rejected]:
    rows: list[dict[str, Any] | Rejected] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise LoadError(path, f"not UTF-8 text (byte {exc.start})") from exc
    for line in lines:
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            rows.append(Rejected("bad_json"))
            continue
        rows.append(record if isinstance(record, dict) else Rejected("bad_json"))
    if not rows:
        raise LoadError(path, "file is empty")
    return rows


def load_movies(path: Path) -> LoadResult:
    """Load ``path`` (``.jsonl`` from the collector, anything else as CSV) and validate it."""
    path = Path(path)
    if not path.exists():
        raise LoadError(path, "file not found")
    if not path.is_file():
        raise LoadError(path, "not a regular file")
    rows = _jsonl_rows(path) if path.suffix in (".jsonl", ".ndjson") else _csv_rows(path)
    return validate(rows)
