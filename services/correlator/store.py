"""Incidents kept in the compacted `incidents` topic: the correlator's state and its output at once.

Every instance reads the whole topic (no consumer group): in full at start-up, then by tailing it. An
instance owns the countries whose partitions of the blocks topic it is assigned (handlers.py), so it
writes only their incidents; it still holds the others', which makes a hand-over of a country cheap and
lets any instance's map show every incident. What is read is folded into the matching index and passed
to the map's listeners, own writes included (they come back with their offsets, which is what a
listener that reconnects resumes from).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from pydantic import ValidationError

from ..common.models import Incident
from .clustering import IncidentIndex

log = logging.getLogger(__name__)

LOADING_REASON = "incidents loading"
_RETRY_DELAY_S = 2.0
_LISTENER_BACKLOG = 1000


class IncidentStore:
    def __init__(self, index: IncidentIndex, bootstrap: str, topic: str, *, recent: int, client_id: str) -> None:
        self.index = index
        self.bootstrap = bootstrap
        self.topic = topic
        self.client_id = client_id
        self.recent_limit = recent
        self.loaded_records = 0
        self.skipped_records = 0
        self._recent: OrderedDict[str, Incident] = OrderedDict()
        self._listeners: set[asyncio.Queue[Incident | None]] = set()
        self._loaded = asyncio.Event()
        self._fetched = asyncio.Event()  # set after every fetch from the topic, empty ones included
        self._partitions: list[TopicPartition] = []
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def loaded(self) -> bool:
        return self._loaded.is_set()

    async def start(self) -> None:
        self._consumer = AIOKafkaConsumer(
            self.topic,
            bootstrap_servers=self.bootstrap,
            client_id=f"{self.client_id}-reader",
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await self._consumer.start()
        self._task = asyncio.create_task(self._follow(), name="incidents-follow")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            except Exception:
                log.exception("incident store: reader failed")
            self._task = None
        for queue in list(self._listeners):
            queue.put_nowait(None)
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None

    async def readiness(self) -> str | None:
        return None if self.loaded else LOADING_REASON

    async def wait_loaded(self) -> None:
        await self._loaded.wait()

    async def catch_up(self) -> None:
        """Until every incident written before this call has been read: a country whose block moved here
        from another instance is matched against that instance's last writes, not against older ones (it
        acknowledged its input only after they were written, so they are in the log by now)."""
        await self.wait_loaded()
        consumer = self._consumer
        assert consumer is not None
        ends: dict[TopicPartition, int] = await consumer.end_offsets(self._partitions)
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            self._fetched.clear()
            await self._fetched.wait()

    # -- the map's side -------------------------------------------------------------------------------
    def recent(self) -> list[Incident]:
        """The latest incidents, the most recently seen first."""
        return sorted(self._recent.values(), key=lambda incident: incident.last_seen, reverse=True)

    def listen(self) -> asyncio.Queue[Incident | None]:
        """A queue of incidents as they are written; None means the listener was dropped (too slow or
        the store stopped) and should reconnect."""
        queue: asyncio.Queue[Incident | None] = asyncio.Queue(maxsize=_LISTENER_BACKLOG)
        self._listeners.add(queue)
        return queue

    def unlisten(self, queue: asyncio.Queue[Incident | None]) -> None:
        self._listeners.discard(queue)

    # -- reading the topic ----------------------------------------------------------------------------
    def apply(self, records: Iterable[ConsumerRecord[bytes, bytes]]) -> None:
        for record in records:
            if record.key is None:
                continue
            if record.value is None:
                incident_id = record.key.decode("utf-8", "replace")
                self.index.forget(incident_id)
                self._recent.pop(incident_id, None)
                continue
            try:
                incident = Incident.model_validate_json(record.value)
            except ValidationError as exc:
                self.skipped_records += 1
                log.warning("incident store: record at %s:%s skipped: %s", record.partition, record.offset, exc)
                continue
            self.loaded_records += 1
            self.index.restore(incident)
            if self._remember(incident) and self.loaded:
                self._notify(incident)

    def _remember(self, incident: Incident) -> bool:
        """Keep the incident among the recent ones; False when a later revision is already held (an own
        write coming back after newer ones)."""
        held = self._recent.pop(incident.incident_id, None)
        if held is not None and held.revision > incident.revision:
            self._recent[incident.incident_id] = held
            return False
        self._recent[incident.incident_id] = incident
        while len(self._recent) > self.recent_limit:
            self._recent.popitem(last=False)
        return True

    def _notify(self, incident: Incident) -> None:
        for queue in list(self._listeners):
            try:
                queue.put_nowait(incident)
            except asyncio.QueueFull:  # a stalled browser: drop it, its EventSource reconnects
                self._listeners.discard(queue)
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(None)

    async def _follow(self) -> None:
        consumer = self._consumer
        assert consumer is not None
        started = time.monotonic()
        while True:
            try:
                # Without a group, the subscribed reader is assigned every partition once it has metadata.
                partitions = sorted(consumer.assignment())
                if not partitions:
                    await asyncio.sleep(0.2)
                    continue
                await consumer.seek_to_beginning(*partitions)
                end_offsets: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
                self._partitions = partitions
                break
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("incident store: cannot start reading %s; retrying", self.topic)
                await asyncio.sleep(_RETRY_DELAY_S)
        remaining = {tp: end for tp, end in end_offsets.items() if end > 0}
        if not remaining:
            self._finish_load(time.monotonic() - started)
        while True:
            try:
                batches = await consumer.getmany(timeout_ms=500, max_records=2000)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("incident store: reading %s failed; retrying", self.topic)
                await asyncio.sleep(_RETRY_DELAY_S)
                continue
            for records in batches.values():
                self.apply(records)
            self._fetched.set()
            if not self.loaded:
                for tp in list(remaining):
                    if await consumer.position(tp) >= remaining[tp]:
                        del remaining[tp]
                if not remaining:
                    self._finish_load(time.monotonic() - started)

    def _finish_load(self, elapsed_s: float) -> None:
        expired = self.index.expire()
        self._loaded.set()
        log.info(
            "incidents loaded from %s: %d records, %d open incidents (%d closed) in %.2fs",
            self.topic,
            self.loaded_records,
            len(self.index),
            len(expired),
            elapsed_s,
        )
