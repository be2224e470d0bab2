"""Shared fixtures: the real OpenSearch that `make test` started, never a stand-in."""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from mgm.client import make_client  # noqa: E402
from mgm.settings import Settings  # noqa: E402

FULL = pytest.mark.full  # needs the session's full indexer run on the real CSV (not in `make test-fast`)


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "full: needs the full indexer run on the real CSV (skipped by `make test-fast`)")


def pytest_collection_modifyitems(items) -> None:
    """Mark every test that (directly or through a fixture) uses the full run: the fast tier is the rest."""
    for item in items:
        if "live_index" in getattr(item, "fixturenames", ()):
            item.add_marker(FULL)


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_env()


@pytest.fixture(scope="session")
def os_client(settings):
    """Client for the real server; fails (never skips) when it is not there."""
    client = make_client(settings)
    assert client.ping(), f"OpenSearch does not answer at {settings.opensearch_url}: run tests via `make test`"
    return client


@pytest.fixture
def scratch_index(os_client):
    """A unique index name, deleted (with anything matching it) after the test."""
    name = f"test-scratch-{uuid.uuid4().hex[:10]}"
    yield name
    os_client.indices.delete(index=f"{name}*", ignore_unavailable=True)


# --- Web app in a real server thread, and a real headless Chromium -------------------------

SCREENSHOT_DIR = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def live_server(live_index):
    """The Flask app on a free loopback port, backed by the session's real index."""
    from werkzeug.serving import make_server

    from webapp import create_app

    app = create_app(live_index)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(params=[(1280, 900), (390, 844)], ids=["desktop", "phone"])
def page(browser, request):
    """A fresh page at desktop and phone widths; the test fails on any console error."""
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.screenshot_as = lambda name: pg.screenshot(path=str(_screenshot_path(name, request.node.callspec.id)), full_page=True)
    yield pg
    context.close()
    assert not errors, f"console errors: {errors}"


def _screenshot_path(name: str, variant: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR / f"{name}-{variant}.png"


# --- A full real indexer run into unique aliases, shared by the session ----------------------


@pytest.fixture
def scoped_settings(settings, os_client):
    """Empty aliases of the test's own, for tests that run the indexer themselves."""
    with prefixed_aliases(settings, os_client, "test") as scoped:
        yield scoped


@pytest.fixture(scope="session")
def live_index(settings, os_client):
    """Settings whose aliases hold a full real run on the real CSV, removed at session end.

    Uses the shared embedding cache (settings.cache_dir), so after the first run it only
    clusters, labels and indexes. k is chosen by the same measured sweep as production (its
    curve is cached per embedding matrix).
    """
    from indexer.pipeline import run

    with prefixed_aliases(settings, os_client, "test") as live:
        run(live, progress=False)  # its report is the one document in live.runs_index
        yield live


@contextmanager
def prefixed_aliases(settings, os_client, kind: str):
    """Settings with unique ``<kind>-<uuid8>-*`` index names; everything under that prefix (and its saved stages) is deleted after."""
    from tiny_index import tiny_settings

    from indexer.incremental import stages_dir

    prefix = f"{kind}-{uuid.uuid4().hex[:8]}"
    scoped = tiny_settings(settings, prefix)
    try:
        yield scoped
    finally:
        os_client.indices.delete(index=f"{prefix}-*", ignore_unavailable=True)
        shutil.rmtree(stages_dir(scoped.cache_dir, scoped.micro_alias), ignore_errors=True)


@pytest.fixture(scope="session")
def app(live_index):
    """The web app (model loaded) on the session's full real index, without the per-client rate
    limit: every test shares this one app and one client address (test_rate_limit.py tests it)."""
    from webapp import create_app

    return create_app(replace(live_index, rate_limit_per_second=0))


@pytest.fixture
def client(app):
    return app.test_client()


# --- A small synthetic index (fast tier): real mapping, loader, documents and store ----------


@pytest.fixture(scope="session")
def tiny_index(settings, os_client, tmp_path_factory):
    """Settings whose aliases serve 60 synthetic movies in 6 micro-genres (no model, no clustering)."""
    from tiny_index import build_tiny

    with prefixed_aliases(settings, os_client, "test-tiny") as tiny:
        build_tiny(os_client, tiny, tmp_path_factory.mktemp("tiny"), "v1")
        yield tiny


@pytest.fixture(scope="session")
def tiny_app(tiny_index):
    """The web app, with its embedding model, on the tiny index (no rate limit, as ``app``)."""
    from webapp import create_app

    return create_app(replace(tiny_index, rate_limit_per_second=0))
