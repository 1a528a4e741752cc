"""Syndicated copies on the real broker: the cleaner marks a copy with the first article's id, across a
restart and across two instances that each own one partition of articles.raw."""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import httpx
import orjson
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment
from aiokafka.partitioner import murmur2

from newswire.common.models import HttpFacts, RawArticle
from newswire.common.serde import dumps
from tests.integration.harness import (
    Namespace,
    collect,
    messages_in,
    produce,
    running_service,
    schema_errors,
    service_log,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "cleaner"
PARTITIONS = 2  # the harness's NEWSWIRE_KAFKA__PARTITIONS

# Another report on the same day's events, written independently: same facts, other words.
OTHER_REPORT_HTML = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Jordan's king urges Assad to quit as fighting rages in Deraa - The Amman Ledger</title>
<meta property="article:published_time" content="2011-11-15T11:05:00+00:00"></head>
<body><nav><a href="/">Home</a> <a href="/region">Region</a></nav><article>
<h1>Jordan's king urges Assad to quit as fighting rages in Deraa</h1>
<p>Syrian forces and army defectors fought fierce battles in the south of the country on Tuesday, leaving
dozens dead in what rights activists described as one of the deadliest days of the revolt.</p>
<p>Activists in Deraa province said an ambush by deserters near the town of Hirak was followed by a wave of
arrests, and that tanks were deployed around several villages overnight.</p>
<p>In Amman, Jordan's King Abdullah became the first Arab head of state to publicly urge President Bashar
al-Assad to quit, telling the BBC that he would step down if he were in Assad's position.</p>
<p>Turkey's prime minister Tayyip Erdogan also hardened his tone, saying Ankara had lost faith in Damascus
after crowds attacked Turkish diplomatic missions in Aleppo and Latakia over the weekend.</p>
<p>Arab League foreign ministers are due to meet in the Moroccan capital on Wednesday, days after the group
voted to suspend Damascus, a decision Syrian officials called illegal.</p>
<p>Russia, a long-time ally of Syria, has said it opposes any outside intervention and has urged the
opposition to enter a dialogue with the government rather than seek sanctions at the United Nations.</p>
</article><footer>Copyright The Amman Ledger</footer></body></html>"""


def partition_of(key: str) -> int:
    """Where the producer's default partitioner puts the key (and so which cleaner instance gets it)."""
    return int(murmur2(key.encode()) & 0x7FFFFFFF) % PARTITIONS


def article_id(url: str, partition: int | None = None) -> str:
    """A stable id for the URL; with `partition`, salted until its key lands there."""
    for salt in range(1000):
        candidate = hashlib.sha256(f"{url}#{salt}".encode()).hexdigest()
        if partition is None or partition_of(candidate) == partition:
            return candidate
    raise AssertionError("no key for the partition")


def raw_article(url: str, html: str, partition: int | None = None) -> RawArticle:
    return RawArticle(
        article_id=article_id(url, partition),
        url=url,
        final_url=url,
        canonical_url=url,
        http=HttpFacts(
            status=200, content_type="text/html", fetched_at=datetime.now(UTC), elapsed_ms=3, bytes=len(html)
        ),
        html=html,
    )


def seed_original(partition: int | None = None) -> RawArticle:
    html = (FIXTURES / "seed-commondreams.html").read_text(encoding="utf-8")
    return raw_article("https://www.commondreams.org/news/2011/11/15/syrias-bloodiest-day", html, partition)


def seed_copy(partition: int | None = None) -> RawArticle:
    html = (FIXTURES / "seed-syndicated.html").read_text(encoding="utf-8")
    return raw_article("https://worldreportdaily.example/world/syria-bloodiest-day", html, partition)


async def clean_one(ns: Namespace, raw: RawArticle, alive: Callable[[], bool]) -> dict[str, object]:
    """Produce one page and wait until its clean article is out; returns it."""
    await produce(ns.bootstrap, ns.topic("articles.raw"), [(raw.article_id.encode(), dumps(raw))])

    def arrived(values: list[bytes]) -> bool:
        return any(orjson.loads(value)["article_id"] == raw.article_id for value in values)

    values = await collect(ns.bootstrap, ns.topic("articles.clean"), until=arrived, timeout_s=120, alive=alive)
    assert schema_errors("articles.clean", values) == []
    matches = [orjson.loads(value) for value in values if orjson.loads(value)["article_id"] == raw.article_id]
    assert matches, f"{raw.url} never came out on articles.clean"
    return dict(matches[-1])


async def wait_ready(ns: Namespace, port: int, process: subprocess.Popen[bytes]) -> dict[str, object]:
    async with httpx.AsyncClient(timeout=5) as client:
        for _ in range(240):
            assert process.poll() is None, service_log(ns, "cleaner")
            try:
                response = await client.get(f"http://127.0.0.1:{port}/readyz")
                if response.status_code == 200:
                    return dict(response.json())
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.5)
    raise AssertionError(f"cleaner never ready\n{service_log(ns, 'cleaner')}")


