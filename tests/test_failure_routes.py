"""Every API route and HTML page when OpenSearch is down, the alias is missing, or the search
pipeline is gone: JSON 503/404 that says what to do, a styled page with navigation, and
recovery without restarting the app. Real servers only (a refused port, real aliases)."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import replace

import pytest
from synthetic import FORMULA, SCRIPT
from tiny_index import tiny_settings

from webapp import create_app
from webapp.api.errors import BACKEND_DOWN, INDEX_MISSING

API = [
    ("get", "/api/search?q=shark"),
    ("get", "/api/search?q=shark&mode=keyword"),
    ("get", "/api/search?q=shark&mode=semantic"),
    ("get", "/api/search"),
    ("get", "/api/search?q=shark&mode=keyword&format=csv"),
    ("get", "/api/movies/1"),
    ("get", "/api/movies/1/similar"),
    ("get", "/api/micro-genres"),
    ("get", "/api/micro-genres?q=shark"),
    ("get", "/api/micro-genres/0"),
    ("get", "/api/suggest?q=va"),
    ("get", "/api/landing"),
    ("get", "/api/overview"),
    ("get", "/api/trends"),
    ("post", "/api/recommend"),
    ("get", "/api/map"),
    ("get", "/api/micro-genres/0/films"),
    ("get", "/api/movies/1/why"),
]
# /map is a shell whose script fetches /api/map (above) and says so when that fails.
PAGES = [
    "/",
    "/explore",
    "/explore?q=shark",
    "/explore?q=vault&mode=keyword&movie=1",
    "/overview",
    "/trends",
    "/micro-genres/0",
    "/likes?ids=1",
    "/about-model",
]
NAV = '<nav aria-label="Main">'


def call(client, method: str, url: str):
    if method == "post":
        return client.post(url, json={"liked": [1], "size": 3})
    return client.get(url)


def assert_json_error(resp, status: int, message: str) -> None:
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    assert resp.is_json and resp.get_json() == {"error": message, "field": None}


def assert_error_page(resp, status: int, text: str) -> None:
    html = resp.get_data(as_text=True)
    assert resp.status_code == status and resp.mimetype == "text/html", html[:300]
    assert NAV in html and 'class="card error-page"' in html and text in html
    assert "Traceback" not in html


@pytest.fixture(scope="module")
def down(tiny_index):
    """The app pointed at a port where nothing listens: a real refused connection."""
    return create_app(replace(tiny_index, opensearch_url="http://127.0.0.1:9"))


@pytest.mark.parametrize("method, url", API)
def test_api_when_opensearch_is_down(down, method, url):
    assert_json_error(call(down.test_client(), method, url), 503, BACKEND_DOWN)


@pytest.mark.parametrize("url", PAGES)
def test_pages_when_opensearch_is_down(down, url):
    assert_error_page(down.test_client().get(url), 503, "make opensearch-up")


def test_health_when_opensearch_is_down(down):
    resp = down.test_client().get("/healthz")
    assert resp.status_code == 503 and resp.get_json()["status"] == "down"


@pytest.fixture(scope="module")
def unbuilt(tiny_index, os_client):
    """An app whose aliases do not exist yet; the test then creates them (no restart)."""
    settings = tiny_settings(tiny_index, f"test-unbuilt-{uuid.uuid4().hex[:8]}")
    yield create_app(settings), settings
    for alias in (settings.index_alias, settings.micro_alias):
        os_client.indices.delete_alias(index="_all", name=alias, ignore=[404])


def test_missing_alias_everywhere_then_recovery_without_restart(unbuilt, tiny_index, os_client):
    app, settings = unbuilt
    client = app.test_client()
    for method, url in API:
        assert_json_error(call(client, method, url), 503, INDEX_MISSING)
    for url in PAGES:
        assert_error_page(client.get(url), 503, "make reindex")
    health = client.get("/healthz").get_json()
    assert health["status"] == "no-index" and health["index_present"] is False

    # `make reindex` done: the aliases appear, and the same app serves every route.
    for alias, target in ((settings.index_alias, tiny_index.index_alias), (settings.micro_alias, tiny_index.micro_alias)):
        os_client.indices.put_alias(index=list(os_client.indices.get_alias(name=target)), name=alias)
    for method, url in API:
        assert call(client, method, url).status_code == 200, url
    for url in PAGES:
        assert client.get(url).status_code == 200, url


def test_unknown_ids_and_paths_are_404(tiny_app):
    client = tiny_app.test_client()
    for url, field in (("/api/movies/999999", "id"), ("/api/micro-genres/999", "id"), ("/api/movies/999999/similar", "id")):
        resp = client.get(url)
        assert resp.status_code == 404 and resp.get_json()["field"] == field
    assert client.post("/api/recommend", json={"liked": [999999]}).status_code == 404
    assert client.get("/api/no-such-route").status_code == 404 and client.get("/api/no-such-route").is_json
    assert_error_page(client.get("/no-such-page"), 404, "Page not found")
    page = client.get("/micro-genres/999")
    assert page.status_code == 404 and NAV in page.get_data(as_text=True)


# --- hostile movie data: shown as text everywhere, neutralised in CSV --------------------------


def test_script_in_movie_data_is_text_on_every_page(tiny_app):
    client = tiny_app.test_client()
    for url in PAGES + ["/explore?q=alert&mode=keyword", "/explore?q=alert+mgm&mode=hybrid&movie=1"]:
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<b>wild" not in html, url
    shown = client.get("/explore?q=alert&mode=keyword&movie=1").get_data(as_text=True)
    assert "&lt;script&gt;" in shown  # the title is there, as text


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])  # semantic's cutoff finds nothing in random vectors
def test_highlight_escapes_the_text_and_marks_only_query_words(tiny_app, mode):
    """``|safe`` on the highlight in explore.html is only sound because the highlighter escapes the text."""
    data = tiny_app.test_client().get(f"/api/search?q=alert+wild&mode={mode}&size=60").get_json()
    first = next(r for r in data["results"] if r["id"] == 1)
    marked = first["highlight"]["overview"]
    assert "&lt;script&gt;" in marked and "<script" not in marked and "&lt;b&gt;" in marked
    assert "<mark>wild</mark>" in marked or "<mark>alert</mark>" in marked
    assert marked.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_csv_cells_that_start_a_formula_are_neutralised(tiny_app):
    resp = tiny_app.test_client().get("/api/search?size=100&format=csv")
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    titles = {row["id"]: row["title"] for row in rows}
    assert titles["2"] == "'" + FORMULA
    assert titles["1"].startswith(SCRIPT)  # plain text passes unchanged
    assert not any(row[col][:1] in "=+-@" for row in rows for col in ("title", "micro_genre", "macro_genre", "genres"))
