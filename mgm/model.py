"""The indexer's embedding model: all-MiniLM-L6-v2 through sentence-transformers, offline.

No hub is reachable here, so the weights come from site-packages (or ``MODEL_DIR``). The ONNX
backend is the default because it encodes about 2x faster in bulk on this CPU (see
shared/notes/embeddings-on-cpu.md); its export lives in the cache folder
(``mgm.onnx_export``), never in site-packages. With a CUDA GPU present the torch backend runs
on it (``EMBED_DEVICE``). The web process never imports this module's dependencies: it
encodes queries with ``mgm.query_encoder`` over the same export.
"""
from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

from mgm.model_files import DIMENSION, ModelMissing, bundled_model_dir, model_identity
from mgm.onnx_export import export_onnx
from mgm.settings import Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

__all__ = ["DIMENSION", "ModelMissing", "encode", "load_model", "model_for", "runtime", "cache_namespace"]


def runtime(settings: Settings) -> tuple[str, str]:
    """(backend, device) for bulk encoding.

    ``EMBED_DEVICE=auto`` (default) uses a CUDA GPU when torch sees one, else the CPU;
    ``cuda`` or ``cpu`` force it. On a GPU the backend is torch (ONNX Runtime here is the CPU
    build); on the CPU it is ``EMBED_BACKEND`` (onnx by default).
    """
    device = settings.embed_device
    if device == "auto":
        import torch

        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device not in ("cpu", "cuda"):
        raise ValueError(f"unknown EMBED_DEVICE {settings.embed_device!r}: use auto, cpu or cuda")
    return ("torch" if device == "cuda" else settings.embed_backend), device


def cache_namespace(settings: Settings) -> str:
    """What embedding-cache keys carry: the model's file hash and the backend that encodes.

    Another MODEL_DIR, changed weights or another backend never reuse each other's vectors.
    """
    backend, _ = runtime(settings)
    return f"{model_identity(bundled_model_dir(settings.model_dir))}:{backend}"


def model_for(settings: Settings):
    """The model the settings ask for (backend and device resolved by ``runtime``)."""
    backend, device = runtime(settings)
    return load_model(settings.model_dir, backend, settings.cache_dir, device=device)


@lru_cache(maxsize=4)
def load_model(model_dir: Path | None = None, backend: str = "onnx", cache_dir: Path | None = None, device: str = "cpu"):
    """Return a ``SentenceTransformer``; one instance per process and arguments.

    The ONNX export is made whatever the backend: the web app encodes queries with it, so
    an index built with the torch backend still leaves the web app ready to start.
    """
    from sentence_transformers import SentenceTransformer

    logging.getLogger("sentence_transformers").setLevel(logging.WARNING)
    source = bundled_model_dir(model_dir)
    folder = export_onnx(source, cache_dir or Settings.from_env().cache_dir)
    if backend == "onnx":
        return SentenceTransformer(str(folder), device="cpu", backend="onnx")
    if backend == "torch":
        return SentenceTransformer(str(source), device=device)
    raise ValueError(f"unknown EMBED_BACKEND {backend!r}: use onnx or torch")


def encode(model, texts: list[str], batch_size: int = 32):
    """Normalized float32 embeddings, so cosine similarity is a dot product."""
    return model.encode(
        texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )
