"""Tie the lifetime of non-Faust resources (process pools, HTTP clients, models) to the Faust app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import faust
from mode import Service


class ManagedResource(Service):
    """Runs `start` when the app starts and `stop` when it stops (SIGTERM included)."""

    def __init__(
        self,
        name: str,
        start: Callable[[], Awaitable[None]] | None = None,
        stop: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__()
        self._name = name
        self._start_fn = start
        self._stop_fn = stop

    @property
    def label(self) -> str:
        return self._name

    async def on_start(self) -> None:
        if self._start_fn is not None:
            await self._start_fn()

    async def on_stop(self) -> None:
        if self._stop_fn is not None:
            await self._stop_fn()


def manage(
    app: faust.App,
    name: str,
    start: Callable[[], Awaitable[None]] | None = None,
    stop: Callable[[], Awaitable[None]] | None = None,
) -> None:
    app.add_dependency(ManagedResource(name, start, stop))
