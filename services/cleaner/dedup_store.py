"""The near-duplicate index kept in a compacted Kafka topic, so that it survives restarts and is shared.

Cleaner instances split the partitions of `articles.raw` between them, but an agency report and its
syndicated copy land wherever their keys hash to; a copy handled by one instance must be checked against
the article the other instance saw. So every instance reads the whole fingerprint topic (no consumer
group): in full at start-up, then by tailing it, and writes the entry of each article it cleans. The
topic is compacted on the article id, and entries that leave the window get tombstones, so it holds
about the last N days and start-up reads stay short.

Race between instances: two copies cleaned at the same moment by two instances (within the time an entry
takes to travel through the topic, typically well under a second) are both passed on unmarked, since
neither instance has seen the other's entry yet. Nothing is marked wrongly: once both entries have
arrived, every instance holds the same entries, and a later copy points at the earliest of them
(earliest `at`, then the smaller id, see `NearDuplicateIndex._best_match`). The index's `add` is
idempotent, and an instance's own entries coming back through the topic are ignored, so replays and
redeliveries give the same answer as the first time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from ..common.kafka import TopicSpec, ensure_topics, start_state_clients
from ..common.state_topic import TopicFollower
from .dedup import NearDuplicateIndex

log = logging.getLogger(__name__)

DAY_MS = 24 * 3600 * 1000
SWEEP_INTERVAL_S = 3600.0
LOADING_REASON = "dedup index loading"


def fingerprint_topic_config(dedup_days: float) -> dict[str, str]:
    """Compacted on the article id; time retention (window plus a day of margin, entries are written
    when an article is cleaned) bounds the topic even if no instance ever sweeps. Segments roll every
    few hours so that compaction and deletion can reach old entries at all."""
    window_ms = int((dedup_days + 1) * DAY_MS)
    return {
        "cleanup.policy": "compact,delete",
        "retention.ms": str(window_ms),
        "segment.ms": str(min(window_ms, DAY_MS // 4)),
        "delete.retention.ms": str(DAY_MS),
    }


def fingerprint_topic_spec(name: str, partitions: int, replication: int, dedup_days: float) -> TopicSpec:
    return TopicSpec(name, partitions, replication, fingerprint_topic_config(dedup_days))


def encode_entry(packed: list[Any]) -> bytes:
    return orjson.dumps(packed)


def decode_entry(value: bytes) -> list[Any]:
    """The packed entry of `entry_state`; ValueError for anything else, so that one bad record is skipped."""
    try:
        packed = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"fingerprint entry is not JSON: {exc}") from exc
    if not isinstance(packed, list) or len(packed) != 4:
        raise ValueError("fingerprint entry is not [at, signature, duplicate_of, size]")
    at, signature, duplicate_of, size = packed
    if not isinstance(at, int | float) or not isinstance(signature, str) or not isinstance(size, int):
        raise ValueError("fingerprint entry has fields of the wrong type")
    if duplicate_of is not None and not isinstance(duplicate_of, str):
        raise ValueError("fingerprint entry's duplicate_of is not a string")
    return packed


def packed_entry(index: NearDuplicateIndex, article_id: str) -> list[Any] | None:
    """One entry as `to_state()` stores it, without serialising the whole index."""
    return index.packed(article_id)


class ExpiryLedger:
    """When each stored entry was seen, to know which need a tombstone.

    The window is measured back from the newest time seen, as `NearDuplicateIndex` does, so that the
    store forgets exactly what the index forgets (pages with old publication dates included)."""

    def __init__(self, max_age: timedelta) -> None:
        self.max_age = max_age
        self._at: dict[str, datetime] = {}
        self.newest: datetime | None = None

    def __len__(self) -> int:
        return len(self._at)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._at

    def note(self, article_id: str, at: datetime) -> None:
        self._at[article_id] = at
        if self.newest is None or at > self.newest:
            self.newest = at

    def forget(self, article_id: str) -> None:
        self._at.pop(article_id, None)

    def is_expired(self, at: datetime) -> bool:
        return self.newest is not None and at < self.newest - self.max_age

    def take_expired(self) -> list[str]:
        """The ids that left the window, forgotten as they are returned."""
        stale = sorted(article_id for article_id, at in self._at.items() if self.is_expired(at))
        for article_id in stale:
            del self._at[article_id]
        return stale


def entry_time(packed: list[Any]) -> datetime:
    return datetime.fromtimestamp(float(packed[0]), tz=UTC)


class FingerprintStore:
    """A `NearDuplicateIndex` whose entries live in a compacted topic read by every cleaner instance."""

    def __init__(
        self,
        index: NearDuplicateIndex,
        bootstrap: str,
        topic: TopicSpec,
        *,
        sweep_interval_s: float = SWEEP_INTERVAL_S,
        client_id: str = "newswire-cleaner-dedup",
    ) -> None:
        self.index = index
        self.bootstrap = bootstrap
        self.spec = topic
        self.sweep_interval_s = sweep_interval_s
        self.client_id = client_id
        self.ledger = ExpiryLedger(index.max_age)
        self.loaded_entries = 0
        self.skipped_entries = 0
        self._loaded = asyncio.Event()
        self._follower: TopicFollower | None = None
        self._consumer: AIOKafkaConsumer | None = None
        self._producer: AIOKafkaProducer | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._pending_tombstones: list[str] = []

    @property
    def topic(self) -> str:
        return self.spec.name

    @property
    def loaded(self) -> bool:
        return self._loaded.is_set()

    # -- lifetime -------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Returns once the clients run; the initial load goes on in the background (see `wait_loaded`)."""
        await ensure_topics(self.bootstrap, [self.spec])
        self._producer, self._consumer = await start_state_clients(self.bootstrap, self.client_id, linger_ms=5)
        self._follower = TopicFollower(
            self._consumer,
            self.topic,
            self.apply,
            partitions=self._partitions,
            on_loaded=self._finish_load,
            max_records=5000,
        )
        self._follower.start("dedup-follow")
        self._sweeper = asyncio.create_task(self._sweep_periodically(), name="dedup-sweep")

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            try:
                await self._sweeper
            except asyncio.CancelledError:
                pass
            except Exception:
                log.exception("dedup store sweep failed")
            self._sweeper = None
        if self._follower is not None:
            await self._follower.stop()
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def readiness(self) -> str | None:
        return None if self.loaded else LOADING_REASON

    async def wait_loaded(self) -> None:
        await self._loaded.wait()

    # -- the handler's side ----------------------------------------------------------------------------
    async def add(self, article_id: str, text: str, at: datetime) -> str | None:
        """Like `NearDuplicateIndex.add`, against every instance's articles; the entry is written (and
        acknowledged) before this returns, so the caller may ack its input afterwards."""
        await self.wait_loaded()
        duplicate_of = self.index.add(article_id, text, at)
        packed = packed_entry(self.index, article_id)
        if packed is not None:
            # Written again on redelivery too: same key and value, compaction keeps one.
            await self._send(article_id, encode_entry(packed))
            self.ledger.note(article_id, entry_time(packed))
        return duplicate_of

    async def sweep(self) -> int:
        """Tombstones for the entries that left the window; any instance may sweep, repeats are harmless."""
        stale = self._pending_tombstones + self.ledger.take_expired()
        self._pending_tombstones = []
        if self._producer is None:
            raise RuntimeError("the fingerprint store is not started")
        # Sent together and then awaited: one round trip per batch, not per tombstone.
        sent = [await self._producer.send(self.topic, key=article_id.encode(), value=None) for article_id in stale]
        await asyncio.gather(*sent)
        self.index.expire()
        if stale:
            log.info("dedup store: %d expired entries tombstoned, %d live", len(stale), len(self.ledger))
        return len(stale)

    async def _send(self, article_id: str, value: bytes | None) -> None:
        if self._producer is None:
            raise RuntimeError("the fingerprint store is not started")
        await self._producer.send_and_wait(self.topic, key=article_id.encode(), value=value)

    # -- reading the topic ------------------------------------------------------------------------------
    async def _partitions(self) -> list[TopicPartition]:
        assert self._producer is not None
        # The producer waits for the topic's metadata; the consumer only reports what it already has.
        numbers = await self._producer.partitions_for(self.topic)
        return [TopicPartition(self.topic, number) for number in sorted(numbers)]

    def _finish_load(self, elapsed_s: float) -> None:
        # Entries read before a newer one arrived may be outside the window after all.
        self._pending_tombstones.extend(self.ledger.take_expired())
        self.index.expire()
        log.info(
            "dedup index loaded from %s: %d entries (%d expired skipped) in %.2fs",
            self.topic,
            len(self.index),
            self.skipped_entries,
            elapsed_s,
        )
        self._loaded.set()

    def apply(self, records: Iterable[ConsumerRecord[bytes, bytes]]) -> None:
        """Fold records of the topic into the index: tombstones and expired entries are skipped."""
        for record in records:
            if record.key is None:
                continue
            article_id = record.key.decode("utf-8", "replace")
            if record.value is None:
                self.ledger.forget(article_id)
                continue
            try:
                packed = decode_entry(record.value)
                at = entry_time(packed)
                if self.ledger.is_expired(at):
                    self.skipped_entries += 1
                    if article_id not in self.index:
                        self._pending_tombstones.append(article_id)
                    continue
                self.index.restore_entry(article_id, packed)
            except ValueError as exc:
                log.warning("dedup store: entry %s at %s skipped: %s", article_id, record.offset, exc)
                continue
            self.ledger.note(article_id, at)
            self.loaded_entries += 1

    async def _sweep_periodically(self) -> None:
        await self.wait_loaded()
        while True:
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("dedup store: sweep failed; next try in %.0fs", self.sweep_interval_s)
            await asyncio.sleep(self.sweep_interval_s)
