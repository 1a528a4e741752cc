"""Exactly-once batches without a broker: each input partition's outputs, dead letters and offset go to one
commit; a commit that fails hands only the uncommitted partitions back to the handler; a partition fenced by
its new owner is left to that owner, unacknowledged; and the real broker's side is in
tests/integration/test_transactions.py."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from newswire.common.runtime import ServiceRuntime
from newswire.common.settings import ServiceSettings
from newswire.common.transactions import (
    Partition,
    PartitionFenced,
    ReadCommittedConsumer,
    Record,
    TransactionalStageConsumer,
)
from newswire.errors import Unprocessable
from tests.support.runtime import RecordingRuntime


@dataclass(frozen=True)
class Message:
    topic: str
    partition: int
    offset: int
    headers: tuple[tuple[str, bytes], ...] = ()

    @property
    def tp(self) -> tuple[str, int]:
        return (self.topic, self.partition)


@dataclass(frozen=True)
class Event:
    value: bytes
    message: Message
    key: bytes = b"k"


def batch(*spec: tuple[int, int]) -> list[Event]:
    """Events of topic `in` at (partition, offset)."""
    return [Event(f"p{p}o{o}".encode(), Message("in", p, o)) for p, o in spec]


class Stream:
    def __init__(self, batches: list[list[Event]]) -> None:
        self.batches = batches
        self.acked: list[bytes] = []

    async def noack_take(self, size: int, within: float) -> AsyncIterator[list[Event]]:
        for events in self.batches:
            yield events

    async def ack(self, event: Event) -> bool:
        self.acked.append(event.value)
        return True


@dataclass
class FakeTransactions:
    """Records each commit; `fail` maps a partition to the exceptions its next commits raise."""

    commits: list[tuple[Partition, list[str], int]] = field(default_factory=list)
    fail: dict[Partition, list[BaseException]] = field(default_factory=dict)
    kept: list[set[Partition]] = field(default_factory=list)

    async def commit(self, partition: Partition, records: Sequence[Record], next_offset: int) -> None:
        if self.fail.get(partition):
            raise self.fail[partition].pop(0)
        self.commits.append((partition, [f"{r.topic}:{r.key.decode()}" for r in records], next_offset))

    async def keep_only(self, partitions: set[Partition]) -> None:
        self.kept.append(set(partitions))


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RecordingRuntime:
    runtime = RecordingRuntime(tmp_path, exactly_once=True)
    runtime.transactions = FakeTransactions()  # type: ignore[assignment]
    monkeypatch.setattr(runtime, "_owned_partitions", lambda: {Partition("in", 0), Partition("in", 1)})

    async def no_wait(delay: float) -> None:
        return None

    monkeypatch.setattr("newswire.common.runtime.asyncio.sleep", no_wait)
    return runtime


def echo(runtime: RecordingRuntime, handled: list[list[bytes]]) -> Any:
    """A handler that publishes one output per message, and dead-letters the message called p1o4."""
    out = runtime.topic("out")

    async def handle(events: list[Any]) -> list[BaseException | None]:
        handled.append([event.value for event in events])
        results: list[BaseException | None] = []
        for event in events:
            if event.value == b"p1o4":
                results.append(Unprocessable("decode", ValueError("not JSON")))
                continue
            await runtime.publish(out, event.value.decode(), Output(), source=event)
            results.append(None)
        return results

    return handle


class Output(BaseModel):
    schema_version: int = 1


async def test_each_partition_commits_its_outputs_dead_letters_and_offset_together(runtime: RecordingRuntime) -> None:
    stream = Stream([batch((0, 3), (1, 4), (0, 5), (1, 6))])
    handled: list[list[bytes]] = []
    await runtime.consume_batches(stream, 4, 0.1, echo(runtime, handled))
    dlq = runtime.dlq_name
    assert runtime.transactions.commits == [  # type: ignore[union-attr]
        (Partition("in", 0), ["out:p0o3", "out:p0o5"], 6),
        (Partition("in", 1), ["out:p1o6", f"{dlq}:k"], 7),  # dead letters are settled after the handler
    ]
    assert runtime.sent == []  # nothing went out beside the transactions
    assert stream.acked == [b"p0o3", b"p0o5", b"p1o4", b"p1o6"]


async def test_a_failed_commit_retries_only_the_partitions_not_yet_committed(runtime: RecordingRuntime) -> None:
    transactions: FakeTransactions = runtime.transactions  # type: ignore[assignment]
    transactions.fail[Partition("in", 1)] = [ConnectionError("broker unreachable")]
    stream = Stream([batch((0, 0), (1, 0))])
    handled: list[list[bytes]] = []
    await runtime.consume_batches(stream, 2, 0.1, echo(runtime, handled))
    assert handled == [[b"p0o0", b"p1o0"], [b"p1o0"]]
    assert [(p.partition, records, offset) for p, records, offset in transactions.commits] == [
        (0, ["out:p0o0"], 1),
        (1, ["out:p1o0"], 1),
    ]
    assert stream.acked == [b"p0o0", b"p1o0"]


async def test_a_partition_fenced_by_its_new_owner_is_left_to_it(
    runtime: RecordingRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    transactions: FakeTransactions = runtime.transactions  # type: ignore[assignment]
    owned = [{Partition("in", 0), Partition("in", 1)}, {Partition("in", 0)}]

    async def fenced_and_revoked(partition: Partition, records: Sequence[Record], next_offset: int) -> None:
        owned.pop(0)  # the rebalance that gave partition 1 away lands during the commit
        raise PartitionFenced("opened by another producer")

    transactions.fail[Partition("in", 1)] = []
    monkeypatch.setattr(runtime, "_owned_partitions", lambda: owned[0])
    real_commit = transactions.commit

    async def commit(partition: Partition, records: Sequence[Record], next_offset: int) -> None:
        if partition == Partition("in", 1):
            await fenced_and_revoked(partition, records, next_offset)
        await real_commit(partition, records, next_offset)

    monkeypatch.setattr(transactions, "commit", commit)
    stream = Stream([batch((0, 0), (1, 0)), batch((0, 1))])
    handled: list[list[bytes]] = []
    await runtime.consume_batches(stream, 2, 0.1, echo(runtime, handled))
    assert handled == [[b"p0o0", b"p1o0"], [b"p0o1"]]  # not retried: the new owner codes p1o0
    assert stream.acked == [b"p0o0", b"p0o1"]
    assert transactions.kept[-1] == {Partition("in", 0)}  # the lost partition's producer is closed


async def test_a_fenced_partition_still_owned_is_retried_with_a_fresh_producer(
    runtime: RecordingRuntime,
) -> None:
    transactions: FakeTransactions = runtime.transactions  # type: ignore[assignment]
    transactions.fail[Partition("in", 0)] = [PartitionFenced("a stale producer of our own")]
    stream = Stream([batch((0, 0))])
    handled: list[list[bytes]] = []
    await runtime.consume_batches(stream, 1, 0.1, echo(runtime, handled))
    assert handled == [[b"p0o0"], [b"p0o0"]]
    assert transactions.commits == [(Partition("in", 0), ["out:p0o0"], 1)]
    assert stream.acked == [b"p0o0"]


async def test_a_partition_revoked_before_its_commit_is_neither_committed_nor_acknowledged(
    runtime: RecordingRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime, "_owned_partitions", lambda: {Partition("in", 1)})
    stream = Stream([batch((0, 0), (1, 0))])
    await runtime.consume_batches(stream, 2, 0.1, echo(runtime, []))
    transactions: FakeTransactions = runtime.transactions  # type: ignore[assignment]
    assert [p for p, _, _ in transactions.commits] == [Partition("in", 1)]
    assert stream.acked == [b"p1o0"]


def test_only_a_transactional_stage_leaves_offsets_to_its_transactions(tmp_path: Path) -> None:
    """Faust's own commits could move the group back behind a newer transaction; a service that is not a
    transactional stage (the fetcher) still needs them, and still reads only committed records."""
    stage = RecordingRuntime(tmp_path / "stage", exactly_once=True)
    plain = ServiceRuntime(
        "fetcher", ServiceSettings(kafka={"bootstrap_servers": "127.0.0.1:9"}, data_dir=tmp_path), 6199
    )
    assert stage.app.transport.Consumer is TransactionalStageConsumer
    assert plain.app.transport.Consumer is ReadCommittedConsumer
    assert plain.transactions is None and stage.transactions is not None
