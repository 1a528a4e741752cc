"""Where the package's own files are, found through `importlib.resources` so that an installed wheel
finds them as a source checkout does. In the checkout, `services/schemas`, `services/models` and
`services/kafka-deploy` are links to the top-level `schemas/`, `models/` and `deploy/kafka/`; a wheel
carries copies of them as package data."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def package_path(*parts: str) -> Path:
    """A file or folder shipped with the package (the package is always installed unzipped)."""
    return Path(str(files("newswire").joinpath(*parts)))


def checkout_root() -> Path | None:
    """The source checkout the package runs from, or None for an installed wheel."""
    root = Path(str(files("newswire"))).resolve().parent
    return root if (root / "pyproject.toml").is_file() else None


def build_dir(name: str) -> Path:
    """Where reproducible build outputs go: `build/` of the checkout, else the user's cache."""
    root = checkout_root()
    return (root / "build" / name) if root is not None else Path.home() / ".cache" / "newswire" / name
