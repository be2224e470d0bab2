"""Shared fixtures: the real OpenSearch that `make test` started, never a stand-in."""
from __future__ import annotations

import os
import shutil
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from mgm.client import make_client  # noqa: E402
from mgm.settings import Settings  # noqa: E402


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


@contextmanager
def _scoped(settings, os_client):
    """Settings under a unique ``test-<uuid8>`` prefix; its indices and saved stages go afterwards."""
    from indexer.incremental import stages_dir

    scoped = settings.scoped(f"test-{uuid.uuid4().hex[:8]}")
    try:
        yield scoped
    finally:
        os_client.indices.delete(index=f"{scoped.index_alias.removesuffix('-movies')}-*", ignore_unavailable=True)
        shutil.rmtree(stages_dir(scoped.cache_dir, scoped.micro_alias), ignore_errors=True)


@pytest.fixture
def scoped_settings(settings, os_client):
    """Empty aliases of the test's own, for tests that run the indexer themselves."""
    with _scoped(settings, os_client) as scoped:
        yield scoped


@pytest.fixture(scope="session")
def live_index(settings, os_client):
    """Settings whose aliases hold a full real run on the real CSV, removed at session end.

    Uses the shared embedding cache (settings.cache_dir), so after the first run it only
    clusters, labels and indexes. k is chosen by the same measured sweep as production (its
    curve is cached per embedding matrix).
    """
    from indexer.pipeline import run

    with _scoped(settings, os_client) as live:
        run(live, progress=False)  # its report is the one document in live.runs_index
        yield live
