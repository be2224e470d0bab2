"""EMBED_DEVICE / EMBED_BACKEND / EMBED_BATCH_SIZE: which runtime the indexer encodes with."""

from __future__ import annotations

import pytest

from mgm.model import runtime
from mgm.settings import Settings


def test_settings_read_the_encoding_knobs():
    s = Settings.from_env({"EMBED_DEVICE": "cuda", "EMBED_BATCH_SIZE": "256", "QUERY_ENCODER_THREADS": "2"})
    assert (s.embed_device, s.embed_batch_size, s.query_encoder_threads) == ("cuda", 256, 2)
    d = Settings.from_env({})
    assert (d.embed_device, d.embed_backend, d.embed_batch_size, d.query_encoder_threads) == ("auto", "onnx", 32, 1)


def test_a_gpu_means_the_torch_backend_and_the_cpu_keeps_the_configured_one():
    assert runtime(Settings(embed_device="cuda")) == ("torch", "cuda")
    assert runtime(Settings(embed_device="cpu")) == ("onnx", "cpu")
    assert runtime(Settings(embed_device="cpu", embed_backend="torch")) == ("torch", "cpu")
    # auto follows what torch sees: without torch (the lean venv) or a GPU (as here) it stays on the CPU.
    try:
        import torch
    except ImportError:
        expected = ("onnx", "cpu")
    else:
        expected = ("torch", "cuda") if torch.cuda.is_available() else ("onnx", "cpu")
    assert runtime(Settings(embed_device="auto")) == expected
    with pytest.raises(ValueError, match="EMBED_DEVICE"):
        runtime(Settings(embed_device="tpu"))
