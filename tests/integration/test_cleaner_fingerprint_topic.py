"""The fingerprint store on the real broker, in-process: start-up load, tailing, tombstones."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer

from newswire.cleaner.dedup import NearDuplicateIndex
from newswire.cleaner.dedup_store import LOADING_REASON, FingerprintStore, fingerprint_topic_spec
from newswire.cleaner.extract import clean_html

FIXTURES = Path(__file__).parents[1] / "fixtures" / "cleaner"
DAY = datetime(2011, 11, 15, 9, 0, tzinfo=UTC)
StoreFactory = Callable[[], FingerprintStore]


@pytest.fixture(scope="module")
def seed_texts() -> tuple[str, str]:
    original = clean_html((FIXTURES / "seed-commondreams.html").read_text(encoding="utf-8")).text
    copy = clean_html((FIXTURES / "seed-syndicated.html").read_text(encoding="utf-8")).text
    return original, copy


@pytest.fixture
def new_store(kafka_bootstrap: str) -> StoreFactory:
    """Stores of one test share a topic of their own, as the cleaner instances of one deployment do."""
    spec = fingerprint_topic_spec(f"fp-{uuid.uuid4().hex[:10]}", 2, 1, 3.0)
    return lambda: FingerprintStore(NearDuplicateIndex(max_age_days=3), kafka_bootstrap, spec)


@asynccontextmanager
async def running(store: FingerprintStore) -> AsyncIterator[FingerprintStore]:
    await store.start()
    try:
        await asyncio.wait_for(store.wait_loaded(), 30)
        yield store
    finally:
        await store.stop()


async def until(condition: Callable[[], bool], timeout_s: float = 15.0) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def test_state_survives_a_restart(new_store: StoreFactory, seed_texts: tuple[str, str]) -> None:
    original, copy = seed_texts
    async with running(new_store()) as first:
        assert await first.add("original", original, DAY) is None
    restarted = new_store()
    assert await restarted.readiness() == LOADING_REASON
    async with running(restarted) as second:
        assert await second.readiness() is None
        assert "original" in second.index
        assert await second.add("copy", copy, DAY + timedelta(hours=2)) == "original"
        # Redelivered after a crash: the same answer, from the loaded entry.
        assert await second.add("original", original, DAY) is None


async def test_entries_of_another_instance_arrive_while_running(
    new_store: StoreFactory, seed_texts: tuple[str, str]
) -> None:
    original, copy = seed_texts
    async with running(new_store()) as one, running(new_store()) as other:
        assert await one.add("original", original, DAY) is None
        assert await until(lambda: "original" in other.index), "the entry never reached the other instance"
        assert await other.add("copy", copy, DAY + timedelta(minutes=5)) == "original"
        assert await until(lambda: "copy" in one.index)


async def test_the_same_moment_race_settles_on_the_earliest(
    new_store: StoreFactory, seed_texts: tuple[str, str]
) -> None:
    """Two copies at once on two instances are both unmarked; afterwards both instances agree."""
    original, copy = seed_texts
    async with running(new_store()) as one, running(new_store()) as other:
        first, second = await asyncio.gather(
            one.add("early", original, DAY), other.add("late", copy, DAY + timedelta(minutes=1))
        )
        assert (first, second) == (None, None)
        assert await until(lambda: "late" in one.index and "early" in other.index)
        third = copy + "\n\nThis story has been updated."
        assert await one.add("third", third, DAY + timedelta(hours=1)) == "early"
        assert await other.add("fourth", third, DAY + timedelta(hours=1)) == "early"


async def test_expired_entries_get_tombstones_and_are_not_loaded(
    new_store: StoreFactory, seed_texts: tuple[str, str], kafka_bootstrap: str
) -> None:
    original, copy = seed_texts
    store = new_store()
    async with running(store):
        await store.add("old", original, DAY)
        await store.add("new", "A different story about the harvest in the valley. " * 20, DAY + timedelta(days=5))
        assert await store.sweep() == 1
        assert "old" not in store.ledger
    values = await read_all(kafka_bootstrap, store.topic, expected=3)
    assert (b"old", None) in values and (b"new", None) not in values
    async with running(new_store()) as later:
        assert "old" not in later.index and "new" in later.index
        assert await later.add("copy", copy, DAY + timedelta(days=5)) is None


async def read_all(bootstrap: str, topic: str, expected: int) -> list[tuple[bytes | None, bytes | None]]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest")
    await consumer.start()
    values: list[tuple[bytes | None, bytes | None]] = []
    try:
        for _ in range(40):
            for records in (await consumer.getmany(timeout_ms=250)).values():
                values += [(record.key, record.value) for record in records]
            if len(values) >= expected:
                break
    finally:
        await consumer.stop()
    return values
