"""Query embeddings for the web process: ONNX Runtime + the model's tokenizer, nothing else.

The web app embeds one ~15-word query per request. Importing sentence-transformers for that
brought torch and transformers into every gunicorn worker (about 1 GB resident each). This
module reproduces what ``SentenceTransformer.encode(normalize_embeddings=True)`` does for
all-MiniLM-L6-v2 over the same ONNX export: strip, WordPiece with the model's ``tokenizers``
file, truncation at ``max_seq_length``, the transformer, mean pooling over the attention
mask, L2 normalisation. A test checks cosine >= 0.9999 against the indexer's vectors.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from mgm.model_files import ENCODER_CONFIG, EXPORT_COMMAND, ONNX_FILE, bundled_model_dir, export_dir, export_ready
from mgm.settings import PROJECT_ROOT, Settings


class EncoderUnavailable(RuntimeError):
    """The ONNX export is missing and could not be made."""


class QueryEncoder:
    """Normalised float32 embeddings from the ONNX export in ``folder``."""

    def __init__(self, folder: Path, threads: int = 1):
        import onnxruntime
        from tokenizers import Tokenizer

        max_length = json.loads((folder / ENCODER_CONFIG).read_text())["max_seq_length"]
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_length)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the longest text of a batch
        self.session = onnxruntime.InferenceSession(
            str(folder / ONNX_FILE), _session_options(threads), providers=["CPUExecutionProvider"]
        )
        self.inputs = {i.name for i in self.session.get_inputs()}

    def encode(self, texts: list[str]) -> np.ndarray:
        """(len(texts), 384) unit vectors; a batch is padded to its longest text."""
        batch = self.tokenizer.encode_batch([t.strip() for t in texts])
        feeds = {
            "input_ids": np.array([e.ids for e in batch], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in batch], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in batch], dtype=np.int64),
        }
        tokens = self.session.run(None, {k: v for k, v in feeds.items() if k in self.inputs})[0]
        mask = feeds["attention_mask"][:, :, None].astype(np.float32)
        pooled = (tokens * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def _session_options(threads: int):
    """ONNX Runtime options for one short query per call from many request threads.

    Other requests run in the other threads and workers: a per-query thread pool only adds
    spinning threads fighting for 2 cores (7.0 ms per query with one thread vs 11.5 ms with
    the default pool, measured under load).
    """
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def ensure_export(settings: Settings) -> Path:
    """The export folder, made by a subprocess if missing: torch never enters this process."""
    folder = export_dir(bundled_model_dir(settings.model_dir), settings.cache_dir)
    if export_ready(folder):
        return folder
    env = dict(os.environ, CACHE_DIR=str(settings.cache_dir), HF_HUB_OFFLINE="1")
    if settings.model_dir is not None:
        env["MODEL_DIR"] = str(settings.model_dir)
    done = subprocess.run([sys.executable, "-m", "mgm.onnx_export"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0 or not export_ready(folder):
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise EncoderUnavailable(f"no ONNX export in {folder} ({reason}): run `{EXPORT_COMMAND}` or `make reindex`")
    return folder


def load_query_encoder(settings: Settings) -> QueryEncoder:
    """The web app's encoder, warmed: the first run allocates ONNX buffers, paid at start."""
    encoder = QueryEncoder(ensure_export(settings), settings.query_encoder_threads)
    encoder.encode(["warm-up query"])
    return encoder
