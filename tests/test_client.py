"""Hosts, basic auth and TLS settings reach the opensearch-py client (its real connections)."""
from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest

from mgm.client import make_client
from mgm.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def ca_bundle(tmp_path_factory) -> Path:
    """A real CA certificate, made by the deployment's own certs.sh."""
    folder = tmp_path_factory.mktemp("certs")
    subprocess.run(["sh", str(ROOT / "opensearch" / "docker" / "certs.sh"), str(folder)], check=True, capture_output=True)
    return folder / "root-ca.pem"


def connections(client) -> list:
    pool = client.transport.connection_pool
    return list(getattr(pool, "connections", [getattr(pool, "connection", None)]))


def test_every_listed_node_becomes_a_connection():
    settings = Settings.from_env({"OPENSEARCH_URL": "http://127.0.0.1:9221, http://127.0.0.1:9222,http://127.0.0.1:9223"})
    # (the pool shuffles them, so each client process starts on a different node)
    assert sorted(c.host for c in connections(make_client(settings))) == [f"http://127.0.0.1:{p}" for p in (9221, 9222, 9223)]


def test_auth_and_verified_tls_reach_every_connection(ca_bundle):
    settings = Settings.from_env({
        "OPENSEARCH_URL": "https://os-1.example:9200,https://os-2.example:9200",
        "OPENSEARCH_USER": "mgm-web", "OPENSEARCH_PASSWORD": "s3cret:pw",
        "OPENSEARCH_CA_CERTS": str(ca_bundle),
    })
    conns = connections(make_client(settings))
    assert len(conns) == 2
    expected = "Basic " + base64.b64encode(b"mgm-web:s3cret:pw").decode()
    for conn in conns:
        assert conn.use_ssl
        assert conn.headers["authorization"] == expected
        assert conn.pool.cert_reqs == "CERT_REQUIRED"
        assert conn.pool.ca_certs == str(ca_bundle)


def test_verification_can_be_switched_off_explicitly_and_no_user_means_no_auth():
    settings = Settings.from_env({"OPENSEARCH_URL": "https://127.0.0.1:9200", "OPENSEARCH_VERIFY_CERTS": "false"})
    with pytest.warns(UserWarning, match="insecure"):  # switched off, but never silently
        (conn,) = connections(make_client(settings))
    assert conn.pool.cert_reqs == "CERT_NONE"
    assert "authorization" not in conn.headers
