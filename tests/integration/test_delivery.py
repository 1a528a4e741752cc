"""Delivery through the extractor: a kill -9 loses no article, a consumer keyed on event_id sees exactly the
events of a clean run, and a `read_committed` consumer sees each event once (the stage commits in
transactions; whether the kill lands mid-batch is chance, and tests/integration/test_transactions.py pins
the abort itself). The extractor reads only committed articles: an aborted batch upstream never reaches it."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime
from pathlib import Path

import orjson
from aiokafka import AIOKafkaProducer

from newswire.cleaner.extract import clean_html
from newswire.common.ids import stable_id
from newswire.common.models import CleanArticle
from newswire.common.serde import dumps
from newswire.extractor.app import load_extractor
from newswire.extractor.handlers import article_input
from newswire.extractor.settings import ExtractorOptions
from tests.integration.harness import Namespace, collect, produce, running_service, schema_errors, service_log

SITE = Path(__file__).resolve().parents[2] / "services" / "demo" / "site" / "articles"


def _clean_articles() -> list[CleanArticle]:
    articles = []
    for page in sorted(SITE.glob("*.html")):
        url = f"https://demo.example.org/articles/{page.name}"
        result = clean_html(page.read_text(encoding="utf-8").replace("{base_url}", "https://demo.example.org"), url=url)
        articles.append(
            CleanArticle(
                article_id=stable_id("delivery", page.name),
                url=url,
                source_domain="demo.example.org",
                title=result.title,
                published_at=result.published_at or datetime(2011, 11, 15, tzinfo=UTC),
                language=result.language,
                text=result.text,
                paragraphs=list(result.paragraphs),
                word_count=result.word_count,
                fingerprint="0" * 16,
            )
        )
    return articles


async def test_kill_9_of_the_extractor_loses_nothing_and_duplicates_nothing(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    ns = Namespace(kafka_bootstrap, tmp_path)
    articles = _clean_articles()
    expected = {
        result.article.article_id: {event.event_id for event in result.events}
        for result in load_extractor(ExtractorOptions()).extract([article_input(a) for a in articles])
    }
    assert any(expected.values()), "the demo articles must yield events for this test to mean anything"
    env = {"NEWSWIRE_EXTRACTOR__BATCH_ARTICLES": "1"}  # one article per batch: the kill lands mid-stream
    with running_service("extractor", ns, **env) as first:
        await produce(
            kafka_bootstrap, ns.topic("articles.clean"), [(a.article_id.encode(), dumps(a)) for a in articles]
        )
        enriched = await collect(
            kafka_bootstrap, ns.topic("articles.enriched"), until=lambda v: len(v) >= 1, timeout_s=120
        )
        assert enriched, service_log(ns, "extractor")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    await asyncio.sleep(1)
    with running_service("extractor", ns, **env) as second:
        wanted = len(articles)
        enriched = await collect(
            kafka_bootstrap,
            ns.topic("articles.enriched"),
            until=lambda v: len({orjson.loads(x)["article_id"] for x in v}) >= wanted,
            timeout_s=180,
            alive=lambda: second.poll() is None,
        )
        coded = {orjson.loads(value)["article_id"] for value in enriched}
        assert coded == set(expected), service_log(ns, "extractor")
        total = sum(len(ids) for ids in expected.values())
        events = await collect(
            kafka_bootstrap,
            ns.topic("events"),
            until=lambda v: len({orjson.loads(x)["event_id"] for x in v}) >= total,
            timeout_s=60,
        )
    assert schema_errors("events", events) == []
    assert schema_errors("articles.enriched", enriched) == []
    seen: dict[str, set[str]] = {article_id: set() for article_id in expected}
    for value in events:
        event = orjson.loads(value)
        seen[event["article_id"]].add(event["event_id"])
    assert seen == expected  # re-sent records carry the same ids: nothing lost, nothing new
    await asyncio.sleep(2)  # anything a second copy would add is written by now
    committed = await collect(
        kafka_bootstrap, ns.topic("events"), until=lambda v: False, timeout_s=5, isolation_level="read_committed"
    )
    # Exactly once: the batch in hand at the kill was aborted by the next owner and coded again.
    assert sorted(orjson.loads(v)["event_id"] for v in committed) == sorted(i for ids in expected.values() for i in ids)


async def test_the_extractor_reads_only_committed_articles(kafka_bootstrap: str, tmp_path: Path) -> None:
    """An aborted batch of the cleaner (a crash, a fence) never reaches the events: only the copy committed."""
    ns = Namespace(kafka_bootstrap, tmp_path)
    aborted, committed = _clean_articles()[:2]
    with running_service("extractor", ns) as extractor:
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, transactional_id=f"{ns.prefix}-cleaner")
        await producer.start()
        try:
            async with producer.transaction():
                await producer.send_and_wait(ns.topic("articles.clean"), dumps(committed), key=b"k")
            await producer.begin_transaction()
            await producer.send_and_wait(ns.topic("articles.clean"), dumps(aborted), key=b"k")
            await producer.abort_transaction()
            async with producer.transaction():  # a later record: the extractor reads past the aborted one
                await producer.send_and_wait(ns.topic("articles.clean"), dumps(committed), key=b"k")
        finally:
            await producer.stop()
        enriched = await collect(
            kafka_bootstrap,
            ns.topic("articles.enriched"),
            until=lambda v: len(v) >= 2,
            timeout_s=120,
            alive=lambda: extractor.poll() is None,
        )
    assert [orjson.loads(v)["article_id"] for v in enriched] == [committed.article_id] * 2, service_log(ns, "extractor")
