#!/usr/bin/env bash
# `make run`: OpenSearch (local unless OPENSEARCH_URL answers), index if the alias is
# missing, then serve the web app with gunicorn on 127.0.0.1:$PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
exec scripts/with-opensearch.sh keep bash -c '
  set -e
  .venv/bin/python -m indexer ensure
  echo "Micro-Genre Miner: http://127.0.0.1:'"$PORT"'"
  exec .venv/bin/gunicorn --config webapp/gunicorn.conf.py "webapp:create_app()"
'
