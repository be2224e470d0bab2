"""The indexer's embedding model: all-MiniLM-L6-v2, offline, on ONNX Runtime without torch.

No hub is reachable here, so the weights come from site-packages (or ``MODEL_DIR``).
``mgm.onnx_export`` writes the model as one ONNX graph (pooling and normalisation included)
into the cache folder, never into site-packages; ``mgm.query_encoder.QueryEncoder`` runs it.
The web app encodes its queries with the same class over the same export: one encoder, one
graph. ``EMBED_BACKEND``:

- ``onnx`` (default): that graph, float32, on every core;
- ``onnx-int8``: its dynamically quantized copy (int8 weights; measured in docs/indexer.md);
- ``torch``: sentence-transformers on torch, which only a GPU (``EMBED_DEVICE``) would need.
  Neither torch nor sentence-transformers is in the project's requirements any more: install
  them yourself to use it.

``OnnxEmbedder`` is also KeyBERT's embedder (a ``keybert.backend.BaseEmbedder`` when KeyBERT
is installed), so ``KeyBERT(model=model_for(settings))`` never asks for sentence-transformers.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from mgm.model_files import DIMENSION, GRAPH_VERSION, ModelMissing, bundled_model_dir, model_identity
from mgm.onnx_export import export_onnx, quantized
from mgm.settings import Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

try:  # KeyBERT is installed with --no-deps: its backend package imports without sentence-transformers
    from keybert.backend import BaseEmbedder as _KeyBERTEmbedder
except ImportError:  # pragma: no cover - KeyBERT is in the indexer's requirements
    _KeyBERTEmbedder = object

__all__ = ["DIMENSION", "ModelMissing", "OnnxEmbedder", "encode", "load_model", "model_for", "runtime", "cache_namespace"]

BACKENDS = ("onnx", "onnx-int8", "torch")


class OnnxEmbedder(_KeyBERTEmbedder):
    """Bulk encoding over ``QueryEncoder``: batches of ``batch_size`` texts, all cores."""

    def __init__(self, folder: Path, int8: bool = False, threads: int | None = None):
        from mgm.query_encoder import QueryEncoder

        self.folder, self.int8 = folder, int8
        self.encoder = QueryEncoder(folder, threads or os.cpu_count() or 1, graph=quantized(folder) if int8 else None)

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSION), np.float32)
        return np.concatenate([self.encoder.encode(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)])

    def embed(self, documents: list[str], verbose: bool = False) -> np.ndarray:  # keybert.backend.BaseEmbedder
        return self.encode(list(documents))


def runtime(settings: Settings) -> tuple[str, str]:
    """(backend, device) for bulk encoding.

    ``EMBED_DEVICE=auto`` (default) uses a CUDA GPU when torch is installed and sees one, else
    the CPU; ``cuda`` or ``cpu`` force it. On a GPU the backend is torch (ONNX Runtime here is
    the CPU build); on the CPU it is ``EMBED_BACKEND`` (onnx by default).
    """
    device = settings.embed_device
    if device == "auto":
        try:
            import torch
        except ImportError:  # the lean install: no torch, so no GPU to use
            device = "cpu"
        else:
            device = "cuda" if torch.cuda.is_available() else "cpu"
    if device not in ("cpu", "cuda"):
        raise ValueError(f"unknown EMBED_DEVICE {settings.embed_device!r}: use auto, cpu or cuda")
    return ("torch" if device == "cuda" else settings.embed_backend), device


def cache_namespace(settings: Settings) -> str:
    """What embedding-cache keys carry: the model's file hash and the backend that encodes.

    Another MODEL_DIR, changed weights, another backend or another ONNX graph never reuse
    each other's vectors.
    """
    backend, _ = runtime(settings)
    tag = f"{backend}-g{GRAPH_VERSION}" if backend.startswith("onnx") else backend
    return f"{model_identity(bundled_model_dir(settings.model_dir))}:{tag}"


def model_for(settings: Settings):
    """The model the settings ask for (backend and device resolved by ``runtime``)."""
    backend, device = runtime(settings)
    return load_model(settings.model_dir, backend, settings.cache_dir, device=device)


@lru_cache(maxsize=4)
def load_model(model_dir: Path | None = None, backend: str = "onnx", cache_dir: Path | None = None, device: str = "cpu"):
    """An ``OnnxEmbedder`` (or a ``SentenceTransformer`` for torch); one per process and arguments.

    The ONNX export is made whatever the backend: the web app encodes queries with it, so
    an index built with the torch backend still leaves the web app ready to start.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown EMBED_BACKEND {backend!r}: use {', '.join(BACKENDS)}")
    source = bundled_model_dir(model_dir)
    folder = export_onnx(source, cache_dir or Settings.from_env().cache_dir)
    if backend == "torch":
        from sentence_transformers import SentenceTransformer  # not in the requirements: install it for a GPU

        logging.getLogger("sentence_transformers").setLevel(logging.WARNING)
        return SentenceTransformer(str(source), device=device)
    return OnnxEmbedder(folder, int8=backend == "onnx-int8")


def encode(model, texts: list[str], batch_size: int = 32) -> np.ndarray:
    """Normalized float32 embeddings, so cosine similarity is a dot product."""
    if isinstance(model, OnnxEmbedder):
        return model.encode(texts, batch_size)
    return model.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
