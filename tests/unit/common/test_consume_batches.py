"""Offsets are acknowledged only for messages that were handled: a failing batch (or message) is retried,
and one interrupted by a stop stays unacknowledged so that the partition's next owner reads it again. The
concurrent path (the fetcher's) lets no slow message hold back the handling of the ones after it, but
acknowledges each partition's messages in order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from newswire.common.runtime import ServiceRuntime
from newswire.common.settings import ServiceSettings
from tests.support.runtime import RecordingRuntime


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
def runtime(recording_runtime: RecordingRuntime) -> ServiceRuntime:
    return recording_runtime


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


def test_the_stream_buffer_is_bounded_by_settings_so_a_backlog_pauses_fetching(tmp_path: Path) -> None:
    """Faust pauses a partition whose stream buffer is full: the buffer's size is the memory bound."""
    settings = ServiceSettings(
        kafka={"bootstrap_servers": "127.0.0.1:9", "stream_buffer_maxsize": 64}, data_dir=tmp_path
    )
    assert ServiceRuntime("test", settings, 6199).app.conf.stream_buffer_maxsize == 64
    default = ServiceRuntime(
        "test", ServiceSettings(kafka={"bootstrap_servers": "127.0.0.1:9"}, data_dir=tmp_path), 6199
    )
    assert default.app.conf.stream_buffer_maxsize == 256  # not Faust's 4096 raw pages per stream


def test_consumers_refresh_metadata_often_enough_to_see_a_topic_back_after_a_broker_restart(tmp_path: Path) -> None:
    """A group leader that assigned while a topic was missing from its metadata gives it to no one until a
    refresh shows the topic (aiokafka then rejoins); the library's default waits five minutes."""
    settings = ServiceSettings(kafka={"bootstrap_servers": "127.0.0.1:9", "metadata_max_age_s": 7}, data_dir=tmp_path)
    assert ServiceRuntime("test", settings, 6199).app.conf.consumer_metadata_max_age_ms == 7000
    default = ServiceRuntime(
        "test", ServiceSettings(kafka={"bootstrap_servers": "127.0.0.1:9"}, data_dir=tmp_path), 6199
    )
    assert default.app.conf.consumer_metadata_max_age_ms == 15000


@dataclass(frozen=True)
class FakeMessage:
    tp: str
    offset: int


@dataclass(frozen=True)
class FakeEvent:
    name: str
    message: FakeMessage


def events(names: list[str], partition: str = "urls-0") -> list[FakeEvent]:
    return [FakeEvent(name, FakeMessage(partition, offset)) for offset, name in enumerate(names)]


class StreamOfOne:
    """noack_take that yields one message per batch, as a stream whose messages arrive one at a time."""

    def __init__(self, events: list[FakeEvent]) -> None:
        self.events = events
        self.acked: list[str] = []

    async def noack_take(self, size: int, within: float) -> AsyncIterator[list[FakeEvent]]:
        for event in self.events:
            yield [event]
        await asyncio.Event().wait()  # a live stream: more may come

    async def ack(self, event: FakeEvent) -> bool:
        self.acked.append(event.name)
        return True


async def until(condition: Any, seconds: float = 0.5) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)


async def test_a_slow_message_does_not_hold_back_the_ones_after_it_only_their_acknowledgement(
    runtime: ServiceRuntime,
) -> None:
    """The fetcher's queue comes feed by feed: one host's page waiting on its politeness delay must not
    stop the other hosts' pages, as a batch would. Their offsets wait: Faust would commit past the slow
    one, and a stop would lose it."""
    stream = StreamOfOne(events(["slow-host", "b", "c"]))
    handled: list[str] = []
    release = asyncio.Event()

    async def handle(event: Any) -> None:
        if event.name == "slow-host":
            await release.wait()
        handled.append(event.name)

    consuming = asyncio.create_task(runtime.consume_concurrently(stream, 8, handle))
    await until(lambda: handled == ["b", "c"])
    assert handled == ["b", "c"]
    assert stream.acked == []  # b and c are done, but the partition's first message is not
    release.set()
    await until(lambda: len(stream.acked) == 3)
    assert stream.acked == ["slow-host", "b", "c"]
    consuming.cancel()
    with pytest.raises(asyncio.CancelledError):
        await consuming


async def test_each_partition_acknowledges_in_its_own_order(runtime: ServiceRuntime) -> None:
    first, second = events(["slow", "a1"], "urls-0"), events(["b0", "b1"], "urls-1")
    stream = StreamOfOne([first[0], second[0], first[1], second[1]])
    release = asyncio.Event()

    async def handle(event: Any) -> None:
        if event.name == "slow":
            await release.wait()

    consuming = asyncio.create_task(runtime.consume_concurrently(stream, 8, handle))
    await until(lambda: stream.acked == ["b0", "b1"])
    assert stream.acked == ["b0", "b1"]  # the other partition is not held back by "slow"
    release.set()
    await until(lambda: len(stream.acked) == 4)
    assert stream.acked == ["b0", "b1", "slow", "a1"]
    consuming.cancel()
    with pytest.raises(asyncio.CancelledError):
        await consuming


async def test_at_most_limit_messages_are_in_hand_and_a_stop_leaves_them_unacknowledged(
    runtime: ServiceRuntime,
) -> None:
    stream = StreamOfOne(events([f"m{i}" for i in range(10)]))
    started: list[str] = []

    async def handle(event: Any) -> None:
        started.append(event.name)
        await asyncio.Event().wait()  # every host is waiting

    consuming = asyncio.create_task(runtime.consume_concurrently(stream, 3, handle))
    await asyncio.sleep(0.1)
    assert started == ["m0", "m1", "m2"]  # the read-ahead bound: nothing more is taken from the stream
    consuming.cancel()
    with pytest.raises(asyncio.CancelledError):
        await consuming
    assert stream.acked == []  # the next owner of the partition reads them again


async def test_a_stop_leaves_handled_messages_behind_an_unhandled_one_unacknowledged(runtime: ServiceRuntime) -> None:
    stream = StreamOfOne(events(["stuck", "done"]))
    handled: list[str] = []

    async def handle(event: Any) -> None:
        if event.name == "stuck":
            await asyncio.Event().wait()
        handled.append(event.name)

    consuming = asyncio.create_task(runtime.consume_concurrently(stream, 4, handle))
    await until(lambda: handled == ["done"])
    consuming.cancel()
    with pytest.raises(asyncio.CancelledError):
        await consuming
    assert handled == ["done"] and stream.acked == []  # the next owner starts at "stuck"


async def test_a_failed_message_is_retried_alone_and_acknowledged_once_it_succeeds(
    runtime: ServiceRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = StreamOfOne(events(["flaky", "fine"]))
    attempts: list[str] = []

    async def handle(event: Any) -> None:
        attempts.append(event.name)
        if event.name == "flaky" and attempts.count("flaky") == 1:
            raise ConnectionError("broker unreachable")

    real_sleep = asyncio.sleep
    monkeypatch.setattr("newswire.common.runtime.asyncio.sleep", lambda _s: real_sleep(0))
    consuming = asyncio.create_task(runtime.consume_concurrently(stream, 4, handle))
    await real_sleep(0.05)
    assert stream.acked == ["flaky", "fine"]
    assert attempts.count("flaky") == 2 and attempts.count("fine") == 1
    consuming.cancel()
    with pytest.raises(asyncio.CancelledError):
        await consuming
