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
INSECURE = ROOT / "docker-compose.insecure.yml"
ENV_EXAMPLE = ROOT / ".env.example"
# Compose refuses to start without these (``${VAR:?...}``); the tests give it made-up ones.
SECRETS = {
    "OPENSEARCH_INITIAL_ADMIN_PASSWORD": "Test-admin-9",
    "MGM_WEB_PASSWORD": "test-web",
    "MGM_INDEXER_PASSWORD": "test-indexer",
    "MGM_DASHBOARDS_PASSWORD": "test-dashboards",
}


def docker_compose(*args: str, env_file: Path, compose: Path = COMPOSE, override: Path | None = None) -> subprocess.CompletedProcess:
    """Run docker-compose with only the given env file: no stray .env or shell variables."""
    files = ["-f", str(compose)] + (["-f", str(override)] if override else [])
    return subprocess.run(
        ["docker-compose", "--env-file", str(env_file), *files, *args],
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")},
        cwd=ROOT,
        timeout=60,
    )


def env_file(folder: Path, values: dict[str, str], name: str = "test.env") -> Path:
    path = folder / name
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    return path


@pytest.fixture(scope="module")
def secrets_env(tmp_path_factory) -> Path:
    """Only the required secrets: every other setting takes its compose default."""
    return env_file(tmp_path_factory.mktemp("env"), SECRETS)


@pytest.fixture(scope="module")
def resolved(secrets_env) -> dict:
    """The compose model as docker-compose resolves it with no .env but the secrets."""
    result = docker_compose("config", env_file=secrets_env)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_docker_compose_validates_the_file(secrets_env):
    result = docker_compose("config", "-q", env_file=secrets_env)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_compose_refuses_to_start_without_each_password(missing, tmp_path):
    for value in ("", None):  # set but empty, or absent
        values = {k: v for k, v in SECRETS.items() if k != missing} | ({missing: value} if value is not None else {})
        result = docker_compose("config", "-q", env_file=env_file(tmp_path, values))
        assert result.returncode != 0
        assert f"set {missing} in .env" in result.stderr


def test_docker_compose_rejects_a_broken_copy(secrets_env, tmp_path):
    """The validator really validates: a misspelled key in a copy of our file is refused."""
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE.read_text().replace("    healthcheck:\n", "    healtcheck:\n", 1))
    result = docker_compose("config", "-q", env_file=secrets_env, compose=broken)
    assert result.returncode != 0
    assert "healtcheck" in result.stderr


@pytest.mark.parametrize("compose", [COMPOSE, INSECURE], ids=["secure", "insecure-override"])
def test_compose_file_matches_the_compose_specification_schema(compose):
    schema_text = resources.files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json").read_text()
    schema = json.loads(schema_text)
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(yaml.safe_load(compose.read_text()))]
    assert errors == []


def test_env_example_documents_every_variable_with_the_compose_default(secrets_env, tmp_path):
    used = set(re.findall(r"\$\{(\w+)", COMPOSE.read_text()))
    documented = dict(line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines() if line and not line.startswith("#"))
    assert used <= documented.keys(), f"undocumented: {sorted(used - documented.keys())}"
    # The example leaves the passwords empty: copied as is, compose still refuses to start.
    assert {k: documented[k] for k in SECRETS} == dict.fromkeys(SECRETS, "")
    assert docker_compose("config", "-q", env_file=ENV_EXAMPLE).returncode != 0
    with_example = docker_compose("config", env_file=env_file(tmp_path, documented | SECRETS))
    without = docker_compose("config", env_file=secrets_env)
    assert with_example.returncode == 0, with_example.stderr
    assert yaml.safe_load(with_example.stdout) == yaml.safe_load(without.stdout)


