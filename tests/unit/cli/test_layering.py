"""The layering the restructuring promised: cli on top, the services below it, common at the bottom, and
no import running back up. Read from the source (ast), so a lazy import inside a function counts too."""

from __future__ import annotations

import ast
import graphlib
import tomllib
from collections.abc import Iterator
from pathlib import Path

import newswire
from tests.support import paths

PACKAGE = Path(newswire.__file__).parent
ROOT = paths.REPO_ROOT
ENTRY_POINTS = {"newswire.cli", "newswire.__main__"}
COMMON_MAY_IMPORT = ("newswire.common", "newswire.errors")


def _module_name(path: Path) -> str:
    parts = ["newswire", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Absolute names of what a module imports; `from X import y` counts X.y too (y may be a module)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            names.add(source)
            names |= {f"{source}.{alias.name}" for alias in node.names}
    return {name for name in names if name == "newswire" or name.startswith("newswire.")}


def _modules() -> Iterator[tuple[str, set[str]]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield _module_name(path), _imports(path)


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _top_package(name: str) -> str:
    return name.split(".")[1] if name.count(".") else ""


def _is_package_or_module(name: str) -> bool:
    """`from newswire import __version__` names an attribute, not a layer."""
    return bool(name) and ((PACKAGE / name / "__init__.py").is_file() or (PACKAGE / f"{name}.py").is_file())


def test_only_the_entry_points_import_the_cli() -> None:
    offenders = {
        module: sorted(name for name in imported if _within(name, "newswire.cli"))
        for module, imported in _modules()
        if not any(_within(module, entry) for entry in ENTRY_POINTS)
    }
    assert {module: names for module, names in offenders.items() if names} == {}


def test_common_imports_no_service() -> None:
    offenders = {
        module: sorted(
            name for name in imported if name != "newswire" and not any(_within(name, ok) for ok in COMMON_MAY_IMPORT)
        )
        for module, imported in _modules()
        if _within(module, "newswire.common")
    }
    assert {module: names for module, names in offenders.items() if names} == {}


def test_the_packages_import_each_other_without_a_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for module, imported in _modules():
        importer = _top_package(module)
        if importer:
            graph.setdefault(importer, set()).update(
                package for package in map(_top_package, imported) if _is_package_or_module(package)
            )
    for importer, imported_packages in graph.items():
        imported_packages.discard(importer)
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError naming the cycle


def test_the_console_script_is_the_cli() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["newswire"] == "newswire.cli:main"
