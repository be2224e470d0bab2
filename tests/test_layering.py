"""The layers, enforced on the source (``ast``, nothing imported):

    bench/, tests/         may import anything
    webapp/   indexer/     the two products: neither imports the other (nor bench/tests)
         mgm/              the shared core: imports neither product

and inside the indexer, the stages are layered, each importing only the stages below it

    indexer/pipeline.py, incremental.py, cli.py, __main__.py   the runs: compose the stages
    publish/               may import taxonomy, features, ingest
    taxonomy/              may import features, ingest
    features/              may import ingest
    ingest/                imports no other stage

no stage imports a run (the CLI drives the stages, never the reverse), the runs import the CLI
never (``cli`` imports ``pipeline`` and ``incremental``, ``pipeline`` imports ``incremental``),
every indexer module sits in a stage package or is a run, and the indexer's imports, function
level ones included, have no cycle. Inside the web app, the page families are layered

    webapp/__init__.py     the app factory: registers every family's blueprint
    discover/              may import insights, explore, api
    insights/              may import explore, api
    explore/               may import api
    api/                   imports no family, except ``api/openapi.py`` (it describes them all),
                           which nothing but the factory imports

and no family imports the factory (``webapp`` itself) or ``webapp.limits``. Templates keep the
same layers: every template name is unique across ``webapp/templates`` and the families'
``templates/`` (Flask searches one flat namespace), a family renders only its own or the shared
templates, and a template extends or imports only what its family may import. Every
``url_for('static', ...)`` names a file in the one shared ``webapp/static/``. Each package's
``__init__.py`` opens with a docstring saying what the package owns and what it may import.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("mgm", "indexer", "webapp", "bench")
# package -> the project packages it must never import
FORBIDDEN = {
    "mgm": {"indexer", "webapp", "bench", "tests"},
    "webapp": {"indexer", "bench", "tests"},
    "indexer": {"webapp", "bench", "tests"},
    "bench": set(),
}
CLI = {"indexer.cli", "indexer.__main__"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in the file (functions too), as absolute names."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    return imports_of(path.read_text(), package.removesuffix(".__init__"))


def imports_of(source: str, package: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the file's package
                parts = package.split(".")
                prefix = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            found.add(prefix)
            found.update(f"{prefix}.{alias.name}" for alias in node.names)  # ``from indexer import cli``
    return found


def sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_imports_only_the_layers_below_it(package):
    bad = []
    for path in sources(package):
        for name in imports(path):
            top = name.split(".")[0]
            if top in FORBIDDEN[package]:
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, "\n".join(bad)


def test_no_indexer_stage_imports_the_cli():
    bad = []
    for path in sources("indexer"):
        if module_name(path) in CLI:
            continue
        bad += [f"{path.relative_to(ROOT)} imports {name}" for name in imports(path) if name in CLI]
    assert not bad, "\n".join(bad)


# --- the indexer's stages ---------------------------------------------------------------------

INDEXER = ROOT / "indexer"
STAGES = ("ingest", "features", "taxonomy", "publish")  # lowest first: a stage imports only those before it
RUNS = ("indexer.__main__", "indexer.cli", "indexer.pipeline", "indexer.incremental")  # highest first


def indexer_modules() -> dict[str, Path]:
    return {module_name(path).removesuffix(".__init__"): path for path in sources("indexer")}


def indexer_imports(path: Path, modules: set[str]) -> set[str]:
    """The indexer modules ``path`` imports (``indexer.taxonomy.compose.Corpus`` -> its module)."""
    found = set()
    for name in imports(path):
        parts = name.split(".")
        while parts and ".".join(parts) not in modules:
            parts.pop()
        if len(parts) > 1:  # the bare ``indexer`` package (a docstring) is nobody's dependency
            found.add(".".join(parts))
    return found


def test_every_indexer_module_is_in_a_stage_or_is_a_run():
    loose = sorted(name for name in indexer_modules() if name.count(".") == 1 and name not in RUNS and name.split(".")[1] not in STAGES)
    assert not loose, f"not in a stage package, not a run: {loose}"


@pytest.mark.parametrize("stage", STAGES)
def test_a_stage_imports_only_the_stages_below_it(stage):
    modules = set(indexer_modules())
    allowed = {f"indexer.{s}" for s in STAGES[: STAGES.index(stage) + 1]}
    bad = []
    for path in sorted((INDEXER / stage).rglob("*.py")):
        for name in indexer_imports(path, modules):
            if ".".join(name.split(".")[:2]) not in allowed:
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, "\n".join(bad)


def test_a_run_imports_no_run_above_it():
    modules = set(indexer_modules())
    bad = []
    for n, run in enumerate(RUNS):
        path = indexer_modules()[run]
        bad += [f"{path.relative_to(ROOT)} imports {name}" for name in indexer_imports(path, modules) if name in RUNS[: n + 1]]
    assert not bad, "\n".join(bad)


def test_the_shared_vector_math_imports_no_indexer_module():
    """``features/vectors.py`` is what ``theme_features`` and ``neighbours`` share, so neither imports the other."""
    modules = set(indexer_modules())
    assert indexer_imports(INDEXER / "features" / "vectors.py", modules) == set()
    assert "indexer.features.neighbours" not in indexer_imports(INDEXER / "features" / "theme_features.py", modules)


def test_the_indexer_has_no_import_cycle():
    modules = indexer_modules()
    graph = {name: indexer_imports(path, set(modules)) - {name} for name, path in modules.items()}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles = []

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for nxt in sorted(graph[name]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(path[path.index(nxt) :] + [nxt]))
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not cycles, "\n".join(cycles)


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_says_what_it_owns_and_may_import(stage):
    doc = ast.get_docstring(ast.parse((INDEXER / stage / "__init__.py").read_text()))
    assert doc, f"indexer/{stage}/__init__.py has no docstring"
    assert "owns" in doc.lower() and "may import" in doc.lower(), f"indexer/{stage}/__init__.py: what it owns, what it may import"


def test_the_checker_sees_what_it_must():
    """The rule reads relative, aliased and function-level imports alike."""
    source = "import indexer.cli as c\nfrom . import cli\nfrom .store import publish\ndef f():\n    from webapp.explore.search import x\n"
    assert {"indexer.cli", "indexer.store", "webapp.explore.search"} <= imports_of(source, "indexer")


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_says_what_it_owns_and_may_import(package):
    doc = ast.get_docstring(ast.parse((ROOT / package / "__init__.py").read_text()))
    assert doc, f"{package}/__init__.py has no docstring"
    assert "may import" in doc.lower(), f"{package}/__init__.py does not say what it may import"


# --- the web app's page families ---------------------------------------------------------------

WEB = ROOT / "webapp"
# family -> the families it may import ("api" is imported by all; "discover" by none)
FAMILIES = {
    "api": set(),
    "explore": {"api"},
    "insights": {"api", "explore"},
    "discover": {"api", "explore", "insights"},
}
CONTRACT = "webapp.api.openapi"  # describes every family's routes: may read them all, imported by the factory only
FACTORY = "webapp"


def web_imports(path: Path) -> set[str]:
    return {name for name in imports(path) if name == "webapp" or name.startswith("webapp.")}


@pytest.mark.parametrize("family", FAMILIES)
def test_a_page_family_imports_only_the_families_below_it(family):
    bad = []
    for path in sorted((WEB / family).rglob("*.py")):
        if module_name(path) == CONTRACT:
            continue
        for name in web_imports(path):
            parts = name.split(".")
            target = parts[1] if len(parts) > 1 else FACTORY
            if target == family or target in FAMILIES[family]:
                continue
            bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, "\n".join(bad)


def test_only_the_factory_imports_the_api_contract():
    importers = sorted(str(path.relative_to(ROOT)) for path in WEB.rglob("*.py") if CONTRACT in web_imports(path))
    assert importers == ["webapp/__init__.py"]


def test_the_shared_modules_import_no_family():
    """``limits`` and the gunicorn config sit under every family: they import none of them."""
    bad = [
        f"{path.relative_to(ROOT)} imports {name}" for path in sorted(WEB.glob("*.py")) if path.name != "__init__.py" for name in web_imports(path)
    ]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("family", FAMILIES)
def test_each_page_family_says_what_it_owns_and_may_import(family):
    doc = ast.get_docstring(ast.parse((WEB / family / "__init__.py").read_text()))
    assert doc, f"webapp/{family}/__init__.py has no docstring"
    assert "owns" in doc.lower() and "may import" in doc.lower(), f"webapp/{family}/__init__.py: what it owns, what it may import"


def template_homes() -> dict[str, list[str]]:
    """Template name -> the folders holding it (``""``: the shared ``webapp/templates``)."""
    homes: dict[str, list[str]] = {}
    for folder, owner in [(WEB / "templates", ""), *((WEB / f / "templates", f) for f in FAMILIES)]:
        for path in sorted(folder.glob("*.html")) if folder.is_dir() else []:
            homes.setdefault(path.name, []).append(owner)
    return homes


TEMPLATE_REFERENCE = re.compile(r"\{%-?\s*(?:extends|import|from|include)\s+[\"']([^\"']+)[\"']")
STATIC_REFERENCE = re.compile(r"url_for\(\s*'static'\s*,\s*filename\s*=\s*'([^']+)'")


def test_every_template_name_has_one_home():
    homes = template_homes()
    assert {"base.html", "error.html", "explore.html", "overview.html", "index.html"} <= set(homes)
    clashes = {name: owners for name, owners in homes.items() if len(owners) > 1}
    assert not clashes, f"Flask would serve only the first of each: {clashes}"


@pytest.mark.parametrize("family", FAMILIES)
def test_a_family_uses_only_the_templates_it_may(family):
    homes = {name: owners[0] for name, owners in template_homes().items()}
    allowed = {"", family, *FAMILIES[family]}
    bad = []
    for path in sorted((WEB / family).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):  # render_template("x.html") and _page("x.html", ...)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"[\w-]+\.html", node.value):
                if homes.get(node.value) not in ("", family):
                    bad.append(f"{path.relative_to(ROOT)} renders {node.value} ({homes.get(node.value, 'nowhere')})")
    for path in sorted((WEB / family / "templates").glob("*.html")) if (WEB / family / "templates").is_dir() else []:
        for name in TEMPLATE_REFERENCE.findall(path.read_text()):
            if homes.get(name) not in allowed:
                bad.append(f"{path.relative_to(ROOT)} uses {name} ({homes.get(name, 'nowhere')})")
    assert not bad, "\n".join(bad)


def test_the_shared_templates_use_only_shared_ones_and_static_files_exist():
    homes = {name: owners[0] for name, owners in template_homes().items()}
    bad = [
        f"{path.relative_to(ROOT)} uses {name}"
        for path in sorted((WEB / "templates").glob("*.html"))
        for name in TEMPLATE_REFERENCE.findall(path.read_text())
        if homes.get(name) != ""
    ]
    used = {name for path in WEB.rglob("*.html") for name in STATIC_REFERENCE.findall(path.read_text())}
    assert {"app.css", "explore.js", "charts.js"} <= used
    bad += [f"/static/{name} is not in webapp/static/" for name in sorted(used) if not (WEB / "static" / name).is_file()]
    assert not bad, "\n".join(bad)
