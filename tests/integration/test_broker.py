"""The local Kafka 4.x broker works with the clients the services use (aiokafka, Faust)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import faust
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from faust.types import StreamT

from newswire.devtools.broker import BrokerError, LocalBroker, read_status, start_detached, stop_detached

CreateTopics = Callable[..., Awaitable[None]]


async def test_topics_are_created_explicitly_not_on_first_use(
    kafka_bootstrap: str, create_topics: CreateTopics, topic_name: str
) -> None:
    await create_topics(kafka_bootstrap, [topic_name], partitions=3)
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic_name])
        assert len(described["partitions"]) == 3
        # auto.create.topics.enable=false: asking for an unknown topic must not create it.
        await admin.describe_topics([f"{topic_name}-never-created"])
        assert f"{topic_name}-never-created" not in await admin.list_topics()
    finally:
        await admin.close()


async def test_produce_and_consume_round_trip(
    kafka_bootstrap: str, create_topics: CreateTopics, topic_name: str
) -> None:
    await create_topics(kafka_bootstrap, [topic_name])
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", compression_type="gzip")
    await producer.start()
    try:
        sent = [await producer.send_and_wait(topic_name, f"body-{i}".encode(), key=b"k") for i in range(3)]
    finally:
        await producer.stop()
    assert [meta.offset for meta in sent] == [0, 1, 2]

    consumer = AIOKafkaConsumer(
        topic_name,
        bootstrap_servers=kafka_bootstrap,
        group_id=f"{topic_name}-group",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        received: list[bytes] = []
        async with asyncio.timeout(20):
            while len(received) < 3:
                batch = await consumer.getmany(timeout_ms=500)
                received += [record.value for records in batch.values() for record in records if record.value]
        await consumer.commit()
    finally:
        await consumer.stop()
    assert received == [b"body-0", b"body-1", b"body-2"]


async def test_faust_agent_consumes_from_the_broker(
    kafka_bootstrap: str, create_topics: CreateTopics, topic_name: str, tmp_path: Path
) -> None:
    await create_topics(kafka_bootstrap, [topic_name])
    app = faust.App(
        f"{topic_name}-app",
        broker=f"kafka://{kafka_bootstrap}",
        datadir=str(tmp_path / "faust"),
        web_enabled=False,
        topic_partitions=1,
        topic_replication_factor=1,
        store="memory://",
    )
    topic = app.topic(topic_name, value_serializer="raw")
    seen: asyncio.Queue[bytes] = asyncio.Queue()

    @app.agent(topic)
    async def collect(stream: StreamT[bytes]) -> None:
        async for value in stream:
            await seen.put(value)

    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic_name, b"hello faust")
    finally:
        await producer.stop()

    await app.start()
    try:
        async with asyncio.timeout(30):
            assert await seen.get() == b"hello faust"
    finally:
        await app.stop()


def test_status_reports_stopped_after_stop_and_detached_broker_is_found_again(tmp_path: Path) -> None:
    data_dir = tmp_path / "kafka"
    bootstrap = start_detached(data_dir)
    try:
        status = read_status(data_dir)
        assert status["running"]
        assert status["bootstrap"] == bootstrap
        assert start_detached(data_dir) == bootstrap  # idempotent: finds the running one
        with pytest.raises(BrokerError, match="already runs"):
            LocalBroker(data_dir).start()
    finally:
        stopped = stop_detached(data_dir)
    assert stopped
    assert read_status(data_dir) == {
        "running": False,
        "pid": None,
        "bootstrap": None,
        "data_dir": str(data_dir.resolve()),
    }
    assert not stop_detached(data_dir)


def test_restart_keeps_the_bootstrap_address_and_the_data(tmp_path: Path, create_topics: CreateTopics) -> None:
    broker = LocalBroker(tmp_path / "kafka")
    with broker:
        first = broker.bootstrap
        asyncio.run(_produce_one(first, "kept", create_topics))
    assert not broker.status()["running"]
    with broker:
        assert broker.bootstrap == first
        assert asyncio.run(_read_all(first, "kept")) == [b"survives a restart"]


async def _produce_one(bootstrap: str, topic: str, create_topics: CreateTopics) -> None:
    await create_topics(bootstrap, [topic])
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"survives a restart")
    finally:
        await producer.stop()


async def _read_all(bootstrap: str, topic: str) -> list[bytes]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    try:
        async with asyncio.timeout(15):
            while not (batch := await consumer.getmany(timeout_ms=500)):
                pass
        return [record.value for records in batch.values() for record in records if record.value]
    finally:
        await consumer.stop()


def test_a_broker_that_cannot_start_raises_with_the_jvm_output(tmp_path: Path) -> None:
    broker = LocalBroker(tmp_path / "kafka", jvm_options=["-Xmx1m"])
    with pytest.raises(BrokerError, match="heap"):
        broker.start(timeout=20)
    assert not broker.status()["running"]
