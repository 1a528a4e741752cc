"""Why the fetcher's seen-table is not written in the page's transaction: a minimal reproduction.

    python benchmarks/faust_transactional_changelog.py     # on a broker of its own (about 1 minute)

Exactly-once for the fetcher would put a page's `articles.raw` record and its seen-table entry in one Kafka
transaction. The seen-table is a Faust table, and its changelog would then end in a transaction marker.
faust-streaming 0.15.3 recovers a table until it has processed the record at each changelog partition's
highwater minus one (`Recovery.need_recovery`, `faust/tables/recovery.py`). A transaction's commit marker
takes an offset but is never delivered as a record, so when the marker is last, that offset never comes.
Recovery skips past it only when the app runs Faust's own exactly-once (`detect_aborted_tx`, called under
`app.in_transaction`), which newswire's stages cannot use (`benchmarks/faust_exactly_once.py`).

The script writes two entries into a one-partition table's changelog, once with a plain producer and once
with a transactional one, then starts the app and waits for its table to be recovered. It prints, for
each, whether recovery ended within the wait and what the table holds. Measured here (Kafka 4, aiokafka
0.14.0): the plain changelog recovers with 2 of 2 entries; the transactional one is still recovering after
45 s with 0 of 2, and `app.start()` has not returned.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import uuid

import faust
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from newswire.devtools.broker import run_on_fresh_broker

WAIT_S = 45.0


async def recover(bootstrap: str, transactional: bool) -> tuple[bool, int]:
    """Write the changelog, start an app with that table, and say whether recovery ended and with how many
    entries."""
    app_id = f"changelog-repro-{uuid.uuid4().hex[:6]}"
    changelog = f"{app_id}-seen-changelog"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(f"{app_id}-in", 1, 1), NewTopic(changelog, 1, 1, topic_configs={"cleanup.policy": "compact"})]
        )
    finally:
        await admin.close()
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, transactional_id=f"{app_id}-writer" if transactional else None
    )
    await producer.start()
    try:
        if transactional:
            async with producer.transaction():
                for key in (b"article-1", b"article-2"):
                    await producer.send(changelog, key=key, value=b"1764633600.0")
        else:
            for key in (b"article-1", b"article-2"):
                await producer.send_and_wait(changelog, key=key, value=b"1764633600.0")
    finally:
        await producer.stop()

    app = faust.App(app_id, broker=f"kafka://{bootstrap}", web_enabled=False, store="memory://", topic_partitions=1)
    table = app.Table("seen", default=None, partitions=1, key_type=bytes)

    @app.agent(app.topic(f"{app_id}-in", value_serializer="raw"))
    async def idle(stream: faust.StreamT[bytes]) -> None:
        async for _ in stream:
            pass

    # In the transactional case `app.start()` itself never returns, so it runs beside the wait.
    starting = asyncio.ensure_future(app.start())
    try:
        recovery = app.tables.recovery  # type: ignore[attr-defined]
        try:
            await asyncio.wait_for(recovery.completed.wait(), WAIT_S)
            ended = True
        except TimeoutError:
            ended = False
        return ended, len(table.data)
    finally:
        starting.cancel()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(app.stop(), 20)


async def main(bootstrap: str) -> int:
    for transactional in (False, True):
        ended, entries = await recover(bootstrap, transactional)
        writer = "transactional producer" if transactional else "plain producer"
        verdict = "recovered" if ended else f"still recovering after {WAIT_S:.0f} s"
        print(f"changelog written by a {writer}: {verdict}, {entries} of 2 entries in the table")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.ERROR)
    sys.exit(run_on_fresh_broker(main, prefix="newswire-changelog-"))
