"""The torch-free ONNX graph (mgm/onnx_export.py) equals sentence-transformers' model.

The reference vectors in tests/data/encoder_reference.npz were made once with
sentence-transformers 5.7.0 on torch 2.15.0 (``SentenceTransformer(model).encode(texts,
normalize_embeddings=True)``) from our own 200 sentences (tests/encoder_texts.py), so this
check needs no torch (the venv has none; a test that needs it would only ever be skipped).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mgm.model_files import bundled_model_dir, export_dir, model_identity
from mgm.onnx_export import export_onnx, quantized
from mgm.query_encoder import QueryEncoder
from mgm.settings import PROJECT_ROOT
from tests.encoder_texts import texts

REFERENCE = Path(__file__).parent / "data" / "encoder_reference.npz"
HEAVY = ("torch", "transformers", "sentence_transformers", "optimum")


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    return export_onnx(bundled_model_dir(), tmp_path_factory.mktemp("cache"))


def _batched(encoder: QueryEncoder, items: list[str], size: int) -> np.ndarray:
    return np.concatenate([encoder.encode(items[i : i + size]) for i in range(0, len(items), size)])


def test_the_graph_gives_sentence_transformers_vectors_for_200_texts(export):
    reference = np.load(REFERENCE)
    assert str(reference["model"]) == model_identity(bundled_model_dir())  # the same weights made them
    encoder = QueryEncoder(export, threads=2)
    items = texts()
    # Batches mix short and long texts (lots of padding), and the long ones pass the 256-token window.
    for vectors in (_batched(encoder, items, 16), _batched(encoder, items, 1)):
        cosines = np.sum(vectors * reference["vectors"], axis=1)
        assert cosines.min() >= 0.9999, f"lowest cosine {cosines.min():.6f} for {items[int(cosines.argmin())]!r}"
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_the_int8_graph_stays_close_to_the_float_one(export):
    items = texts()
    fp32 = _batched(QueryEncoder(export), items, 32)
    int8 = _batched(QueryEncoder(export, graph=quantized(export)), items, 32)
    cosines = np.sum(fp32 * int8, axis=1)
    assert cosines.min() >= 0.98 and cosines.mean() >= 0.99, (cosines.min(), cosines.mean())


EXPORT_WITHOUT_TORCH = """
import importlib.abc, json, sys
class Missing(importlib.abc.MetaPathFinder):  # as in the lean venv, where none of these is installed
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in sys.argv[2:]:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Missing())
from pathlib import Path
from mgm.model import load_model, encode
from keybert import KeyBERT
model = load_model(None, "onnx", Path(sys.argv[1]))
kw = KeyBERT(model=model)
words = kw.extract_keywords("A heist crew plans one last job in a casino vault.", top_n=2)
print(json.dumps({"heavy": sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[2:])),
                  "shape": list(encode(model, ["one", "two"]).shape), "keywords": [w for w, _ in words]}))
"""


def test_export_indexer_model_and_keybert_never_import_torch(tmp_path):
    """A fresh interpreter, with torch and sentence-transformers made unimportable, exports the
    graph, encodes and runs KeyBERT over it (KeyBERT installed with --no-deps)."""
    done = subprocess.run(
        [sys.executable, "-c", EXPORT_WITHOUT_TORCH, str(tmp_path / "cache"), *HEAVY], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen["heavy"] == [] and seen["shape"] == [2, 384] and len(seen["keywords"]) == 2
    assert (export_dir(bundled_model_dir(), tmp_path / "cache") / "onnx" / "model.onnx").is_file()
