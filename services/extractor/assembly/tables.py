"""The committed data tables beside these modules (regions, counties, country points), read one way."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def table_rows(path: Path, columns: Sequence[str]) -> list[list[str]]:
    """The data rows of a tab-separated table that a generator wrote: its provenance comments (`#`) and its
    header row (the one starting with the first column's name) left out."""
    return [
        line.split("\t")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#") and not line.startswith(columns[0] + "\t")
    ]
