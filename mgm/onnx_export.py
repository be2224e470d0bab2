"""The embedding model as an ONNX graph, written without torch (`python -m mgm.onnx_export`).

all-MiniLM-L6-v2 is a small BERT: token + position (+ segment 0) embeddings and a LayerNorm,
6 encoder layers (12-head self-attention, a GELU feed-forward, each with a residual and a
LayerNorm), then sentence-transformers' mean pooling over the attention mask and an L2
normalisation. This module reads the weights from ``model.safetensors`` with the
``safetensors`` numpy API and writes that graph with ``onnx.helper``: the graph's output is
the normalised sentence vector itself. No torch, transformers or optimum is needed, so the
web process and a lean indexer can make it (about 1 s). tests/test_encoder_graph.py checks
its vectors against sentence-transformers' (cosine >= 0.9999 each).

The export folder (``onnx-<hash of the model files>-g<GRAPH_VERSION>/`` in the cache folder)
holds ``onnx/model.onnx`` (float32), ``onnx/model_int8.onnx`` (made on demand by
``quantized``), the tokenizer and ``query_encoder.json``, written last. Several processes may
export at once: each writes a temporary folder of its own and renames it into place; a loser
of the race keeps the winner's export.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

from mgm.model_files import ENCODER_CONFIG, ONNX_FILE, bundled_model_dir, export_dir, export_ready

OPSET = 17  # LayerNormalization is a standard op from 17
TOKENIZER_FILES = ("tokenizer.json", "config.json", "sentence_bert_config.json", "modules.json")
INT8_FILE = Path("onnx") / "model_int8.onnx"


class _Graph:
    """A small builder over onnx.helper: unique names, initializers from numpy arrays."""

    def __init__(self):
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes, self.inits, self._n = [], [], 0

    def const(self, name: str, array: np.ndarray) -> str:
        self.inits.append(self.numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(self, kind: str, inputs: list[str], domain: str | None = None, outputs: int = 1, **attrs) -> str | list[str]:
        self._n += 1
        names = [f"{kind.lower()}_{self._n}" + (f"_{i}" if outputs > 1 else "") for i in range(outputs)]
        self.nodes.append(self.helper.make_node(kind, inputs, names, name=f"{kind}_{self._n}", domain=domain, **attrs))
        return names if outputs > 1 else names[0]

    def linear(self, x: str, weights: dict, prefix: str) -> str:
        """x @ W.T + b, with torch's (out, in) weight layout."""
        w = self.const(f"{prefix}.weight.T", weights[f"{prefix}.weight"].T)
        return self.op("Add", [self.op("MatMul", [x, w]), self.const(f"{prefix}.bias", weights[f"{prefix}.bias"])])

    def layer_norm(self, x: str, weights: dict, prefix: str, eps: float) -> str:
        return self.op(
            "LayerNormalization",
            [x, self.const(f"{prefix}.weight", weights[f"{prefix}.weight"]), self.const(f"{prefix}.bias", weights[f"{prefix}.bias"])],
            axis=-1,
            epsilon=eps,
        )


