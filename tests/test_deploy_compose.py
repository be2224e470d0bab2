"""docker-compose.yml, .env.example and the Dockerfile, checked without a Docker engine.

Two real validators read the compose file: Debian's docker-compose 1.29 (`config`, which
also resolves variables, anchors and profiles: the tests below read its resolved output)
and the current Compose Specification JSON schema shipped in check-jsonschema.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

from mgm.model_files import bundled_model_dir, export_dir, export_ready

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"


def docker_compose(*args: str, env_file: Path, compose: Path = COMPOSE) -> subprocess.CompletedProcess:
    """Run docker-compose with only the given env file: no stray .env or shell variables."""
    return subprocess.run(
        ["docker-compose", "--env-file", str(env_file), "-f", str(compose), *args],
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")},
        cwd=ROOT,
        timeout=60,
    )


@pytest.fixture(scope="module")
def empty_env(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("env") / "empty.env"
    path.write_text("")
    return path


@pytest.fixture(scope="module")
def resolved(empty_env) -> dict:
    """The compose model as docker-compose resolves it with no .env."""
    result = docker_compose("config", env_file=empty_env)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_docker_compose_validates_the_file(empty_env):
    result = docker_compose("config", "-q", env_file=empty_env)
    assert result.returncode == 0, result.stderr


def test_docker_compose_rejects_a_broken_copy(empty_env, tmp_path):
    """The validator really validates: a misspelled key in a copy of our file is refused."""
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE.read_text().replace("    healthcheck:\n", "    healtcheck:\n", 1))
    result = docker_compose("config", "-q", env_file=empty_env, compose=broken)
    assert result.returncode != 0
    assert "healtcheck" in result.stderr


def test_compose_file_matches_the_compose_specification_schema():
    schema_text = resources.files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json").read_text()
    schema = json.loads(schema_text)
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(yaml.safe_load(COMPOSE.read_text()))]
    assert errors == []


def test_env_example_documents_every_variable_with_the_compose_default(empty_env):
    used = set(re.findall(r"\$\{(\w+)", COMPOSE.read_text()))
    documented = dict(
        line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines() if line and not line.startswith("#")
    )
    assert used <= documented.keys(), f"undocumented: {sorted(used - documented.keys())}"
    with_example = docker_compose("config", env_file=ENV_EXAMPLE)
    without = docker_compose("config", env_file=empty_env)
    assert with_example.returncode == 0, with_example.stderr
    assert yaml.safe_load(with_example.stdout) == yaml.safe_load(without.stdout)


def test_services_and_their_wiring(resolved):
    services = resolved["services"]
    assert set(services) == {"opensearch", "opensearch-dashboards", "dashboards-init", "indexer", "webapp"}
    opensearch = services["opensearch"]
    assert opensearch["environment"]["discovery.type"] == "single-node"
    assert opensearch["environment"]["DISABLE_SECURITY_PLUGIN"] == "true"
    assert "-Xmx1g" in opensearch["environment"]["OPENSEARCH_JAVA_OPTS"]
    assert opensearch["volumes"][0].startswith("opensearch-data:")
    assert "_cluster/health" in " ".join(opensearch["healthcheck"]["test"])
    dashboards = services["opensearch-dashboards"]
    assert dashboards["environment"]["DISABLE_SECURITY_DASHBOARDS_PLUGIN"] == "true"
    assert dashboards["ports"] == ["127.0.0.1:5601:5601/tcp"]
    assert services["webapp"]["ports"] == ["127.0.0.1:8000:8000/tcp"]
    for name in ("opensearch-dashboards", "webapp", "indexer"):
        assert services[name]["depends_on"]["opensearch"]["condition"] == "service_healthy"
    init = services["dashboards-init"]
    assert init["depends_on"]["opensearch-dashboards"]["condition"] == "service_healthy"
    assert init["entrypoint"] + init["command"] == [
        "python", "-m", "mgm.dashboards", "--url", "http://opensearch-dashboards:5601", "--wait", "300",
    ]
    assert init["restart"] == "no" and services["indexer"]["restart"] == "no"
    # Two locally built images run the three app services, offline: `web` (no torch) for the
    # web app and dashboards-init, `indexer` for the indexer.
    assert services["webapp"]["image"] == services["dashboards-init"]["image"] != services["indexer"]["image"]
    assert [services[name]["build"]["target"] for name in ("webapp", "dashboards-init", "indexer")] == ["web", "web", "indexer"]
    assert all(services[name]["environment"]["HF_HUB_OFFLINE"] == "1" for name in ("indexer", "webapp"))


def test_opensearch_and_dashboards_run_the_local_runners_version(resolved):
    pinned = dict(line.split("=", 1) for line in (ROOT / "opensearch" / "VERSION").read_text().split())
    version = pinned["OPENSEARCH_VERSION"]
    services = resolved["services"]
    assert services["opensearch"]["image"] == f"opensearchproject/opensearch:{version}"
    assert services["opensearch-dashboards"]["image"] == f"opensearchproject/opensearch-dashboards:{version}"


def test_indexer_service_runs_the_same_cli_as_make_reindex(resolved):
    """`docker compose run --rm indexer run` == the Makefile's `$(PY) -m indexer run`."""
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^reindex:.*\n\t(.+)$", makefile, re.MULTILINE).group(1)
    make_args = shlex.split(recipe.split("$(PY)", 1)[1])
    indexer = resolved["services"]["indexer"]
    documented = shlex.split(_docs_command("docker compose run --rm indexer run"), comments=True)
    run_args = documented[documented.index("indexer") + 1 :]
    assert indexer["entrypoint"][0] == "python"
    assert indexer["entrypoint"][1:] + run_args == make_args == ["-m", "indexer", "run"]
    # Its default command, run by `docker compose up`, is the first step of `make run`.
    run_sh = (ROOT / "scripts" / "run.sh").read_text()
    assert f"python -m indexer {' '.join(indexer['command'])}\n" in run_sh
    assert indexer["command"] == ["ensure"]
    data_mount = next(v for v in indexer["volumes"] if v.split(":")[1] == "/data")
    assert data_mount.endswith(":ro")
    assert indexer["environment"]["MOVIES_CSV"] == "/data/tmdb_5000_movies.csv"
    cache = next(v for v in indexer["volumes"] if v.split(":")[1] == indexer["environment"]["CACHE_DIR"])
    assert cache.split(":")[0] in resolved["volumes"]


