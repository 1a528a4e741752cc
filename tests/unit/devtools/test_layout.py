"""Layering the restructuring promised: the broker launcher stays off the services' runtime path, and the
fetcher's modules import each other without a cycle."""

from __future__ import annotations

import ast
import graphlib
import subprocess
import sys
from pathlib import Path

import newswire.fetcher

FETCHER = Path(newswire.fetcher.__file__).parent
SERVICE_APPS = ("newswire.fetcher.app", "newswire.cleaner.app", "newswire.extractor.app")


def test_no_service_app_loads_the_broker_launcher() -> None:
    # A fresh interpreter: this test session has long imported the launcher through the CLI tests.
    probe = f"import sys, {', '.join(SERVICE_APPS)}; print('newswire.devtools.broker' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == "False"


def _sibling_imports(module: Path) -> set[str]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    siblings: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names = [node.module] if node.module else [alias.name for alias in node.names]
            siblings |= {name.split(".")[0] for name in names if (FETCHER / f"{name.split('.')[0]}.py").is_file()}
    return siblings - {module.stem}


def test_the_fetcher_modules_import_each_other_without_a_cycle() -> None:
    graph = {path.stem: _sibling_imports(path) for path in FETCHER.glob("*.py")}
    assert graph["policy"] == set() and graph["errors"] == set()
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError naming the cycle
