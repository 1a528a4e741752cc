"""How long a cleaner takes to load the near-duplicate index from its fingerprint topic at start-up.

Usage: python benchmarks/cleaner_dedup_load.py BOOTSTRAP [ENTRIES]
Writes ENTRIES synthetic entries (default 20000, about a few days of a large feed set) to a new topic,
then starts a FingerprintStore on it and prints the load time and rate.
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaProducer

from newswire.cleaner.dedup import NearDuplicateIndex
from newswire.cleaner.dedup_store import FingerprintStore, encode_entry, fingerprint_topic_spec, packed_entry
from newswire.common.kafka import ensure_topics

WORDS = [f"w{number}" for number in range(5000)]


async def main(bootstrap: str, count: int) -> None:
    spec = fingerprint_topic_spec(f"bench-fp-{uuid.uuid4().hex[:8]}", 3, 1, 3.0)
    await ensure_topics(bootstrap, [spec])
    rng = random.Random(7)
    writer = NearDuplicateIndex(max_age_days=3)
    start = datetime.now(UTC) - timedelta(days=2)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20)
    await producer.start()
    began = time.perf_counter()
    try:
        for number in range(count):
            article_id = f"{number:064x}"
            writer.add(article_id, " ".join(rng.choices(WORDS, k=300)), start + timedelta(seconds=8 * number))
            packed = packed_entry(writer, article_id)
            assert packed is not None
            await producer.send(spec.name, key=article_id.encode(), value=encode_entry(packed))
        await producer.flush()
    finally:
        await producer.stop()
    print(f"wrote {count} entries in {time.perf_counter() - began:.1f}s (signing included)")
    store = FingerprintStore(NearDuplicateIndex(max_age_days=3), bootstrap, spec)
    began = time.perf_counter()
    await store.start()
    try:
        await store.wait_loaded()
        elapsed = time.perf_counter() - began
    finally:
        await store.stop()
    print(f"loaded {len(store.index)} entries in {elapsed:.2f}s: {len(store.index) / elapsed:,.0f} entries/s")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20000))
