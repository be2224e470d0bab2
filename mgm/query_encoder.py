"""Sentence embeddings with ONNX Runtime + the model's tokenizer, nothing else: one encoder for
the web process (one query per request) and the indexer (the films, in batches).

``mgm.onnx_export`` writes all-MiniLM-L6-v2 as one ONNX graph that ends with the mean pooling
over the attention mask and the L2 normalisation, so this module only tokenizes (strip,
WordPiece with the model's ``tokenizers`` file, truncation at ``max_seq_length``, padding to
the batch's longest text) and runs it. Importing sentence-transformers for a query brought
torch and transformers into every gunicorn worker (about 1 GB resident each); neither is
needed anywhere now. tests/test_encoder_graph.py checks the vectors against
sentence-transformers' (cosine >= 0.9999).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np

from mgm.model_files import ENCODER_CONFIG, EXPORT_COMMAND, ONNX_FILE, bundled_model_dir, export_dir, export_ready
from mgm.settings import Settings

MAX_BATCH = 8  # queries per pass of the batching encoder (one per request thread of a worker)


class EncoderUnavailable(RuntimeError):
    """The ONNX export is missing and could not be made."""


class QueryEncoder:
    """Normalised float32 embeddings from the ONNX export in ``folder``.

    ``graph`` picks another graph file of the export (the indexer's int8 one, ``quantized``).
    """

    def __init__(self, folder: Path, threads: int = 1, graph: Path | None = None):
        import onnxruntime
        from tokenizers import Tokenizer

        config = json.loads((folder / ENCODER_CONFIG).read_text())
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=config["max_seq_length"])
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the longest text of a batch
        self.session = onnxruntime.InferenceSession(str(graph or folder / ONNX_FILE), _session_options(threads), providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str]) -> np.ndarray:
        """(len(texts), 384) unit vectors; a batch is padded to its longest text."""
        batch = self.tokenizer.encode_batch([t.strip() for t in texts])
        feeds = {
            "input_ids": np.array([e.ids for e in batch], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in batch], dtype=np.int64),
        }
        return self.session.run(None, feeds)[0].astype(np.float32, copy=False)


class _Job:
    """One request's text, and its vector (or error) once a batch has run."""

    __slots__ = ("text", "vector", "error", "finished", "ready")

    def __init__(self, text: str):
        self.text, self.vector, self.error, self.finished = text, None, None, False
        self.ready = threading.Event()  # set when the job is finished, or when it must lead the next batch


class BatchingEncoder:
    """Encodes the queries of concurrent requests in one model pass.

    A query's encoding pays for the model's weights as much as for its arithmetic: each pass
    streams them, and other processes evict them from the cache between requests (measured:
    3.4 ms back to back, 5.5 ms after other work). Under load several request threads of a worker
    wait to encode at once; one pass for all of them pays that stream once (a batch of 2
    cost 4.1 ms per query, of 4 3.6 ms). Nobody waits for a batch to fill: a request that
    finds the model idle encodes at once, and requests that arrive meanwhile form the next
    batch, led by the first of them. ONNX Runtime releases the GIL while it runs, so the
    other threads keep serving.
    """

    def __init__(self, encoder: QueryEncoder, max_batch: int = MAX_BATCH):
        self.encoder, self.max_batch = encoder, max_batch
        self._lock = threading.Lock()
        self._queue: list[_Job] = []
        self._busy = False  # a batch is running; whenever False, the queue is empty

    def encode_one(self, text: str) -> np.ndarray:
        """The unit vector of ``text`` (equal to ``QueryEncoder.encode([text])[0]``)."""
        job = _Job(text)
        with self._lock:
            self._queue.append(job)
            lead, self._busy = not self._busy, True
        if not lead:
            job.ready.wait()
        if not job.finished:  # the model is ours: run the queue's head, this job first
            self._run_batch()
        if job.error is not None:
            raise job.error
        return job.vector

    def _run_batch(self) -> None:
        with self._lock:
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
        try:
            self._encode(batch)
        finally:  # whatever happened, nobody waits forever and the next batch gets a leader
            with self._lock:
                successor = self._queue[0] if self._queue else None
                self._busy = successor is not None
            for job in batch:
                if job.vector is None and job.error is None:
                    job.error = RuntimeError("query encoding was interrupted")
                job.finished = True
                job.ready.set()
            if successor is not None:
                successor.ready.set()

    def _encode(self, batch: list[_Job]) -> None:
        try:
            for job, vector in zip(batch, self.encoder.encode([j.text for j in batch])):
                job.vector = vector
        except Exception:  # one text's failure must not fail its neighbours: each alone, each its own outcome
            for job in batch:
                try:
                    job.vector = self.encoder.encode([job.text])[0]
                except Exception as exc:
                    job.error = exc


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
    """The export folder, made here if missing (about 1 s: onnx + safetensors, no torch)."""
    from mgm.onnx_export import export_onnx

    try:
        source = bundled_model_dir(settings.model_dir)
        folder = export_dir(source, settings.cache_dir)
        if export_ready(folder):
            return folder
        return export_onnx(source, settings.cache_dir)
    except Exception as exc:  # a missing or unreadable model: say what to run
        raise EncoderUnavailable(
            f"no ONNX export in {settings.cache_dir} ({type(exc).__name__}: {exc}): run `{EXPORT_COMMAND}` or `make reindex`"
        ) from exc


QUERY_BACKENDS = ("onnx", "onnx-int8")


def query_graph(settings: Settings) -> tuple[Path, Path | None]:
    """The export folder and the graph ``QUERY_BACKEND`` names in it (None: the float32 one),
    made here if missing. gunicorn's master calls it once, so workers never race to make them."""
    if settings.query_backend not in QUERY_BACKENDS:
        raise EncoderUnavailable(f"unknown QUERY_BACKEND {settings.query_backend!r}: use {' or '.join(QUERY_BACKENDS)}")
    folder = ensure_export(settings)
    if settings.query_backend == "onnx":
        return folder, None
    from mgm.onnx_export import quantized

    try:
        return folder, quantized(folder)
    except Exception as exc:  # onnxruntime's quantization tools missing or the export unreadable
        raise EncoderUnavailable(f"could not make the int8 graph in {folder} ({type(exc).__name__}: {exc}): set QUERY_BACKEND=onnx") from exc


def load_query_encoder(settings: Settings) -> BatchingEncoder:
    """The web app's encoder (``QUERY_BACKEND``), warmed: the first run allocates ONNX buffers,
    paid at start. The benchmarks encode their queries with it too, so they measure the app's vectors.

    The int8 graph encodes each query alone: dynamic quantization takes each activation's
    int8 scale from the whole batch, so a query's vector (and its results) would depend on
    the queries that happened to share its pass.
    """
    folder, graph = query_graph(settings)
    model = QueryEncoder(folder, settings.query_encoder_threads, graph=graph)
    encoder = BatchingEncoder(model, max_batch=1 if graph else MAX_BATCH)
    encoder.encode_one("warm-up query")
    return encoder
