"""``python -m mgm.security_setup``: users and roles of the secured Docker deployment.

The ``security-init`` service runs it once OpenSearch is healthy. It authenticates with the
admin client certificate (``plugins.security.authcz.admin_dn``), so the cluster never has
a built-in password, and through the security REST API it sets:

- ``admin`` (all access) with ``OPENSEARCH_INITIAL_ADMIN_PASSWORD``;
- ``mgm-web``, read-only on the project's indices (the web app);
- ``mgm-indexer``, all rights on the project's indices and nothing else (the indexer);
- ``mgm-dashboards``, Dashboards' own server user (the ``kibana_server`` role).

Passwords come from the environment (``.env`` through compose). Re-running updates them.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import requests

from mgm.settings import DEPLOY_PASSWORD_VARIABLES, Settings

API = "/_plugins/_security/api"
READER_ROLE, WRITER_ROLE = "mgm_reader", "mgm_writer"


@dataclass(frozen=True)
class Cert:
    ca: str
    cert: str
    key: str


def index_patterns(settings: Settings) -> list[str]:
    """The project's indices: each alias and the timestamped indices behind it, the run
    reports (and the reindex lease) and the id registry that keeps retired ids resolvable."""
    return [f"{name}*" for name in settings.index_names]


def roles(settings: Settings) -> dict[str, dict]:
    """Role bodies: a reader for the web app, a writer for the indexer, on our indices only."""
    patterns = index_patterns(settings)
    return {
        READER_ROLE: {
            "cluster_permissions": ["cluster_monitor", "cluster_composite_ops_ro"],
            "index_permissions": [{"index_patterns": patterns, "allowed_actions": ["read", "indices:admin/aliases/get", "indices:admin/get"]}],
        },
        WRITER_ROLE: {
            "cluster_permissions": ["cluster_monitor", "cluster_composite_ops"],
            "index_permissions": [{"index_patterns": patterns, "allowed_actions": ["indices_all"]}],
        },
    }


def users(passwords: dict[str, str]) -> dict[str, dict]:
    """User bodies; the role mapping that gives each its role is in ``role_mappings``."""
    return {
        "admin": {"password": passwords["admin"], "backend_roles": ["admin"], "description": "administrator"},
        "mgm-web": {"password": passwords["mgm-web"], "description": "web app, read-only"},
        "mgm-indexer": {"password": passwords["mgm-indexer"], "description": "indexer, writes the project's indices"},
        "mgm-dashboards": {"password": passwords["mgm-dashboards"], "description": "OpenSearch Dashboards server"},
    }


def role_mappings() -> dict[str, dict]:
    return {
        "all_access": {"backend_roles": ["admin"], "users": ["admin"]},
        READER_ROLE: {"users": ["mgm-web"]},
        WRITER_ROLE: {"users": ["mgm-indexer"]},
        "kibana_server": {"users": ["mgm-dashboards"]},
    }


def read_passwords(settings: Settings) -> dict[str, str]:
    """Every user's password; a missing one is an error naming its variable."""
    passwords = dict(settings.deploy_passwords)
    missing = [var for user, var in DEPLOY_PASSWORD_VARIABLES.items() if not passwords.get(user)]
    if missing:
        raise ValueError(f"set {', '.join(missing)} (in .env)")
    return passwords


def apply(base_url: str, cert: Cert, settings: Settings, passwords: dict[str, str]) -> list[str]:
    """PUT roles, users and role mappings; returns what was written."""
    session = requests.Session()
    session.cert, session.verify = (cert.cert, cert.key), cert.ca
    done = []
    for kind, bodies in (("roles", roles(settings)), ("internalusers", users(passwords)), ("rolesmapping", role_mappings())):
        for name, body in bodies.items():
            response = session.put(f"{base_url}{API}/{kind}/{name}", json=body, timeout=30)
            if response.status_code not in (200, 201):
                raise RuntimeError(f"{kind}/{name}: HTTP {response.status_code}: {response.text[:200]}")
            done.append(f"{kind}/{name}")
    return done


def main() -> int:
    settings = Settings.from_env()
    certs = os.path.dirname(str(settings.opensearch_ca_certs or "/certs/root-ca.pem"))
    try:
        passwords = read_passwords(settings)
        done = apply(settings.opensearch_hosts[0], Cert(f"{certs}/root-ca.pem", f"{certs}/admin.pem", f"{certs}/admin-key.pem"), settings, passwords)
    except (ValueError, RuntimeError, requests.RequestException) as exc:
        print(f"mgm.security_setup: error: {exc}", file=sys.stderr)
        return 1
    print(f"mgm.security_setup: wrote {len(done)} security objects: {', '.join(done)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
