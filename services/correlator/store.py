"""Incidents kept in the compacted `incidents` topic: the correlator's state and its output at once.

Every instance reads the whole topic (no consumer group): in full at start-up, then by tailing it. An
instance owns the countries whose partitions of the blocks topic it is assigned (handlers.py), so it
writes only their incidents; it still holds the others', which makes a hand-over of a country cheap and
lets any instance's map show every incident. What is read is folded into the matching index and passed
to the map's listeners, own writes included; a listener dropped for falling behind reconnects and
starts again from `recent()`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from pydantic import ValidationError

from ..common.models import Incident
from ..common.state_topic import TopicFollower
from .clustering import IncidentIndex

log = logging.getLogger(__name__)

LOADING_REASON = "incidents loading"
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
        self._consumer: AIOKafkaConsumer | None = None
        self._follower: TopicFollower | None = None

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
            isolation_level="read_committed",  # an aborted batch's incident states are not state
        )
        await self._consumer.start()
        self._follower = TopicFollower(
            self._consumer, self.topic, self.apply, partitions=self._partitions, on_loaded=self._finish_load
        )
        self._follower.start("incidents-follow")

    async def stop(self) -> None:
        if self._follower is not None:
            await self._follower.stop()
            self._follower = None
        for queue in list(self._listeners):
            self._drop(queue)
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
        assert self._follower is not None
        await self._follower.catch_up()

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
                self._drop(queue)

    def _drop(self, queue: asyncio.Queue[Incident | None]) -> None:
        """End a listener's stream: what it has not read yet is discarded, then None tells it to go."""
        self._listeners.discard(queue)
        while not queue.empty():
            queue.get_nowait()
        queue.put_nowait(None)

    async def _partitions(self) -> list[TopicPartition]:
        """Without a group, the subscribed reader is assigned every partition once it has metadata."""
        assert self._consumer is not None
        for _ in range(50):
            partitions = sorted(self._consumer.assignment())
            if partitions:
                return partitions
            await asyncio.sleep(0.2)
        raise RuntimeError(f"no partitions of {self.topic} assigned after 10 s")

    def _finish_load(self, elapsed_s: float) -> None:
        expired = self.index.expire()
        log.info(
            "incidents loaded from %s: %d records, %d open incidents (%d closed) in %.2fs",
            self.topic,
            self.loaded_records,
            len(self.index),
            len(expired),
            elapsed_s,
        )
        self._loaded.set()
