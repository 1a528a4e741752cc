"""What each feed last showed, kept in a compacted topic so that feed polling survives a hand-over.

Only the consumer group's leader polls. When it goes (SIGTERM, kill -9, a rebalance), the next leader
would otherwise start from nothing: unconditional GETs of every feed, every entry queued again, health
counters back at zero. So the poller writes one record per feed (keyed by the feed's name) after each
poll, and every fetcher instance follows the topic from the beginning; a new leader reads it up to its
current end before its first poll, restores each feed's validators, back-off, health and last entries,
and polls at once.

A record is written only after the poll's entries were acknowledged by the broker, so any record a new
leader restores, even a stale one, is safe: its ETag can only hide entries that were queued already.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from ..common.kafka import TopicSpec, ensure_topics, start_state_clients
from ..common.state_topic import TopicFollower

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FeedState:
    """One feed's polling state as its last poller left it."""

    name: str
    configured_url: str  # the feeds file's URL: a record for a feed that has since moved is not restored
    feed_url: str  # where the feed is really read from (a discovered feed, see `FeedPoller.discovered`)
    schedule: Mapping[str, Any]  # `PollSchedule.export`
    last_entries: tuple[str, ...]  # article ids the feed listed at its last successful poll
    saved_at: float  # wall-clock time of writing

    def encode(self) -> bytes:
        return orjson.dumps(
            {
                "name": self.name,
                "configured_url": self.configured_url,
                "feed_url": self.feed_url,
                "schedule": dict(self.schedule),
                "last_entries": list(self.last_entries),
                "saved_at": self.saved_at,
            }
        )

    @classmethod
    def decode(cls, value: bytes) -> FeedState:
        """ValueError for anything but a record `encode` wrote, so that one bad record is skipped."""
        try:
            record = orjson.loads(value)
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"feed state is not JSON: {exc}") from exc
        if not isinstance(record, dict):
            raise ValueError("feed state is not an object")
        strings = [record.get(key) for key in ("name", "configured_url", "feed_url")]
        entries = record.get("last_entries")
        if not all(isinstance(value, str) for value in strings):
            raise ValueError("feed state lacks its name or URLs")
        if not isinstance(record.get("schedule"), dict) or not isinstance(record.get("saved_at"), int | float):
            raise ValueError("feed state lacks its schedule or time")
        if not isinstance(entries, list) or not all(isinstance(entry, str) for entry in entries):
            raise ValueError("feed state's last entries are not a list of ids")
        return cls(
            name=record["name"],
            configured_url=record["configured_url"],
            feed_url=record["feed_url"],
            schedule=record["schedule"],
            last_entries=tuple(entries),
            saved_at=float(record["saved_at"]),
        )


class FeedStateStore(Protocol):
    """Where the poller keeps `FeedState`s between leaders."""

    async def latest(self, timeout_s: float) -> Mapping[str, FeedState]:
        """Every feed's newest state, including all written before this call (waiting up to `timeout_s`
        for that; what is known by then is returned, which is safe, see the module docstring)."""
        ...

    async def save(self, state: FeedState) -> None: ...


def feed_state_topic_spec(name: str, replication: int) -> TopicSpec:
    """One partition (a deployment has hundreds of feeds, not millions), compacted on the feed name."""
    return TopicSpec(name, 1, replication, {"cleanup.policy": "compact", "segment.ms": str(6 * 3600 * 1000)})


class KafkaFeedStateStore:
    """`FeedStateStore` on a compacted topic that every fetcher instance follows (no consumer group)."""

    def __init__(self, bootstrap: str, topic: TopicSpec, *, client_id: str = "newswire-fetcher-feed-state") -> None:
        self.bootstrap = bootstrap
        self.spec = topic
        self.client_id = client_id
        self.states: dict[str, FeedState] = {}
        self.skipped = 0
        self._consumer: AIOKafkaConsumer | None = None
        self._producer: AIOKafkaProducer | None = None
        self._follower: TopicFollower | None = None

    async def start(self) -> None:
        await ensure_topics(self.bootstrap, [self.spec])
        self._producer, self._consumer = await start_state_clients(self.bootstrap, self.client_id)
        self._follower = TopicFollower(
            self._consumer, self.spec.name, self.apply, partitions=self._partitions, max_records=1000
        )
        self._follower.start("feed-state-follow")

    async def stop(self) -> None:
        if self._follower is not None:
            await self._follower.stop()
            self._follower = None
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def save(self, state: FeedState) -> None:
        if self._producer is None:
            raise RuntimeError("the feed state store is not started")
        await self._producer.send_and_wait(self.spec.name, key=state.name.encode(), value=state.encode())
        self._keep(state)

    async def latest(self, timeout_s: float) -> Mapping[str, FeedState]:
        try:
            await asyncio.wait_for(self._catch_up(), timeout_s)
        except TimeoutError:
            log.warning("feed state: not caught up with %s after %.0fs; using what was read", self.spec.name, timeout_s)
        return dict(self.states)

    async def _catch_up(self) -> None:
        """Until every record written before this call has been applied."""
        if self._follower is None:
            raise RuntimeError("the feed state store is not started")
        await self._follower.catch_up()

    async def _partitions(self) -> list[TopicPartition]:
        assert self._producer is not None
        numbers = await self._producer.partitions_for(self.spec.name)
        return [TopicPartition(self.spec.name, number) for number in sorted(numbers)]

    def apply(self, records: Iterable[ConsumerRecord[bytes, bytes]]) -> None:
        """Fold records of the topic in: tombstones forget a feed, a bad record is skipped."""
        for record in records:
            if record.key is None:
                continue
            name = record.key.decode("utf-8", "replace")
            if record.value is None:
                self.states.pop(name, None)
                continue
            try:
                state = FeedState.decode(record.value)
            except ValueError as exc:
                self.skipped += 1
                log.warning("feed state: record %s at offset %s skipped: %s", name, record.offset, exc)
                continue
            self._keep(state)

    def _keep(self, state: FeedState) -> None:
        """Newest wins, so that this instance's own write and its echo through the topic agree."""
        known = self.states.get(state.name)
        if known is None or state.saved_at >= known.saved_at:
            self.states[state.name] = state
