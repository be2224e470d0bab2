"""Export the embedding model to ONNX once, into the cache folder (`python -m mgm.onnx_export`).

The indexer makes the export (it loads the model anyway), as do `make run` and the Docker
image build; the web process only reads it (``mgm.query_encoder``). This module imports
sentence-transformers (torch), so the web process runs it only as a subprocess.

Several processes may export at once (two gunicorn workers, an indexer run): each writes a
temporary folder of its own and renames it into place; a loser of the race keeps the
winner's export.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from mgm.model_files import ENCODER_CONFIG, bundled_model_dir, export_dir, export_ready


def export_onnx(source: Path, cache_dir: Path) -> Path:
    """The export folder for the model in ``source`` (a copy of it plus ``onnx/model.onnx``)."""
    target = export_dir(source, cache_dir)
    if export_ready(target):
        return target
    from sentence_transformers import SentenceTransformer

    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{target.name}.", suffix=".tmp", dir=cache_dir))
    try:
        shutil.copytree(source, tmp, dirs_exist_ok=True)
        model = SentenceTransformer(str(tmp), device="cpu", backend="onnx")
        model.save_pretrained(str(tmp))
        for weights in ("model.safetensors", "pytorch_model.bin"):  # the export runs without them: 90 MB less
            (tmp / weights).unlink(missing_ok=True)
        # What mgm.query_encoder must reproduce, from the loaded model itself (save_pretrained
        # does not keep max_seq_length in sentence_bert_config.json).
        (tmp / ENCODER_CONFIG).write_text(json.dumps({"max_seq_length": model.max_seq_length}))
        try:
            tmp.rename(target)
        except OSError:
            if not export_ready(target):  # not a lost race: a real failure
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def main() -> int:
    import logging
    import warnings

    from mgm.settings import Settings

    warnings.filterwarnings("ignore")  # the ONNX tracer's warnings are about torch internals
    logging.getLogger("sentence_transformers").setLevel(logging.ERROR)
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
