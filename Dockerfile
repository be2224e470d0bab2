# The app image, shared by the `webapp`, `indexer` and `dashboards-init` services.
# Everything the containers need is baked in at build time (packages, the model, its ONNX
# export), so they start with no network but OpenSearch's.
FROM python:3.11-slim

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

# Dependencies first: this layer is rebuilt only when requirements.txt changes. It is large:
# PyPI's torch is a CUDA build with its nvidia-* wheels, although the ONNX backend does the
# encoding (see docs/deploy.md, "Image size").
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY mgm ./mgm
COPY indexer ./indexer
COPY webapp ./webapp
COPY opensearch ./opensearch

USER app

# Export the bundled all-MiniLM-L6-v2 to ONNX now, into /cache: the webapp then starts in
# seconds, and the indexer's named cache volume is seeded with it on first use.
RUN python -c "from mgm.settings import Settings; from mgm.model import load_model; \
s = Settings.from_env(); load_model(s.model_dir, s.embed_backend, s.cache_dir)"

EXPOSE 8000
CMD ["gunicorn", "--config", "webapp/gunicorn.conf.py", "webapp:create_app()"]
