"""The layers, enforced on the source (``ast``, nothing imported):

    bench/, tests/         may import anything
    webapp/   indexer/     the two products: neither imports the other (nor bench/tests)
         mgm/              the shared core: imports neither product

and inside the indexer, no stage imports the command line (``indexer/cli.py``, ``__main__``):
the CLI drives the stages, never the reverse. Each package's ``__init__.py`` opens with a
docstring saying what the package owns and what it may import.
"""
from __future__ import annotations

import ast
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


def test_the_checker_sees_what_it_must():
    """The rule reads relative, aliased and function-level imports alike."""
    source = "import indexer.cli as c\nfrom . import cli\nfrom .store import publish\ndef f():\n    from webapp.search import x\n"
    assert {"indexer.cli", "indexer.store", "webapp.search"} <= imports_of(source, "indexer")


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_says_what_it_owns_and_may_import(package):
    doc = ast.get_docstring(ast.parse((ROOT / package / "__init__.py").read_text()))
    assert doc, f"{package}/__init__.py has no docstring"
    assert "may import" in doc.lower(), f"{package}/__init__.py does not say what it may import"
