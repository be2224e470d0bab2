"""The TMDB collector against a local HTTP server answering TMDB-shaped JSON (with a 429 and a 500)."""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from indexer.ingest.collect import CollectError, TmdbApi, collect, retry_after
from indexer.ingest.load import load_movies

PAGES = {1: [11, 12, 13], 2: [14, 15]}


def details(movie_id: int) -> dict:
    return {
        "id": movie_id,
        "title": f"Movie {movie_id}",
        "original_title": f"Movie {movie_id}",
        "tagline": "",
        "overview": f"Overview of movie {movie_id}.",
        "genres": [{"id": 18, "name": "Drama"}],
        "release_date": f"2020-01-0{movie_id % 9 + 1}",
        "vote_average": 7.1,
        "vote_count": 42,
        "popularity": 9.5,
        "runtime": 101,
        "budget": 0,
        "revenue": 0,
        "original_language": "en",
        "poster_path": f"/p{movie_id}.jpg",
        "keywords": {"keywords": [{"id": 1, "name": "heist"}]},
        "reviews": {"results": [{"content": "Great."}]},
    }


class Tmdb(BaseHTTPRequestHandler):
    hits: Counter = Counter()
    keys: list = []

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: dict, headers: dict | None = None):
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        Tmdb.keys.append(query.get("api_key", [""])[0])
        Tmdb.hits[url.path] += 1
        if query.get("api_key") != ["secret"]:
            return self._send(401, {"status_message": "Invalid API key"})
        if url.path == "/3/discover/movie":
            page = int(query["page"][0])
            if page == 1 and Tmdb.hits[url.path] == 1:
                return self._send(429, {"status_message": "slow down"}, {"Retry-After": "2"})
            return self._send(200, {"page": page, "total_pages": 2, "results": [{"id": i} for i in PAGES[page]]})
        movie_id = int(url.path.rsplit("/", 1)[1])
        assert query["append_to_response"] == ["keywords,reviews"]
        if movie_id == 12 and Tmdb.hits[url.path] == 1:
            return self._send(500, {"status_message": "internal error"})
        if movie_id == 13:
            return self._send(404, {"status_message": "not found"})
        return self._send(200, details(movie_id))


@pytest.fixture
def tmdb():
    Tmdb.hits = Counter()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Tmdb)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/3"
    server.shutdown()


def test_collect_retries_429_and_500_and_resumes(tmdb, tmp_path):
    out = tmp_path / "movies.jsonl"
    # an earlier, interrupted collection: movie 11 complete, then a line cut in the middle
    out.write_text(json.dumps({**details(11), "keywords": [{"id": 1, "name": "heist"}]}) + "\n" + '{"id": 14, "tit')
    waits: list[float] = []
    api = TmdbApi("secret", tmdb, backoff=0.01, sleep=waits.append)
    stats = collect("secret", pages=5, out=out, api=api, workers=3)

    assert stats == {"written": 3, "skipped": 1, "failed": 1, "retries": 2}
    assert 2.0 in waits  # Retry-After honoured on the 429
    assert Tmdb.hits["/3/movie/11"] == 0  # resumed: not fetched again
    assert Tmdb.hits["/3/movie/12"] == 2  # 500, then success
    result = load_movies(out)
    assert sorted(m.id for m in result.movies) == [11, 12, 14, 15] and not result.rejected
    movie = next(m for m in result.movies if m.id == 15)
    assert movie.poster_path == "/p15.jpg" and movie.keywords == ("heist",) and movie.year == 2020

    again = collect("secret", pages=5, out=out, api=TmdbApi("secret", tmdb, sleep=waits.append))
    assert again["written"] == 0 and again["skipped"] == 4


def test_bad_key_stops_with_a_clear_error(tmdb, tmp_path):
    with pytest.raises(CollectError, match="rejected the API key"):
        collect("wrong", pages=1, out=tmp_path / "x.jsonl", base_url=tmdb)


def test_retry_after_parses_seconds_and_dates():
    assert retry_after("3") == 3.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert retry_after(None) is None and retry_after("soon") is None
