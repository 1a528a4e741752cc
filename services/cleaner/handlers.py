"""Cleaner handlers: `articles.raw` message in, `articles.clean` message out (or `Unprocessable`, which the
runtime dead-letters)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import faust

from ..common.models import CleanArticle, RawArticle
from ..common.runtime import TRACE_HEADER, BatchResults, ServiceRuntime, header_value
from ..common.serde import PoisonMessage, loads
from ..common.urls import source_domain
from ..errors import Unprocessable
from .dedup import fingerprint
from .extract import CleaningError, CleanResult
from .pool import CleaningPool


def to_clean_article(raw: RawArticle, result: CleanResult, duplicate_of: str | None) -> CleanArticle:
    """Page metadata wins; the feed entry fills what the page lacks (the cleaner records which)."""
    return CleanArticle(
        article_id=raw.article_id,
        url=raw.final_url,
        canonical_url=result.canonical_url or raw.canonical_url,
        source_domain=source_domain(raw.final_url),
        site_name=result.site_name,
        title=result.title or (raw.feed_entry.title if raw.feed_entry else None),
        authors=list(result.authors) or (list(raw.feed_entry.authors) if raw.feed_entry else []),
        published_at=result.published_at,
        published_source=result.published_source,
        language=result.language,
        text=result.text,
        paragraphs=list(result.paragraphs),
        word_count=result.word_count,
        empty=result.empty,
        removed_boilerplate=list(result.removed_boilerplate),
        fingerprint=fingerprint(result.text),
        duplicate_of=duplicate_of,
        feed_entry=raw.feed_entry,
    )


class DuplicateFinder(Protocol):
    """What the handler needs of the near-duplicate state (`FingerprintStore` in the service)."""

    async def add(self, article_id: str, text: str, at: datetime) -> str | None: ...


class CleanerHandler:
    def __init__(self, runtime: ServiceRuntime, pool: CleaningPool, out: faust.TopicT, dedup: DuplicateFinder):
        self.runtime = runtime
        self.pool = pool
        self.out = out
        self.dedup = dedup

    async def handle_batch(self, events: Sequence[faust.EventT[Any]]) -> BatchResults:
        """Pages of one batch are cleaned concurrently in the process pool; a bad one comes back as its
        `Unprocessable`, for the runtime to dead-letter, while the others go on."""
        self.runtime.metrics.batch_size.labels("clean").observe(len(events))
        return await asyncio.gather(*(self.handle(event) for event in events), return_exceptions=True)

    async def handle(self, event: faust.EventT[Any]) -> None:
        runtime = self.runtime
        message = event.message
        runtime.metrics.messages_in.labels(message.topic).inc()
        payload = event.value if isinstance(event.value, bytes) else None
        trace_id = header_value(message.headers, TRACE_HEADER)
        with runtime.progress.track(), runtime.metrics.timed("clean"):
            try:
                raw = loads(RawArticle, payload)
            except PoisonMessage as exc:
                raise Unprocessable("decode", exc) from exc
            try:
                result = await self.pool.clean(raw.html, raw.final_url, raw.feed_entry)
            except CleaningError as exc:
                raise Unprocessable("clean", exc) from exc
            duplicate_of = None
            if not result.empty:
                seen_at = result.published_at or datetime.now(UTC)
                # Waits for the shared index to be loaded, and for this article's entry to be stored.
                duplicate_of = await self.dedup.add(raw.article_id, result.text, seen_at)
            article = to_clean_article(raw, result, duplicate_of)
            await runtime.publish(self.out, article.article_id, article, trace_id, source=event)
