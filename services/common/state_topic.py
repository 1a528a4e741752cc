"""Reading a compacted state topic whole, then following it: what the fetcher's feed state, the cleaner's
fingerprints and the correlator's incidents each do with their topic.

Every instance reads the topic without a consumer group: from the beginning at start-up (`loaded` is set
once it reached the end offsets it saw then), and then each record as it is written, its own included.
`catch_up` waits until every record written before the call has been applied, which is what a new owner
of some work needs before acting on the state another instance left.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

log = logging.getLogger(__name__)

RETRY_DELAY_S = 2.0

Records = Iterable[ConsumerRecord[bytes, bytes]]


class TopicFollower:
    def __init__(
        self,
        consumer: AIOKafkaConsumer,
        topic: str,
        apply: Callable[[Records], None],
        *,
        partitions: Callable[[], Awaitable[list[TopicPartition]]],
        on_loaded: Callable[[float], None] = lambda elapsed_s: None,
        max_records: int = 2000,
    ) -> None:
        """`partitions` says which partitions to read (the topic's, once its metadata is known; raising
        until then); `on_loaded` runs once, with the seconds the initial read took."""
        self.consumer = consumer
        self.topic = topic
        self.apply = apply
        self.partitions_of = partitions
        self.on_loaded = on_loaded
        self.max_records = max_records
        self.loaded = asyncio.Event()
        self.assigned = asyncio.Event()
        self._fetched = asyncio.Event()  # set after every fetch, empty ones included
        self._partitions: list[TopicPartition] = []
        self._task: asyncio.Task[None] | None = None

    def start(self, name: str) -> None:
        self._task = asyncio.create_task(self._follow(), name=name)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("following %s failed", self.topic)
        self._task = None

    async def catch_up(self) -> None:
        """Until every record written before this call has been applied."""
        await self.assigned.wait()
        ends: dict[TopicPartition, int] = await self.consumer.end_offsets(self._partitions)
        while [tp for tp, end in ends.items() if await self.consumer.position(tp) < end]:
            self._fetched.clear()
            await self._fetched.wait()

    async def _assign(self) -> dict[TopicPartition, int]:
        while True:
            try:
                partitions = await self.partitions_of()
                if not self.consumer.subscription():  # a subscribed reader without a group has them all
                    self.consumer.assign(partitions)
                await self.consumer.seek_to_beginning(*partitions)
                ends: dict[TopicPartition, int] = await self.consumer.end_offsets(partitions)
                self._partitions = partitions
                self.assigned.set()
                return ends
            except asyncio.CancelledError:
                raise
            except Exception:  # stays unloaded (and its users wait) until the broker answers
                log.exception("cannot start reading %s; retrying", self.topic)
                await asyncio.sleep(RETRY_DELAY_S)

    async def _follow(self) -> None:
        started = time.monotonic()
        remaining = {tp: end for tp, end in (await self._assign()).items() if end > 0}
        if not remaining:
            self._finish_load(started)
        while True:
            try:
                batches = await self.consumer.getmany(timeout_ms=500, max_records=self.max_records)
            except asyncio.CancelledError:
                raise
            except Exception:  # the broker going away must not end the following for good
                log.exception("reading %s failed; retrying", self.topic)
                await asyncio.sleep(RETRY_DELAY_S)
                continue
            for records in batches.values():
                self.apply(records)
            self._fetched.set()
            if not self.loaded.is_set():
                for tp in list(remaining):
                    if await self.consumer.position(tp) >= remaining[tp]:
                        del remaining[tp]
                if not remaining:
                    self._finish_load(started)

    def _finish_load(self, started: float) -> None:
        self.on_loaded(time.monotonic() - started)
        self.loaded.set()
