"""Collect movies from the TMDB API v3 into JSON lines the pipeline loads like the CSV.

For real users who want fresher data than the 2017 CSV (and posters): discover pages give
movie ids, then one details call per movie with ``append_to_response=keywords,reviews``.
Rate limits are TMDB's main failure mode, so 429 and 5xx answers are retried with exponential
backoff, waiting at least what ``Retry-After`` asks. Each movie is appended (and flushed) as
soon as it arrives, so an interrupted collection resumes where it stopped.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from email.utils import parsedate_to_datetime
from pathlib import Path

import requests

RETRY_STATUS = {429, 500, 502, 503, 504}
MAX_REVIEWS = 5
FIELDS = (
    "id",
    "title",
    "original_title",
    "tagline",
    "overview",
    "genres",
    "production_companies",
    "release_date",
    "vote_average",
    "vote_count",
    "popularity",
    "runtime",
    "budget",
    "revenue",
    "original_language",
    "poster_path",
)


class CollectError(RuntimeError):
    """The collection cannot go on (bad API key, API unreachable after all retries)."""


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class TmdbApi:
    """GET with retries; one ``requests.Session`` per thread."""

    def __init__(
        self,
        api_key: str,
        base_url: str,
        max_retries: int = 5,
        backoff: float = 0.5,
        max_wait: float = 60.0,
        timeout: float = 15.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.api_key, self.base_url = api_key, base_url.rstrip("/")
        self.max_retries, self.backoff, self.max_wait, self.timeout, self.sleep = max_retries, backoff, max_wait, timeout, sleep
        self._local = threading.local()
        self.retries = 0

    def _session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session

    def get(self, path: str, **params) -> dict:
        url = f"{self.base_url}/{path.lstrip('/')}"
        for attempt in range(self.max_retries + 1):
            wait = self.backoff * 2**attempt
            try:
                response = self._session().get(url, params={"api_key": self.api_key, **params}, timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt == self.max_retries:
                    raise CollectError(f"TMDB API unreachable: {exc.__class__.__name__} ({url})") from exc
            else:
                if response.status_code in (401, 403):
                    raise CollectError(f"TMDB rejected the API key (HTTP {response.status_code}, {url})")
                if response.status_code not in RETRY_STATUS:
                    response.raise_for_status()
                    return response.json()
                if attempt == self.max_retries:
                    raise CollectError(f"TMDB kept answering HTTP {response.status_code} ({url})")
                wait = max(wait, retry_after(response.headers.get("Retry-After")) or 0.0)
            self.retries += 1
            self.sleep(min(wait, self.max_wait))
        raise AssertionError("unreachable")


def record(details: dict) -> dict:
    """A collector line: the CSV's fields (lists as JSON), ``keywords``, ``poster_path``, reviews."""
    out = {f: details.get(f) for f in FIELDS}
    out["keywords"] = (details.get("keywords") or {}).get("keywords", [])
    reviews = (details.get("reviews") or {}).get("results", [])
    out["reviews"] = [r.get("content", "") for r in reviews[:MAX_REVIEWS]]
    return out


def done_ids(out: Path) -> set[int]:
    """Ids already collected; a line cut by an interruption is removed so appends stay valid."""
    if not out.is_file():
        return set()
    data = out.read_bytes()
    if data and not data.endswith(b"\n"):
        data = data[: data.rfind(b"\n") + 1]
        out.write_bytes(data)
    ids = set()
    for line in data.decode("utf-8").splitlines():
        try:
            ids.add(int(json.loads(line)["id"]))
        except (ValueError, KeyError, TypeError):
            continue
    return ids


def discover(api: TmdbApi, pages: int) -> list[int]:
    ids: list[int] = []
    for page in range(1, pages + 1):
        body = api.get("discover/movie", sort_by="popularity.desc", include_adult="false", page=page)
        ids += [int(r["id"]) for r in body.get("results", [])]
        if page >= int(body.get("total_pages", pages)):
            break
    return list(dict.fromkeys(ids))


def collect(
    api_key: str, pages: int, out: Path, base_url: str = "https://api.themoviedb.org/3", workers: int = 4, api: TmdbApi | None = None
) -> dict:
    """Append the details of up to ``pages`` x 20 popular movies to ``out``; return counts."""
    api = api or TmdbApi(api_key, base_url)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    done = done_ids(out)
    todo = [i for i in discover(api, pages) if i not in done]
    lock = threading.Lock()
    stats = {"written": 0, "skipped": len(done), "failed": 0, "retries": 0}
    with out.open("a", encoding="utf-8") as fh, ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(api.get, f"movie/{i}", append_to_response="keywords,reviews"): i for i in todo}
        try:
            for future in as_completed(futures):
                try:
                    line = json.dumps(record(future.result()), ensure_ascii=False)
                except requests.HTTPError:
                    stats["failed"] += 1  # e.g. 404: the movie vanished between discover and details
                    continue
                with lock:
                    fh.write(line + "\n")
                    fh.flush()
                    stats["written"] += 1
        except BaseException:
            pool.shutdown(cancel_futures=True)  # what was written so far stays for the resume
            raise
    stats["retries"] = api.retries
    return stats
