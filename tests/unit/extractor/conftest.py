"""Fixtures the extractor's tests share."""

from __future__ import annotations

import pytest

from newswire.extractor.assembly.geo import Gazetteer, default_gazetteer


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    """Built once: the gazetteer takes seconds to load."""
    return default_gazetteer()