def test_services_and_their_wiring(resolved):
    services = resolved["services"]
    assert set(services) == {"certs", "opensearch", "security-init", "opensearch-dashboards", "dashboards-init", "indexer", "webapp"}
    opensearch = services["opensearch"]
    assert opensearch["environment"]["discovery.type"] == "single-node"
    assert "DISABLE_SECURITY_PLUGIN" not in opensearch["environment"]
    assert "-Xmx1g" in opensearch["environment"]["OPENSEARCH_JAVA_OPTS"]
    assert opensearch["volumes"][0].startswith("opensearch-data:")
    assert "_cluster/health" in " ".join(opensearch["healthcheck"]["test"])
    assert opensearch["depends_on"]["certs"]["condition"] == "service_completed_successfully"
    dashboards = services["opensearch-dashboards"]
    assert "DISABLE_SECURITY_DASHBOARDS_PLUGIN" not in dashboards["environment"]
    assert dashboards["ports"] == ["127.0.0.1:5601:5601/tcp"]
    assert services["webapp"]["ports"] == ["127.0.0.1:8000:8000/tcp"]
    assert services["security-init"]["depends_on"]["opensearch"]["condition"] == "service_healthy"
    for name in ("opensearch-dashboards", "webapp", "indexer"):
        assert services[name]["depends_on"]["security-init"]["condition"] == "service_completed_successfully"
    init = services["dashboards-init"]
    assert init["depends_on"]["opensearch-dashboards"]["condition"] == "service_healthy"
    assert init["entrypoint"] + init["command"] == [
        "python",
        "-m",
        "mgm.dashboards",
        "--url",
        "http://opensearch-dashboards:5601",
        "--wait",
        "300",
    ]
    for name in ("certs", "security-init", "dashboards-init", "indexer"):
        assert services[name]["restart"] == "no"
    # Two locally built images run the app services, offline: `web` (no torch) for the web
    # app, dashboards-init and the two security one-shots, `indexer` for the indexer.
    web = {services[name]["image"] for name in ("webapp", "dashboards-init", "certs", "security-init")}
    assert len(web) == 1 and services["indexer"]["image"] not in web
    assert [services[name]["build"]["target"] for name in ("webapp", "dashboards-init", "indexer")] == ["web", "web", "indexer"]
    assert all(services[name]["environment"]["HF_HUB_OFFLINE"] == "1" for name in ("indexer", "webapp"))


