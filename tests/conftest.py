"""Fixtures every test may use, built from tests/support."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.http import LocalHttpServer
from tests.support.runtime import RecordingRuntime


@pytest.fixture
def http_server() -> Iterator[LocalHttpServer]:
    """A started `LocalHttpServer` with no routes yet (every path a 404): set `routes` or use `route`."""
    with LocalHttpServer() as server:
        yield server


@pytest.fixture
def recording_runtime(tmp_path: Path) -> RecordingRuntime:
    """A `RecordingRuntime` for a service called "test", its data in tmp_path."""
    return RecordingRuntime(tmp_path)
