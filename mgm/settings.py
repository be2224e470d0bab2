"""The one configuration object, read from the environment.

Every knob the README documents is here, with its default, so nothing else in the code
reads ``os.environ`` directly.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CSV = PROJECT_ROOT.parent / "shared" / "data" / "tmdb_5000_movies.csv"


@dataclass(frozen=True)
class Settings:
    opensearch_url: str = "http://127.0.0.1:9200"
    index_alias: str = "movies"
    micro_alias: str = "micro-genres"
    runs_index: str = "mgm-runs"
    movies_csv: Path = DEFAULT_CSV
    model_dir: Path | None = None
    cache_dir: Path = PROJECT_ROOT / ".cache"
    port: int = 8000
    embed_backend: str = "onnx"
    reindex_lease_ttl: float = 60.0

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        """Build settings from ``env`` (default: the process environment)."""
        env = os.environ if env is None else env
        model_dir = env.get("MODEL_DIR")
        return cls(
            opensearch_url=env.get("OPENSEARCH_URL", cls.opensearch_url),
            index_alias=env.get("INDEX_ALIAS", cls.index_alias),
            micro_alias=env.get("MICRO_ALIAS", cls.micro_alias),
            runs_index=env.get("RUNS_INDEX", cls.runs_index),
            movies_csv=Path(env.get("MOVIES_CSV", str(DEFAULT_CSV))),
            model_dir=Path(model_dir) if model_dir else None,
            cache_dir=Path(env.get("CACHE_DIR", str(cls.cache_dir))),
            port=int(env.get("PORT", cls.port)),
            embed_backend=env.get("EMBED_BACKEND", cls.embed_backend),
            reindex_lease_ttl=float(env.get("REINDEX_LEASE_TTL", cls.reindex_lease_ttl)),
        )
