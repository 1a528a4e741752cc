"""Offsets are acknowledged only for batches that were handled: a failing batch is retried, and a batch
interrupted by a stop stays unacknowledged so that the partition's next owner reads it again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from newswire.common.runtime import ServiceRuntime
from newswire.common.settings import ServiceSettings


class FakeStream:
    def __init__(self, batches: list[list[str]]) -> None:
        self.batches = batches
        self.acked: list[str] = []

    async def noack_take(self, size: int, within: float) -> AsyncIterator[list[str]]:
        for batch in self.batches:
            yield batch

    async def ack(self, event: Any) -> bool:
        self.acked.append(event)
        return True


@pytest.fixture
def runtime(tmp_path: Path) -> ServiceRuntime:
    return ServiceRuntime("test", ServiceSettings(kafka={"bootstrap_servers": "127.0.0.1:9"}, data_dir=tmp_path), 6199)


async def test_a_failed_batch_is_retried_and_acknowledged_only_after_it_succeeds(
    runtime: ServiceRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = FakeStream([["a", "b"], ["c"]])
    calls: list[tuple[list[str], list[str]]] = []

    async def handle(events: list[Any]) -> None:
        calls.append((list(events), list(stream.acked)))
        if len(calls) == 1:
            raise ConnectionError("broker unreachable")

    async def no_wait(delay: float) -> None:
        return None

    monkeypatch.setattr("newswire.common.runtime.asyncio.sleep", no_wait)
    await runtime.consume_batches(stream, 2, 0.1, handle)
    assert calls == [(["a", "b"], []), (["a", "b"], []), (["c"], ["a", "b"])]
    assert stream.acked == ["a", "b", "c"]
    assert runtime.metrics.registry.get_sample_value("newswire_retries_total", {"stage": "batch"}) == 1


async def test_a_batch_interrupted_by_a_stop_is_not_acknowledged(runtime: ServiceRuntime) -> None:
    stream = FakeStream([["a"], ["b"]])
    started = asyncio.Event()

    async def handle(events: list[Any]) -> None:
        if events == ["b"]:
            started.set()
            await asyncio.sleep(60)

    consuming = asyncio.create_task(runtime.consume_batches(stream, 1, 0.1, handle))
    await asyncio.wait_for(started.wait(), 5)
    consuming.cancel()  # what a SIGTERM'd worker does to its agents
    with pytest.raises(asyncio.CancelledError):
        await consuming
    assert stream.acked == ["a"]
