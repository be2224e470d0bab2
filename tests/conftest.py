"""Shared fixtures: the real OpenSearch that `make test` started, never a stand-in."""
from __future__ import annotations

import os
import uuid

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
    client = make_client(settings.opensearch_url)
    assert client.ping(), f"OpenSearch does not answer at {settings.opensearch_url}: run tests via `make test`"
    return client


@pytest.fixture
def scratch_index(os_client):
    """A unique index name, deleted (with anything matching it) after the test."""
    name = f"test-scratch-{uuid.uuid4().hex[:10]}"
    yield name
    os_client.indices.delete(index=f"{name}*", ignore_unavailable=True)
