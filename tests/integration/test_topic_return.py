"""A subscribed topic that drops out of the broker's metadata and comes back, as topics do for a moment
after a broker restart: the group leader assigns it to no one while it is missing (Faust's assignor logs
"Ignoring missing topic"), and only a metadata refresh that shows it again makes the group rejoin and
take it back. With aiokafka's default refresh (5 minutes) the service sat idle; ours refreshes every
`NEWSWIRE_KAFKA__METADATA_MAX_AGE_S`."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from tests.integration.harness import Namespace, running_service, service_log
from tests.integration.test_cleaner_syndication import (
    OTHER_REPORT_HTML,
    all_alive,
    clean_one,
    raw_article,
    raw_partitions_by_member,
    seed_original,
    wait_ready,
)

REFRESH_S = 5


async def _raw_topic_exists(ns: Namespace) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=ns.bootstrap)
    await admin.start()
    try:
        return ns.topic("articles.raw") in await admin.list_topics()
    finally:
        await admin.close()


async def _drop_and_recreate_raw_topic(ns: Namespace) -> None:
    topic = ns.topic("articles.raw")
    admin = AIOKafkaAdminClient(bootstrap_servers=ns.bootstrap)
    await admin.start()
    try:
        await admin.delete_topics([topic])
        for _ in range(120):
            if topic not in await admin.list_topics():
                break
            await asyncio.sleep(0.5)
        else:
            raise AssertionError(f"{topic} was never deleted")
    finally:
        await admin.close()
    # Wait until the group has rebalanced without the topic: that is the state a restart can leave.
    for _ in range(120):
        if await raw_partitions_by_member(ns) == [[]]:
            break
        await asyncio.sleep(0.5)
    else:
        raise AssertionError(f"the cleaner kept its partitions of a deleted topic\n{service_log(ns, 'cleaner')}")
    admin = AIOKafkaAdminClient(bootstrap_servers=ns.bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
    finally:
        await admin.close()


async def test_a_topic_that_comes_back_is_taken_back_within_the_metadata_refresh(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    ns = Namespace(kafka_bootstrap, tmp_path)
    with running_service("cleaner", ns, NEWSWIRE_KAFKA__METADATA_MAX_AGE_S=str(REFRESH_S)) as cleaner:
        await wait_ready(ns, ns.ports["cleaner"], cleaner)
        alive = all_alive([cleaner])
        assert (await clean_one(ns, seed_original(), alive))["duplicate_of"] is None

        await _drop_and_recreate_raw_topic(ns)
        assert await _raw_topic_exists(ns)
        back = time.monotonic()
        for _ in range(120):
            if [p for member in await raw_partitions_by_member(ns) for p in member] == [0, 1]:
                break
            await asyncio.sleep(0.5)
        else:
            raise AssertionError(f"the cleaner never took the topic back\n{service_log(ns, 'cleaner')}")
        taken_back_s = time.monotonic() - back
        # a refresh, a rejoin and Faust's rebalance settle: well under aiokafka's default of 300 s
        assert taken_back_s < REFRESH_S + 30, f"took {taken_back_s:.0f}s\n{service_log(ns, 'cleaner')}"

        other = raw_article("https://ammanledger.example/region/jordan-king-assad", OTHER_REPORT_HTML)
        assert (await clean_one(ns, other, alive))["article_id"] == other.article_id
        assert cleaner.poll() is None, service_log(ns, "cleaner")
