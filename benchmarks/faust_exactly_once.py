"""Why newswire does not use Faust's `processing_guarantee="exactly_once"`: a minimal reproduction.

    python benchmarks/faust_exactly_once.py            # both findings, on a broker of its own (about 40 s)

One agent reads topic `in` and forwards each record, keyed, to topic `out`, which the app does not
consume: the shape of every newswire stage (articles.raw -> articles.clean, articles.clean -> events).
faust-streaming 0.15.3 with `processing_guarantee="exactly_once"`:

1. With `table_standby_replicas=0` (an app with no tables does not need standbys, and that is what
   newswire set), Faust's aiokafka driver joins the group with aiokafka's RoundRobinPartitionAssignor
   instead of its own (`faust/transport/drivers/aiokafka.py`, "has_changelog_tables"), so `app.assignor`
   never hears of the assignment; the transaction manager still asks it for each assigned topic's group
   in `on_rebalance` (`faust/transport/consumer.py`, `_tps_to_active_tpgs`) and the worker crashes with
   `KeyError: '<topic>'` (in newswire's services: `<app>-__assignor-__leader` or the input topic).
   This script runs the agent in a `faust.Worker`'s place with `app.start()`, where the crash is only
   logged; it reports whether the agent's send was transactional, which is the point of finding 2.
2. With Faust's assignor in place (`table_standby_replicas=1`), the worker runs, but the transaction
   manager picks the transactional producer by the *destination* partition's group
   (`TransactionManager.send`): for a topic that the consumer has no metadata of, which is any output
   topic the app does not consume, it sends with no transactional id, through the plain producer,
   outside the transaction that commits the input offset. So the output is at-least-once, silently.
   (For an output topic whose metadata the consumer does hold, the same lookup raises `KeyError`.)

Faust's exactly-once holds only for copartitioned topologies (output partition = input partition of a
consumed topic). newswire's outputs are keyed by article or event id, so exactly-once would need a
transactional producer per input partition outside Faust's commit loop: see the README's Delivery part.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any

import faust
import faust.transport.drivers.aiokafka as faust_aiokafka
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from newswire.devtools.broker import run_on_fresh_broker


async def forward_one(bootstrap: str, standby_replicas: int) -> list[tuple[str, str | None]]:
    """Run the one-agent app on a fresh group; return (topic, transactional id) of each send to `out`."""
    app_id = f"eos-repro-{standby_replicas}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(f"{app_id}-in", 1, 1), NewTopic(f"{app_id}-out", 1, 1)])
    finally:
        await admin.close()
    app = faust.App(
        app_id,
        broker=f"kafka://{bootstrap}",
        processing_guarantee="exactly_once",
        table_standby_replicas=standby_replicas,
        web_enabled=False,
        store="memory://",
    )
    source = app.topic(f"{app_id}-in", value_serializer="raw")
    sink = app.topic(f"{app_id}-out", value_serializer="raw")
    forwarded = asyncio.Event()

    @app.agent(source)
    async def forward(stream: Any) -> None:
        async for value in stream:
            await sink.send(key=b"article-1", value=value)
            forwarded.set()

    sends: list[tuple[str, str | None]] = []
    original_send = faust_aiokafka.Producer.send

    async def recording_send(self: Any, topic: str, *args: Any, **kwargs: Any) -> Any:
        if topic == sink.get_topic_name():
            sends.append((topic, kwargs.get("transactional_id")))
        return await original_send(self, topic, *args, **kwargs)

    faust_aiokafka.Producer.send = recording_send  # type: ignore[method-assign]
    try:
        await app.start()
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
        await producer.start()
        try:
            await asyncio.sleep(8)  # the group forms
            await producer.send_and_wait(source.get_topic_name(), b"hello", key=b"article-1")
        finally:
            await producer.stop()
        try:
            await asyncio.wait_for(forwarded.wait(), 30)
        except TimeoutError:
            print(f"  standby replicas {standby_replicas}: nothing forwarded in 30 s")
        await app.stop()
    finally:
        faust_aiokafka.Producer.send = original_send  # type: ignore[method-assign]
    return sends


async def main(bootstrap: str) -> int:
    faulty = 0
    for standby_replicas in (0, 1):
        sends = await forward_one(bootstrap, standby_replicas)
        outside = [topic for topic, transactional_id in sends if not transactional_id]
        faulty += bool(outside) or not sends
        print(
            f"exactly_once, table_standby_replicas={standby_replicas}: {len(sends)} send(s) to the output topic, "
            f"{len(outside)} outside any transaction"
        )
    print("faust exactly-once: " + ("outputs escape the transaction" if faulty else "outputs are transactional"))
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.ERROR)
    sys.exit(run_on_fresh_broker(main, prefix="newswire-eos-"))
