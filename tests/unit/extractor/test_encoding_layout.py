"""The encoding package's layering: the shared base loads without either runtime, and no module cycles back."""

from __future__ import annotations

import ast
import graphlib
import subprocess
import sys
from pathlib import Path

import newswire.extractor.encoding

PACKAGE_NAME = "newswire.extractor.encoding"
PACKAGE = Path(newswire.extractor.encoding.__file__).parent
# The container image serves with ONNX Runtime and no torch; a training box may have torch and no ONNX Runtime.
RUNTIMES_AND_EXPORTER = ("torch", "onnxruntime", f"{PACKAGE_NAME}.export")


def _imported_on_a_fresh_interpreter(module: str) -> set[str]:
    probe = f"import sys, {module}; print(' '.join(name for name in {RUNTIMES_AND_EXPORTER!r} if name in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    return set(result.stdout.split())


def _sibling_imports(module: str) -> set[str]:
    """The package's own modules that `module` imports, from its source (`from . import name` of a name
    that is not a module is an import of the package's `__init__`)."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    siblings: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            siblings.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level == 1:
            siblings |= {alias.name if (PACKAGE / f"{alias.name}.py").is_file() else "__init__" for alias in node.names}
        elif isinstance(node, ast.Import | ast.ImportFrom):
            named = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            siblings |= {name.split(".")[3] for name in named if name.startswith(f"{PACKAGE_NAME}.")}
    return siblings - {module}


def test_the_shared_base_imports_neither_runtime_nor_the_exporter() -> None:
    assert _imported_on_a_fresh_interpreter(f"{PACKAGE_NAME}.base") == set()


def test_the_package_leaves_the_runtimes_until_an_encoder_is_built() -> None:
    assert _imported_on_a_fresh_interpreter(PACKAGE_NAME) == set()


def test_the_modules_import_each_other_without_a_cycle() -> None:
    graph = {path.stem: _sibling_imports(path.stem) for path in PACKAGE.glob("*.py")}
    assert graph["base"] == set()
    assert "onnx" not in graph["torch"] and "torch" not in graph["onnx"]
    assert "export" not in graph["__init__"]
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError naming the cycle