def build_graph(source: Path):
    """The ONNX ModelProto of the sentence-transformers BERT model in ``source``.

    Inputs ``input_ids`` and ``attention_mask`` (int64, batch x tokens); output
    ``sentence_embedding`` (float32, batch x hidden), unit length.
    """
    import onnx
    from onnx import TensorProto, helper
    from safetensors.numpy import load_file

    config = json.loads((source / "config.json").read_text())
    if config.get("model_type") != "bert" or config.get("hidden_act") != "gelu":
        raise ValueError(f"{source}: not a BERT model with GELU (model_type {config.get('model_type')!r})")
    pooling = json.loads((source / "1_Pooling" / "config.json").read_text()) if (source / "1_Pooling" / "config.json").is_file() else {}
    if pooling and not pooling.get("pooling_mode_mean_tokens"):
        raise ValueError(f"{source}: only mean pooling is supported")
    weights = {k.removeprefix("bert."): v for k, v in load_file(str(source / "model.safetensors")).items()}
    hidden, heads, eps = config["hidden_size"], config["num_attention_heads"], float(config["layer_norm_eps"])
    head_dim = hidden // heads
    g = _Graph()
    i64 = lambda *v: np.array(v, np.int64)  # noqa: E731

    # Embeddings: words + positions + segment 0 (a single text: token_type_ids are all 0, folded in).
    words = g.op("Gather", [g.const("word_embeddings", weights["embeddings.word_embeddings.weight"]), "input_ids"])
    positions_table = weights["embeddings.position_embeddings.weight"] + weights["embeddings.token_type_embeddings.weight"][0]
    seq_len = g.op("Slice", [g.op("Shape", ["input_ids"]), g.const("one", i64(1)), g.const("two", i64(2))])
    positions = g.op("Slice", [g.const("position_embeddings", positions_table), g.const("zero", i64(0)), seq_len])
    h = g.layer_norm(g.op("Add", [words, positions]), weights, "embeddings.LayerNorm", eps)

    # Attention bias: 0 where a token is real, -10000 on padding (exp() of it is 0 in float32).
    mask = g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    bias = g.op("Mul", [g.op("Sub", [g.const("one_f", np.array(1.0, np.float32)), mask]), g.const("neg", np.array(-10000.0, np.float32))])
    bias = g.op("Unsqueeze", [bias, g.const("axes_1_2", i64(1, 2))])  # batch x 1 x 1 x tokens
    split_heads = g.const("split_heads", i64(0, -1, heads, head_dim))
    merge_heads = g.const("merge_heads", i64(0, -1, hidden))
    scale = g.const("scale", np.array(1.0 / math.sqrt(head_dim), np.float32))
    sqrt_half = g.const("sqrt_half", np.array(1.0 / math.sqrt(2.0), np.float32))
    half, one_f = g.const("half", np.array(0.5, np.float32)), "one_f"

    for layer in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{layer}"
        q, k, v = (g.op("Reshape", [g.linear(h, weights, f"{p}.attention.self.{n}"), split_heads]) for n in ("query", "key", "value"))
        q = g.op("Transpose", [q], perm=[0, 2, 1, 3])  # batch x heads x tokens x head_dim
        k = g.op("Transpose", [k], perm=[0, 2, 3, 1])  # batch x heads x head_dim x tokens
        v = g.op("Transpose", [v], perm=[0, 2, 1, 3])
        scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [q, k]), scale]), bias])
        context = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v])
        context = g.op("Reshape", [g.op("Transpose", [context], perm=[0, 2, 1, 3]), merge_heads])
        attended = g.linear(context, weights, f"{p}.attention.output.dense")
        h = g.layer_norm(g.op("Add", [attended, h]), weights, f"{p}.attention.output.LayerNorm", eps)
        inner = g.linear(h, weights, f"{p}.intermediate.dense")
        gelu = g.op("Mul", [g.op("Mul", [inner, half]), g.op("Add", [g.op("Erf", [g.op("Mul", [inner, sqrt_half])]), one_f])])
        out = g.linear(gelu, weights, f"{p}.output.dense")
        h = g.layer_norm(g.op("Add", [out, h]), weights, f"{p}.output.LayerNorm", eps)

    # Mean pooling over real tokens, then L2 normalisation (as sentence-transformers does).
    mask3 = g.op("Unsqueeze", [mask, g.const("axes_2", i64(2))])
    summed = g.op("ReduceSum", [g.op("Mul", [h, mask3]), g.const("axes_1", i64(1))], keepdims=0)
    counts = g.op("Max", [g.op("ReduceSum", [mask3, "axes_1"], keepdims=0), g.const("tiny_count", np.array(1e-9, np.float32))])
    pooled = g.op("Div", [summed, counts])
    norm = g.op("Max", [g.op("ReduceL2", [pooled], axes=[-1], keepdims=1), g.const("tiny_norm", np.array(1e-12, np.float32))])
    g.nodes.append(helper.make_node("Div", [pooled, norm], ["sentence_embedding"], name="normalise"))

    tokens = ["batch", "tokens"]
    graph = helper.make_graph(
        g.nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, tokens),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, tokens),
        ],
        [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", hidden])],
        initializer=g.inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="mgm.onnx_export")
    model.ir_version = 8  # what onnxruntime 1.x reads for opset 17
    onnx.checker.check_model(model)
    return model


def export_onnx(source: Path, cache_dir: Path) -> Path:
    """The export folder for the model in ``source`` (tokenizer files, ``onnx/model.onnx``)."""
    import onnx

    target = export_dir(source, cache_dir)
    if export_ready(target):
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{target.name}.", suffix=".tmp", dir=cache_dir))
    try:
        sbert = source / "sentence_bert_config.json"
        max_seq_length = json.loads(sbert.read_text())["max_seq_length"] if sbert.is_file() else 512
        (tmp / ONNX_FILE).parent.mkdir(parents=True)
        onnx.save(build_graph(source), str(tmp / ONNX_FILE))
        for name in TOKENIZER_FILES:
            if (source / name).is_file():
                shutil.copy2(source / name, tmp / name)
        # What mgm.query_encoder must reproduce around the graph; written last: marks it complete.
        (tmp / ENCODER_CONFIG).write_text(json.dumps({"max_seq_length": max_seq_length, "pooled": True}))
        os.chmod(tmp, 0o755)
        try:
            tmp.rename(target)
        except OSError:
            if not export_ready(target):  # not a lost race: a real failure
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def quantized(folder: Path) -> Path:
    """``onnx/model_int8.onnx`` beside the float32 graph: int8 weights, dynamic activations."""
    target = folder / INT8_FILE
    if target.is_file():
        return target
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".onnx.tmp")
    os.close(fd)
    try:
        # Per-channel weights: per-tensor scales gave cosine 0.96 mean (0.90 min) to the float
        # vectors on tests/encoder_texts.py, per-channel 0.993 (0.983 min).
        quantize_dynamic(str(folder / ONNX_FILE), tmp, weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"], per_channel=True)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


def main() -> int:
    from mgm.settings import Settings

    settings = Settings.from_env()
    try:
        folder = export_onnx(bundled_model_dir(settings.model_dir), settings.cache_dir)
    except Exception as exc:  # one line for the operator, never a stack trace
        print(f"onnx_export: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
