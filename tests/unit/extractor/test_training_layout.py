"""The training package's shape: its modules import one another without a cycle, and serving never loads it."""

from __future__ import annotations

import ast
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import newswire.extractor.training as training

PACKAGE = "newswire.extractor.training"
SERVING_MODULES = (
    "newswire.extractor.analyzer",
    "newswire.extractor.heads",
    "newswire.extractor.pipeline",
    "newswire.extractor.assembly",
)


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


def _imported_modules(path: Path, module: str) -> set[str]:
    """Absolute names of the modules a file imports (relative imports resolved against `module`)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            source = ".".join(part for part in (base, node.module or "") if part)
            found.add(source)
            found.update(f"{source}.{alias.name}" for alias in node.names)
    return found


def test_training_modules_import_one_another_without_a_cycle() -> None:
    root = Path(training.__file__).parent
    files = {_module_name(path, root): path for path in sorted(root.rglob("*.py")) if path.name != "__main__.py"}
    graph = {
        module: {name for name in _imported_modules(path, module) if name in files and name != module}
        for module, path in files.items()
    }
    # The package's __init__ gathers every module's exports; no module may import it back.
    assert not [module for module, imports in graph.items() if PACKAGE in imports and module != PACKAGE]
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as cycle:  # pragma: no cover - the failure message is the point
        raise AssertionError(f"import cycle in {PACKAGE}: {cycle.args[1]}") from cycle
    assert set(order) == set(files)


def test_serving_modules_do_not_import_the_training_package() -> None:
    imports = "; ".join(f"import {module}" for module in SERVING_MODULES)
    probe = f"import sys; {imports}; print(sorted(m for m in sys.modules if m.startswith('{PACKAGE}')))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == "[]"
