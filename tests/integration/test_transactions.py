"""Per-partition transactions on the real broker: outputs and the input offset land together or not at all,
a crashed owner's open transaction is aborted by the next owner, and a fenced owner learns it lost the
partition. Kafka 4's transactions are not covered by aiokafka's own suite, so these pin what we rely on."""

from __future__ import annotations

import asyncio
import io
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition

from newswire.cli.tail import follow
from newswire.common.transactions import Partition, PartitionFenced, PartitionTransactions, Record
from tests.integration.conftest import CreateTopics


async def read_committed(bootstrap: str, topic: str, timeout_s: float = 5.0) -> list[bytes]:
    """Every committed value of `topic` up to its last stable offset."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        isolation_level="read_committed",
    )
    await consumer.start()
    values: list[bytes] = []
    try:
        tp = TopicPartition(topic, 0)
        end = (await consumer.end_offsets([tp]))[tp]
        deadline = asyncio.get_running_loop().time() + timeout_s
        while await consumer.position(tp) < end and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                values.extend(record.value for record in records if record.value is not None)
    finally:
        await consumer.stop()
    return values


async def committed_offset(bootstrap: str, group: str, tp: TopicPartition) -> int | None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    meta = offsets.get(tp)
    return meta.offset if meta is not None else None


def record(topic: str, value: str) -> Record:
    return Record(topic, value.encode(), value.encode(), (("trace_id", b"t"),))


@pytest.fixture
def names() -> tuple[str, str, str]:
    run = uuid.uuid4().hex[:8]
    return f"tx-{run}-in", f"tx-{run}-out", f"tx-{run}-group"


async def test_outputs_and_offset_commit_together(
    kafka_bootstrap: str, create_topics: CreateTopics, names: tuple[str, str, str]
) -> None:
    source, sink, group = names
    await create_topics(kafka_bootstrap, [source, sink])
    transactions = PartitionTransactions(bootstrap=kafka_bootstrap, group_id=group, timeout_s=20)
    try:
        await transactions.commit(Partition(source, 0), [record(sink, "a"), record(sink, "b")], next_offset=7)
    finally:
        await transactions.close()
    assert await read_committed(kafka_bootstrap, sink) == [b"a", b"b"]
    assert await committed_offset(kafka_bootstrap, group, TopicPartition(source, 0)) == 7


async def test_the_next_owner_aborts_what_a_crashed_owner_left_open(
    kafka_bootstrap: str, create_topics: CreateTopics, names: tuple[str, str, str]
) -> None:
    source, sink, group = names
    await create_topics(kafka_bootstrap, [source, sink])
    transactions = PartitionTransactions(bootstrap=kafka_bootstrap, group_id=group, timeout_s=20)
    crashed = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, transactional_id=transactions.transactional_id(Partition(source, 0))
    )
    await crashed.start()
    try:
        await crashed.begin_transaction()
        await (await crashed.send(sink, b"half-done"))  # written, never committed: the owner "dies" here
        await transactions.commit(Partition(source, 0), [record(sink, "redone")], next_offset=1)
    finally:
        await transactions.close()
        await crashed.stop()
    assert await read_committed(kafka_bootstrap, sink) == [b"redone"]
    assert await committed_offset(kafka_bootstrap, group, TopicPartition(source, 0)) == 1


async def test_a_fenced_owner_is_told_and_its_batch_never_lands(
    kafka_bootstrap: str, create_topics: CreateTopics, names: tuple[str, str, str]
) -> None:
    source, sink, group = names
    await create_topics(kafka_bootstrap, [source, sink])
    old = PartitionTransactions(bootstrap=kafka_bootstrap, group_id=group, timeout_s=10)
    new = PartitionTransactions(bootstrap=kafka_bootstrap, group_id=group, timeout_s=20)
    partition = Partition(source, 0)
    try:
        await old.commit(partition, [record(sink, "first")], next_offset=1)
        await new.commit(partition, [record(sink, "second")], next_offset=2)  # the partition changed hands
        with pytest.raises(PartitionFenced):
            await old.commit(partition, [record(sink, "zombie")], next_offset=3)
        await new.commit(partition, [record(sink, "third")], next_offset=3)  # the owner is not disturbed
    finally:
        await old.close()
        await new.close()
    assert await read_committed(kafka_bootstrap, sink) == [b"first", b"second", b"third"]
    assert await committed_offset(kafka_bootstrap, group, TopicPartition(source, 0)) == 3


async def test_newswire_tail_prints_only_what_was_committed(
    kafka_bootstrap: str, create_topics: CreateTopics, names: tuple[str, str, str]
) -> None:
    """A subscriber of the stream (`newswire tail`) never sees a batch that was aborted or is still open;
    `--read-uncommitted` shows them, for debugging."""
    source, sink, group = names
    await create_topics(kafka_bootstrap, [source, sink])
    writer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, transactional_id=f"{group}-writer")
    await writer.start()
    try:
        await writer.begin_transaction()
        await (await writer.send(sink, b"aborted"))
        await writer.abort_transaction()
        async with writer.transaction():
            await writer.send(sink, b"committed")
        await writer.begin_transaction()
        await (await writer.send(sink, b"still open"))

        async def printed(read_committed: bool) -> list[str]:
            out = io.StringIO()
            await follow(
                kafka_bootstrap,
                sink,
                from_beginning=True,
                max_messages=None,
                should_stop=lambda: False,
                out=out,
                idle_timeout=3.0,
                read_committed=read_committed,
            )
            return out.getvalue().splitlines()

        assert await printed(read_committed=True) == ["committed"]
        assert await printed(read_committed=False) == ["aborted", "committed", "still open"]
    finally:
        await writer.abort_transaction()
        await writer.stop()