def test_opensearch_runs_tls_with_the_certificates_certs_sh_writes(resolved, tmp_path):
    """The security plugin's PEM paths name files the certs service really writes, and the
    node and admin DNs in its settings are those certificates' subjects."""
    services = resolved["services"]
    env = services["opensearch"]["environment"]
    assert env["DISABLE_INSTALL_DEMO_CONFIG"] == "true", "the demo certificates' keys are public"
    assert env["plugins.security.ssl.http.enabled"] == "true"
    certs_mount = next(v for v in services["opensearch"]["volumes"] if v.startswith("certs:"))
    assert certs_mount == "certs:/usr/share/opensearch/config/certs:ro"
    assert services["certs"]["volumes"][0].startswith("certs:/certs")
    assert services["certs"]["entrypoint"][:3] == ["sh", "/setup/certs.sh", "/certs"]
    subprocess.run(["sh", str(ROOT / "opensearch" / "docker" / "certs.sh"), str(tmp_path), "opensearch"], check=True, capture_output=True)
    for key, value in env.items():
        if key.endswith("_filepath"):
            assert value.startswith("certs/") and (tmp_path / value.removeprefix("certs/")).is_file(), key
    assert "BEGIN PRIVATE KEY" in (tmp_path / "node-key.pem").read_text(), "the plugin reads PKCS#8 keys only"

    def subject(name: str) -> str:
        out = subprocess.run(
            ["openssl", "x509", "-in", str(tmp_path / name), "-noout", "-subject", "-nameopt", "RFC2253"], capture_output=True, text=True, check=True
        ).stdout
        return out.strip().removeprefix("subject=")

    assert subject("node.pem") == env["plugins.security.nodes_dn"]
    assert subject("admin.pem") == env["plugins.security.authcz.admin_dn"]
    verify = subprocess.run(
        ["openssl", "verify", "-CAfile", str(tmp_path / "root-ca.pem"), str(tmp_path / "node.pem"), str(tmp_path / "admin.pem")],
        capture_output=True,
        text=True,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    san = subprocess.run(
        ["openssl", "x509", "-in", str(tmp_path / "node.pem"), "-noout", "-ext", "subjectAltName"], capture_output=True, text=True, check=True
    ).stdout
    assert "DNS:opensearch" in san, "clients verify the hostname they connect to"


def test_each_app_service_connects_over_verified_tls_with_its_own_user(resolved):
    services = resolved["services"]
    users = {
        "webapp": ("mgm-web", "MGM_WEB_PASSWORD"),
        "indexer": ("mgm-indexer", "MGM_INDEXER_PASSWORD"),
        "dashboards-init": ("admin", "OPENSEARCH_INITIAL_ADMIN_PASSWORD"),
    }
    for name, (user, password_var) in users.items():
        env = services[name]["environment"]
        assert env["OPENSEARCH_URL"] == "https://opensearch:9200"
        assert env["OPENSEARCH_VERIFY_CERTS"] == "true" and env["OPENSEARCH_CA_CERTS"] == "/certs/root-ca.pem"
        assert (env["OPENSEARCH_USER"], env["OPENSEARCH_PASSWORD"]) == (user, SECRETS[password_var])
        assert "certs:/certs:ro" in services[name]["volumes"]
    dashboards = services["opensearch-dashboards"]["environment"]
    assert (dashboards["OPENSEARCH_USERNAME"], dashboards["OPENSEARCH_PASSWORD"]) == ("mgm-dashboards", SECRETS["MGM_DASHBOARDS_PASSWORD"])
    assert dashboards["OPENSEARCH_SSL_VERIFICATIONMODE"] == "full"
    assert json.loads(dashboards["OPENSEARCH_HOSTS"]) == ["https://opensearch:9200"]
    init = services["security-init"]["environment"]
    assert {k: init[k] for k in SECRETS} == SECRETS


def test_the_users_security_init_creates_have_the_rights_their_service_needs():
    """mgm-web may only read the project's indices; mgm-indexer may write only those."""
    from mgm.security_setup import READER_ROLE, WRITER_ROLE, role_mappings, roles, users
    from mgm.settings import Settings

    defined = roles(Settings.from_env({}))
    reader, writer = defined[READER_ROLE], defined[WRITER_ROLE]
    reader_actions = [a for p in reader["index_permissions"] for a in p["allowed_actions"]]
    assert "read" in reader_actions and not any(w in a for a in reader_actions for w in ("write", "delete", "create", "all", "crud", "manage"))
    assert not any("composite_ops" in a and not a.endswith("_ro") for a in reader["cluster_permissions"])
    patterns = {p for perm in reader["index_permissions"] + writer["index_permissions"] for p in perm["index_patterns"]}
    assert patterns == {"movies*", "micro-genres*", "mgm-runs*", "mgm-ids*"}  # the web app resolves retired ids
    mappings = role_mappings()
    assert mappings[READER_ROLE]["users"] == ["mgm-web"] and mappings[WRITER_ROLE]["users"] == ["mgm-indexer"]
    assert mappings["kibana_server"]["users"] == ["mgm-dashboards"]
    assert set(users({u: "x" for u in ("admin", "mgm-web", "mgm-indexer", "mgm-dashboards")})) == {
        "admin",
        "mgm-web",
        "mgm-indexer",
        "mgm-dashboards",
    }
    shipped = yaml.safe_load((ROOT / "opensearch" / "docker" / "internal_users.yml").read_text())
    assert set(shipped) == {"_meta"}, "no built-in users, hence no default passwords"


def test_insecure_mode_is_an_explicit_override(secrets_env):
    result = docker_compose("config", env_file=secrets_env, override=INSECURE)
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    assert services["opensearch"]["environment"]["DISABLE_SECURITY_PLUGIN"] == "true"
    assert "http://localhost:9200" in " ".join(services["opensearch"]["healthcheck"]["test"])
    assert services["opensearch-dashboards"]["environment"]["DISABLE_SECURITY_DASHBOARDS_PLUGIN"] == "true"
    for name in ("webapp", "indexer", "dashboards-init"):
        env = services[name]["environment"]
        assert env["OPENSEARCH_URL"] == "http://opensearch:9200" and env["OPENSEARCH_USER"] == ""
    # Ports stay on loopback in insecure mode too.
    assert services["opensearch"]["ports"] == ["127.0.0.1:9200:9200/tcp"]


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
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **env},
        timeout=60,
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
    assert {"indexer", "mgm", "webapp", "requirements/indexer.txt", "requirements/web.txt"} <= set(copied)
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
    env = {
        "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "HF_HUB_OFFLINE": "1",
        "CACHE_DIR": str(tmp_path / "cache"),
    }
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