async def raw_partitions_by_member(ns: Namespace) -> list[list[int]]:
    """The articles.raw partitions each member of the cleaners' consumer group holds."""
    admin = AIOKafkaAdminClient(bootstrap_servers=ns.bootstrap)
    await admin.start()
    try:
        response = (await admin.describe_consumer_groups([f"{ns.prefix}-cleaner"]))[0].to_object()
    finally:
        await admin.close()
    group = response["groups"][0]
    if group["state"] != "Stable":
        return []
    owned = []
    for member in group["members"]:
        assignment = ConsumerProtocolMemberAssignment.decode(member["member_assignment"])
        owned.append(sorted(tp.partition for tp in assignment.partitions() if tp.topic == ns.topic("articles.raw")))
    return owned


def all_alive(processes: Sequence[subprocess.Popen[bytes]]) -> Callable[[], bool]:
    return lambda: all(process.poll() is None for process in processes)


async def test_syndicated_copy_is_marked_and_a_different_report_is_not(kafka_bootstrap: str, tmp_path: Path) -> None:
    ns = Namespace(kafka_bootstrap, tmp_path)
    with running_service("cleaner", ns) as cleaner:
        ready = await wait_ready(ns, ns.ports["cleaner"], cleaner)
        assert ready["checks"] == {"broker": None, "dedup": None}
        alive = all_alive([cleaner])
        original, copy = seed_original(), seed_copy()
        other = raw_article("https://ammanledger.example/region/jordan-king-assad", OTHER_REPORT_HTML)
        first = await clean_one(ns, original, alive)
        assert first["duplicate_of"] is None
        assert (await clean_one(ns, other, alive))["duplicate_of"] is None
        marked = await clean_one(ns, copy, alive)
        assert marked["duplicate_of"] == original.article_id, service_log(ns, "cleaner")
        assert marked["text"] and marked["site_name"] == "World Report Daily"  # passed on, not dropped
        dead = await collect(kafka_bootstrap, ns.dlq("cleaner"), until=lambda v: False, timeout_s=1)
        assert dead == []


async def test_the_index_survives_a_restart(kafka_bootstrap: str, tmp_path: Path) -> None:
    ns = Namespace(kafka_bootstrap, tmp_path)
    original, copy = seed_original(), seed_copy()
    with running_service("cleaner", ns) as cleaner:
        assert (await clean_one(ns, original, all_alive([cleaner])))["duplicate_of"] is None
    assert cleaner.returncode == 0, service_log(ns, "cleaner")
    with running_service("cleaner", ns) as restarted:
        marked = await clean_one(ns, copy, all_alive([restarted]))
        assert marked["duplicate_of"] == original.article_id, service_log(ns, "cleaner")
        assert "dedup index loaded" in service_log(ns, "cleaner")


async def test_two_instances_see_each_others_articles(kafka_bootstrap: str, tmp_path: Path) -> None:
    ns = Namespace(kafka_bootstrap, tmp_path)
    ns_b = Namespace(kafka_bootstrap, tmp_path / "b", prefix=ns.prefix)  # same topics and group, own log
    ns_b.workdir.mkdir()
    with running_service("cleaner", ns) as one, running_service("cleaner", ns_b) as two:
        processes = [one, two]
        await wait_ready(ns, ns.ports["cleaner"], one)
        await wait_ready(ns_b, ns_b.ports["cleaner"], two)
        for _ in range(120):
            if sorted(await raw_partitions_by_member(ns)) == [[0], [1]]:
                break
            await asyncio.sleep(0.5)
        else:
            raise AssertionError(f"the two cleaners never split the partitions\n{service_log(ns, 'cleaner')}")
        original, copy = seed_original(partition=0), seed_copy(partition=1)
        assert (await clean_one(ns, original, all_alive(processes)))["duplicate_of"] is None
        marked = await clean_one(ns, copy, all_alive(processes))
        logs = f"{service_log(ns, 'cleaner')}\n---\n{service_log(ns_b, 'cleaner')}"
        assert marked["duplicate_of"] == original.article_id, logs
        # Each instance handled one of the two: the copy was marked from the other instance's entry.
        raw_topic = ns.topic("articles.raw")
        counts = [
            await messages_in(ns.ports["cleaner"], raw_topic),
            await messages_in(ns_b.ports["cleaner"], raw_topic),
        ]
        assert sorted(counts) == [1.0, 1.0], (counts, logs)
