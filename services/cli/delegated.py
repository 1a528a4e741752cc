"""Commands that parse their own arguments, so that their --help is their own."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple


class DelegatedCommand(NamedTuple):
    help: str
    log_level: str | None  # None: the settings' level
    run: Callable[[list[str]], int]
