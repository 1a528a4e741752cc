"""Exactly-once stages: a batch's outputs and its input offsets committed in one Kafka transaction.

Faust's own `processing_guarantee="exactly_once"` does not cover a stage whose outputs go to topics it does
not consume, which is every newswire stage (`benchmarks/faust_exactly_once.py`). So each input partition
gets a transactional producer of its own, named after the group, topic and partition (Kafka's original
design, KIP-98): whoever owns the partition next opens the same transactional id, which fences the last
owner's producer and aborts its open transaction, so a batch is committed by one owner or by none.

aiokafka's consumer offers no `require_stable` offset fetch (KIP-447), so a new owner that reads the
committed offset while the last owner's transaction is still committing can code that batch again; that
takes a rebalance during a live commit (a crash aborts the transaction instead), and the chaos harness
counts what reaches a `read_committed` consumer twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from time import monotonic
from typing import Any, NamedTuple

import faust.transport.drivers.aiokafka as faust_aiokafka
from aiokafka import AIOKafkaProducer
from aiokafka.errors import InvalidProducerEpoch, ProducerFenced, TransactionCoordinatorFenced
from aiokafka.structs import TopicPartition
from faust.types import TP

from ..errors import RetryableError

log = logging.getLogger(__name__)

FENCED = (ProducerFenced, InvalidProducerEpoch, TransactionCoordinatorFenced)


class Partition(NamedTuple):
    topic: str
    partition: int


@dataclass(frozen=True)
class Record:
    """An output held back until its input partition's transaction commits."""

    topic: str
    key: bytes
    value: bytes
    headers: tuple[tuple[str, bytes], ...]


class PartitionFenced(RetryableError):
    """Another producer opened this partition's transactional id. Retryable only while the consumer still owns
    the partition (a fresh producer then fences the stale one); otherwise what this instance coded from it is
    the new owner's to code again."""


ProducerFactory = Callable[..., AIOKafkaProducer]


class PartitionTransactions:
    """One transactional producer per input partition, started on the partition's first commit."""

    def __init__(
        self,
        *,
        bootstrap: str,
        group_id: str,
        timeout_s: float,
        compression: str | None = None,
        max_request_bytes: int = 1024 * 1024,
        producer_factory: ProducerFactory = AIOKafkaProducer,
    ) -> None:
        self.bootstrap = bootstrap
        self.group_id = group_id
        self.timeout_s = timeout_s
        self._compression = compression
        self._max_request_bytes = max_request_bytes
        self._producer_factory = producer_factory
        self._producers: dict[Partition, AIOKafkaProducer] = {}

    def transactional_id(self, partition: Partition) -> str:
        return f"{self.group_id}-{partition.topic}-{partition.partition}"

    async def commit(self, partition: Partition, records: Sequence[Record], next_offset: int) -> None:
        """Send `records` and commit the group's offset of `partition` as `next_offset`, all or nothing.

        A producer that failed is discarded either way: the next try opens a fresh one under the same id,
        which aborts whatever this one left open. Raises `PartitionFenced` when another owner took over."""
        try:
            producer = await asyncio.wait_for(self._producer(partition), self.timeout_s)
            await asyncio.wait_for(self._commit(producer, partition, records, next_offset), self.timeout_s)
        except FENCED as exc:
            await self.discard(partition)
            raise PartitionFenced(f"{self.transactional_id(partition)} was opened by another producer") from exc
        except BaseException:
            await self.discard(partition)
            raise

    async def _commit(
        self, producer: AIOKafkaProducer, partition: Partition, records: Sequence[Record], next_offset: int
    ) -> None:
        async with producer.transaction():
            sent = [
                await producer.send(record.topic, key=record.key, value=record.value, headers=list(record.headers))
                for record in records
            ]
            await asyncio.gather(*sent)
            offsets = {TopicPartition(partition.topic, partition.partition): next_offset}
            await producer.send_offsets_to_transaction(offsets, self.group_id)

    async def _producer(self, partition: Partition) -> AIOKafkaProducer:
        producer = self._producers.get(partition)
        if producer is None:
            producer = self._producer_factory(
                bootstrap_servers=self.bootstrap,
                client_id=self.transactional_id(partition),
                transactional_id=self.transactional_id(partition),
                transaction_timeout_ms=round(self.timeout_s * 1000),
                enable_idempotence=True,
                acks="all",
                compression_type=self._compression,
                max_request_size=self._max_request_bytes,
            )
            try:
                await producer.start()  # fences the partition's last owner and aborts its open transaction
            except BaseException:
                await _stop_quietly(producer, self.timeout_s)
                raise
            self._producers[partition] = producer
        return producer

    async def discard(self, partition: Partition) -> None:
        producer = self._producers.pop(partition, None)
        if producer is not None:
            await _stop_quietly(producer, self.timeout_s)

    async def keep_only(self, partitions: Collection[Partition]) -> None:
        """Close the producers of partitions this instance no longer owns."""
        for partition in [p for p in self._producers if p not in partitions]:
            await self.discard(partition)

    async def close(self) -> None:
        await self.keep_only(())


async def _stop_quietly(producer: AIOKafkaProducer, timeout_s: float) -> None:
    try:
        await asyncio.wait_for(producer.stop(), timeout_s)
    except Exception as exc:  # a fenced or unreachable producer has nothing left worth reporting
        log.debug("transactional producer did not stop cleanly: %s", exc)


class _ReadCommittedConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        # Faust reads committed records only under its own exactly-once, which does not fit our stages.
        consumer._isolation_level = "read_committed"
        return consumer


class _TransactionalStageConsumerThread(_ReadCommittedConsumerThread):
    async def _commit(self, offsets: Mapping[TP, int]) -> bool:
        # The stage's transactions commit every offset it acknowledges. A commit of Faust's own could only
        # repeat one, or, sent late, move the group back behind a newer transaction's (the chaos harness
        # saw 51 events coded twice so, after a kill -9).
        now = monotonic()
        self.tp_last_committed_at.update({tp: now for tp in offsets if tp in self.assignment()})
        return True


class ReadCommittedConsumer(faust_aiokafka.Consumer):
    """Faust's Kafka consumer, reading only committed records: an aborted batch of the stage before never
    reaches this one."""

    def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
        return _ReadCommittedConsumerThread(self, loop=self.loop, beacon=self.beacon)


class TransactionalStageConsumer(faust_aiokafka.Consumer):
    """A `ReadCommittedConsumer` that leaves committing offsets to the stage's transactions."""

    def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
        return _TransactionalStageConsumerThread(self, loop=self.loop, beacon=self.beacon)
