"""Load + validate: every rejection reason on small hand-made CSV and JSONL files."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.ingest.load import LoadError, load_movies

HEADER = [
    "budget",
    "genres",
    "homepage",
    "id",
    "keywords",
    "original_language",
    "original_title",
    "overview",
    "popularity",
    "release_date",
    "revenue",
    "runtime",
    "tagline",
    "title",
    "vote_average",
    "vote_count",
]
GENRES = json.dumps([{"id": 18, "name": "Drama"}])
KEYWORDS = json.dumps([{"id": 1, "name": "time travel"}, {"id": 2, "name": "duringcreditsstinger"}])


def row(**overrides) -> dict:
    base = dict(
        budget="1000",
        genres=GENRES,
        homepage="",
        id="1",
        keywords=KEYWORDS,
        original_language="en",
        original_title="A Film",
        overview="A scientist travels through time.",
        popularity="1.5",
        release_date="1999-05-01",
        revenue="5000",
        runtime="100",
        tagline="",
        title="A Film",
        vote_average="6.5",
        vote_count="120",
    )
    base.update(overrides)
    return base


def write_csv(path: Path, rows: list[dict], header=HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(
    "bad, reason",
    [
        (dict(genres="[{'id': 18"), "bad_json"),
        (dict(keywords='{"not": "a list"}'), "bad_json"),
        (dict(title="  "), "no_title"),
        (dict(overview=""), "no_overview"),
        (dict(release_date="05/01/1999"), "bad_date"),
        (dict(release_date="1999-02-30"), "bad_date"),
        (dict(vote_average="lots"), "bad_number"),
        (dict(vote_count="-3"), "bad_number"),
        (dict(id="tt123"), "bad_id"),
    ],
)
def test_each_rejection_reason_is_counted(tmp_path, bad, reason):
    path = write_csv(tmp_path / "m.csv", [row(id="1"), row(id="2", **{k: v for k, v in bad.items() if k != "id"}) if "id" not in bad else row(**bad)])
    result = load_movies(path)
    assert result.rejected == {reason: 1}
    assert [m.id for m in result.movies] == [1]
    assert result.retention == 0.5


def test_duplicate_id_keeps_first(tmp_path):
    path = write_csv(tmp_path / "m.csv", [row(id="7", title="First"), row(id="7", title="Second"), row(id="8")])
    result = load_movies(path)
    assert result.rejected == {"duplicate_id": 1}
    assert [(m.id, m.title) for m in result.movies] == [(7, "First"), (8, "A Film")]


def test_valid_row_is_parsed(tmp_path):
    path = write_csv(tmp_path / "m.csv", [row(release_date="", runtime="")])
    (movie,) = load_movies(path).movies
    assert movie.release_date is None and movie.year is None and movie.runtime is None
    assert movie.genres == ("Drama",) and movie.keywords == ("time travel", "duringcreditsstinger")
    assert movie.vote_count == 120 and movie.vote_average == 6.5
    assert movie.companies == ()  # no production_companies column: none, and the film stays


def test_studios_are_read_and_a_malformed_list_drops_only_the_studios(tmp_path):
    studios = json.dumps([{"id": 3, "name": "Pixar Animation Studios"}, {"id": 2, "name": "Walt Disney Pictures"}])
    header = [*HEADER, "production_companies"]
    path = write_csv(tmp_path / "m.csv", [row(production_companies=studios), row(id="2", production_companies="[{broken")], header)
    first, second = load_movies(path).movies
    assert first.companies == ("Pixar Animation Studios", "Walt Disney Pictures") and second.companies == ()


@pytest.mark.parametrize(
    "make, problem",
    [
        (lambda p: p, "file not found"),
        (lambda p: (p.write_text(""), p)[1], "file is empty"),
        (lambda p: (p.write_text("a,b\n1,2\n"), p)[1], "missing column(s)"),
        (lambda p: (p.write_bytes(b"\xff\xfe\x00bad"), p)[1], "not UTF-8"),
    ],
)
def test_unusable_file_raises_load_error(tmp_path, make, problem):
    path = make(tmp_path / "movies.csv")
    with pytest.raises(LoadError) as info:
        load_movies(path)
    assert problem in str(info.value) and str(path) in str(info.value)


def test_cli_reports_bad_file_in_one_line(tmp_path):
    missing = tmp_path / "nope.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "indexer", "run", "--csv", str(missing), "--quiet"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=120,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert lines == [f"indexer: cannot load movies: file not found ({missing})"]


def test_jsonl_uses_the_same_validator(tmp_path):
    path = tmp_path / "c.jsonl"
    good = {**row(id="3"), "genres": [{"id": 18, "name": "Drama"}], "keywords": [{"id": 5, "name": "heist"}], "poster_path": "/p.jpg"}
    path.write_text(json.dumps(good) + "\n" + "{broken\n" + json.dumps({**good, "overview": ""}) + "\n")
    result = load_movies(path)
    assert result.rejected == {"bad_json": 1, "no_overview": 1}
    assert result.movies[0].poster_path == "/p.jpg" and result.movies[0].keywords == ("heist",)
