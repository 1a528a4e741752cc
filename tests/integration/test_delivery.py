"""At-least-once delivery with idempotent effects: a kill -9 of the extractor loses no article, and a
consumer keyed on event_id sees exactly the events of a clean run, however many records were re-sent."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime
from pathlib import Path

import orjson

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