def test_webapp_environment_makes_gunicorn_listen_on_all_interfaces(resolved):
    """gunicorn's own resolved config, with the webapp service's environment and without."""
    env = {k: str(v) for k, v in resolved["services"]["webapp"]["environment"].items()}
    assert _gunicorn_bind(env) == "['0.0.0.0:8000']"
    assert _gunicorn_bind({}) == "['127.0.0.1:8000']", "make run must stay on loopback"


def _gunicorn_bind(env: dict[str, str]) -> str:
    """The bind address gunicorn resolves. The app is named, not called (``create_app`` without
    parentheses), so gunicorn imports it but loads no model: the bind does not depend on it."""
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--config", "webapp/gunicorn.conf.py", "--print-config", "webapp:create_app"],
        capture_output=True, text=True, cwd=ROOT, env={"PATH": os.environ["PATH"], **env}, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return re.search(r"^bind\s+= (.+)$", result.stdout, re.MULTILINE).group(1)


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined the way Docker joins them."""
    text = re.sub(r"\\\n", "", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0], line.split(None, 1)[1]) for line in lines]


def test_dockerfile_copies_what_the_services_run():
    steps = dockerfile()
    assert steps[0] == ("FROM", "python:3.11-slim AS base")
    assert [args.split()[-1] for op, args in steps if op == "FROM"] == ["base", "indexer", "web"]
    assert [args for op, args in steps if op == "USER"][-1] not in ("root", "0")
    copied = [args.split()[0] for op, args in steps if op == "COPY" and not args.startswith("--from=")]
    missing = [src for src in copied if not (ROOT / src).exists()]
    assert missing == [], f"COPY sources missing from the repo: {missing}"
    # Every Python package a service runs (indexer, mgm.dashboards, webapp) is copied, and
    # every project folder their code reads (mappings, pipelines, saved objects).
    assert {"indexer", "mgm", "webapp", "requirements.txt"} <= set(copied)
    assert project_folders_read_by_the_code() <= set(copied)
    # .dockerignore excludes everything (the 6 GB .venv first) but what is copied.
    rules = [line for line in (ROOT / ".dockerignore").read_text().splitlines() if line and not line.startswith("#")]
    assert rules[0] == "*"
    assert {f"!{src}/" if (ROOT / src).is_dir() else f"!{src}" for src in copied} <= set(rules)
    env = " ".join(args for op, args in steps if op == "ENV")
    assert "HF_HUB_OFFLINE=1" in env.split()
    assert steps[-1] == ("CMD", '["gunicorn", "--config", "webapp/gunicorn.conf.py", "webapp:create_app()"]')


def project_folders_read_by_the_code() -> set[str]:
    """Top-level folders the app code opens relative to the checkout (PROJECT_ROOT / "x")."""
    pattern = re.compile(r'(?:PROJECT_ROOT|parent\.parent) / "([^"/]+)')
    found = set()
    for package in ("mgm", "indexer", "webapp"):
        for path in (ROOT / package).rglob("*.py"):
            found |= set(pattern.findall(path.read_text()))
    # .cache is only the default of CACHE_DIR, which the image sets to /cache.
    assert "opensearch" in found
    return found - {".cache"}


def test_dockerfile_model_step_exports_the_onnx_model(tmp_path):
    """The image's build-time model step, run here as Docker would (``sh -c``), offline."""
    (command,) = [args for op, args in dockerfile() if op == "RUN" and "onnx_export" in args]
    env = {"PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}", "HOME": str(tmp_path),
           "HF_HUB_OFFLINE": "1", "CACHE_DIR": str(tmp_path / "cache")}
    result = subprocess.run(["sh", "-c", command], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert export_ready(export_dir(bundled_model_dir(), tmp_path / "cache"))
    # The web target copies that cache folder from the indexer stage.
    assert ("COPY", "--from=indexer --chown=app:app /cache /cache") in dockerfile()


def _docs_command(prefix: str) -> str:
    """The first line of docs/deploy.md that starts with ``prefix`` (a documented command)."""
    for line in (ROOT / "docs" / "deploy.md").read_text().splitlines():
        if line.strip().startswith(prefix):
            return line.strip()
    raise AssertionError(f"docs/deploy.md documents no `{prefix} ...` command")
