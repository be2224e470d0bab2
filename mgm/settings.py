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
    ids_index: str = "mgm-ids"
    add_max_share: float = 0.1
    movies_csv: Path = DEFAULT_CSV
    model_dir: Path | None = None
    cache_dir: Path = PROJECT_ROOT / ".cache"
    port: int = 8000
    embed_backend: str = "onnx"
    embed_device: str = "auto"
    embed_batch_size: int = 32
    query_encoder_threads: int = 1

    def scoped(self, prefix: str) -> "Settings":
        """The same settings with every index name under ``prefix-`` (tests, benchmarks)."""
        from dataclasses import replace

        return replace(self, index_alias=f"{prefix}-movies", micro_alias=f"{prefix}-micro-genres",
                       runs_index=f"{prefix}-runs", ids_index=f"{prefix}-ids")

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
            ids_index=env.get("IDS_INDEX", cls.ids_index),
            add_max_share=float(env.get("ADD_MAX_SHARE", cls.add_max_share)),
            movies_csv=Path(env.get("MOVIES_CSV", str(DEFAULT_CSV))),
            model_dir=Path(model_dir) if model_dir else None,
            cache_dir=Path(env.get("CACHE_DIR", str(cls.cache_dir))),
            port=int(env.get("PORT", cls.port)),
            embed_backend=env.get("EMBED_BACKEND", cls.embed_backend),
            embed_device=env.get("EMBED_DEVICE", cls.embed_device),
            embed_batch_size=int(env.get("EMBED_BATCH_SIZE", cls.embed_batch_size)),
            query_encoder_threads=int(env.get("QUERY_ENCODER_THREADS", cls.query_encoder_threads)),
        )
