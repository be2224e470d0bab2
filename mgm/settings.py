"""The one configuration object, read from the environment.

Every knob the README documents is here, with its default, so nothing else in the code
reads ``os.environ`` directly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CSV_IN_SHARED = Path("shared") / "data" / "tmdb_5000_movies.csv"


def default_csv(root: Path = PROJECT_ROOT) -> Path:
    """``../shared/data/tmdb_5000_movies.csv`` next to the checkout, or next to the local
    repository it was cloned from: a fresh ``git clone`` into a scratch folder (as CI and
    reviewers make) then finds the dataset without ``MOVIES_CSV``. The first candidate is
    returned when neither exists, so the error names where the CSV was expected."""
    candidates = [root.parent / CSV_IN_SHARED]
    config = root / ".git" / "config"
    if config.is_file():
        for line in config.read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "url" and Path(value.strip()).is_absolute():
                candidates.append(Path(value.strip()).parent / CSV_IN_SHARED)
    return next((c for c in candidates if c.is_file()), candidates[0])


DEFAULT_CSV = default_csv()
_FALSE = {"0", "false", "no", "off"}
# Users of the secured Docker deployment (mgm/security_setup.py) and their password variables.
DEPLOY_PASSWORD_VARIABLES = {
    "admin": "OPENSEARCH_INITIAL_ADMIN_PASSWORD",
    "mgm-web": "MGM_WEB_PASSWORD",
    "mgm-indexer": "MGM_INDEXER_PASSWORD",
    "mgm-dashboards": "MGM_DASHBOARDS_PASSWORD",
}


def _hop_count(env, name: str, default: int) -> int:
    """A whole number >= 0 from ``env[name]`` (blank: ``default``); a bad value is a one-line
    ``ValueError`` naming the variable."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise ValueError(f"{name}={raw!r}: expected a whole number of proxies >= 0 (0 = no proxy trusted)")
    return value


@dataclass(frozen=True)
class Settings:
    # One URL, or several comma-separated (every node of a cluster: losing one loses nothing).
    opensearch_url: str = "http://127.0.0.1:9200"
    # Basic auth and TLS for a secured or managed cluster; empty means none.
    opensearch_user: str = ""
    opensearch_password: str = field(default="", repr=False)  # never in logs or test output
    opensearch_ca_certs: Path | None = None
    opensearch_verify_certs: bool = True
    index_alias: str = "movies"
    micro_alias: str = "micro-genres"
    runs_index: str = "mgm-runs"
    ids_index: str = "mgm-ids"
    add_max_share: float = 0.1
    # Shards and replicas of the indices a run creates: 1/0 suits one node.
    index_shards: int = 1
    index_replicas: int = 0
    movies_csv: Path = DEFAULT_CSV
    model_dir: Path | None = None
    cache_dir: Path = PROJECT_ROOT / ".cache"
    port: int = 8000
    embed_backend: str = "onnx"
    reindex_lease_ttl: float = 60.0
    embed_device: str = "auto"
    embed_batch_size: int = 32
    query_encoder_threads: int = 1
    # The web app's query encoder: "onnx-int8" (int8 weights, about half float32's CPU a query) or
    # "onnx" (float32, the graph the indexer's vectors come from); mgm.query_encoder.QUERY_BACKENDS.
    query_backend: str = "onnx-int8"
    # Requests per second each client may send to the web app, and the burst it may save up
    # (per gunicorn worker); 0 turns the limit off.
    rate_limit_per_second: float = 50.0
    rate_limit_burst: int = 100
    # Reverse proxies in front of the web app whose X-Forwarded-For / -Proto it trusts: the
    # client address (the rate limit's key) is the N-th address from the right. 0 (default):
    # none, the header is ignored, since a client can write it freely when no proxy rewrites it.
    trusted_proxies: int = 0
    # The secured Docker deployment's passwords, by user; only its security-init job reads them.
    deploy_passwords: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    @property
    def opensearch_hosts(self) -> list[str]:
        """Every URL listed in ``OPENSEARCH_URL``."""
        return [u.strip() for u in self.opensearch_url.split(",") if u.strip()]

    @property
    def index_names(self) -> tuple[str, ...]:
        """Every index (or alias) name the project owns; the reindex lease lives under ``runs_index``."""
        return (self.index_alias, self.micro_alias, self.runs_index, self.ids_index)

    def scoped(self, prefix: str) -> Settings:
        """The same settings with every index name under ``prefix-`` (tests, benchmarks)."""
        from dataclasses import replace

        return replace(
            self, index_alias=f"{prefix}-movies", micro_alias=f"{prefix}-micro-genres", runs_index=f"{prefix}-runs", ids_index=f"{prefix}-ids"
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``env`` (default: the process environment)."""
        env = os.environ if env is None else env
        model_dir = env.get("MODEL_DIR")
        ca_certs = env.get("OPENSEARCH_CA_CERTS")
        return cls(
            opensearch_url=env.get("OPENSEARCH_URL", cls.opensearch_url),
            opensearch_user=env.get("OPENSEARCH_USER", cls.opensearch_user),
            opensearch_password=env.get("OPENSEARCH_PASSWORD", cls.opensearch_password),
            opensearch_ca_certs=Path(ca_certs) if ca_certs else None,
            opensearch_verify_certs=env.get("OPENSEARCH_VERIFY_CERTS", "true").strip().lower() not in _FALSE,
            index_alias=env.get("INDEX_ALIAS", cls.index_alias),
            micro_alias=env.get("MICRO_ALIAS", cls.micro_alias),
            runs_index=env.get("RUNS_INDEX", cls.runs_index),
            ids_index=env.get("IDS_INDEX", cls.ids_index),
            add_max_share=float(env.get("ADD_MAX_SHARE", cls.add_max_share)),
            index_shards=int(env.get("INDEX_SHARDS", cls.index_shards)),
            index_replicas=int(env.get("INDEX_REPLICAS", cls.index_replicas)),
            movies_csv=Path(env.get("MOVIES_CSV", str(DEFAULT_CSV))),
            model_dir=Path(model_dir) if model_dir else None,
            cache_dir=Path(env.get("CACHE_DIR", str(cls.cache_dir))),
            port=int(env.get("PORT", cls.port)),
            embed_backend=env.get("EMBED_BACKEND", cls.embed_backend),
            reindex_lease_ttl=float(env.get("REINDEX_LEASE_TTL", cls.reindex_lease_ttl)),
            embed_device=env.get("EMBED_DEVICE", cls.embed_device),
            embed_batch_size=int(env.get("EMBED_BATCH_SIZE", cls.embed_batch_size)),
            query_encoder_threads=int(env.get("QUERY_ENCODER_THREADS", cls.query_encoder_threads)),
            query_backend=env.get("QUERY_BACKEND", cls.query_backend),
            rate_limit_per_second=float(env.get("RATE_LIMIT_PER_SECOND", cls.rate_limit_per_second)),
            rate_limit_burst=int(env.get("RATE_LIMIT_BURST", cls.rate_limit_burst)),
            trusted_proxies=_hop_count(env, "TRUSTED_PROXIES", cls.trusted_proxies),
            deploy_passwords=tuple((user, env.get(var, "")) for user, var in DEPLOY_PASSWORD_VARIABLES.items()),
        )
