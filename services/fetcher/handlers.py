"""Fetcher handlers.

Two stages joined by the `fetcher.urls` topic: the poller reads feeds and queues entry URLs keyed by
article_id; the page agent owns a key-partitioned, changelog-backed seen-table, so that however many
fetcher instances run, and however often they restart, each article is fetched by exactly one owner and
emitted once.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import OrderedDict
from collections.abc import MutableMapping
from datetime import UTC, datetime
from typing import Any

import faust
import orjson

from ..common.models import FeedEntry, FetchRequest, HttpFacts, RawArticle
from ..common.runtime import TRACE_HEADER, ServiceRuntime, header_value
from ..common.serde import PoisonMessage, loads
from .feeds import FeedError, FeedItem, parse_feed
from .feedsfile import FeedConfig
from .http import FetchError, PageResult, PoliteFetcher
from .settings import FetcherOptions
from .urls import article_id, canonicalize_url

log = logging.getLogger(__name__)


class RecentIds:
    """A bounded memory of ids queued lately, so that an unchanged feed does not re-queue its entries on
    every poll; the seen-table, not this, is what guarantees one fetch per article."""

    def __init__(self, capacity: int = 100_000) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._capacity = capacity

    def add_if_new(self, key: str) -> bool:
        if key in self._ids:
            self._ids.move_to_end(key)
            return False
        self._ids[key] = None
        if len(self._ids) > self._capacity:
            self._ids.popitem(last=False)
        return True


class FeedPoller:
    def __init__(
        self,
        runtime: ServiceRuntime,
        fetcher: PoliteFetcher,
        feeds: list[FeedConfig],
        queue_topic: faust.TopicT,
        options: FetcherOptions,
    ) -> None:
        self.runtime = runtime
        self.fetcher = fetcher
        self.feeds = feeds
        self.queue_topic = queue_topic
        self.options = options
        self.recent = RecentIds()
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        self.next_due: dict[str, float] = {feed.url: time.monotonic() for feed in feeds}
        self.failures: dict[str, int] = {}
        self.last_error: dict[str, str] = {}

    async def run(self) -> None:
        semaphore = asyncio.Semaphore(self.options.feed_concurrency)
        running: set[asyncio.Task[None]] = set()
        while True:
            self.runtime.progress.heartbeat("feed-poller", max_silence_s=120)
            now = time.monotonic()
            for feed in self.feeds:
                if self.next_due[feed.url] <= now:
                    self.next_due[feed.url] = float("inf")  # not due again until this poll finishes
                    task = asyncio.create_task(self._poll_guarded(feed, semaphore))
                    running.add(task)
                    task.add_done_callback(running.discard)
            await asyncio.sleep(max(0.05, min(1.0, min(self.next_due.values(), default=now + 1) - now)))

    async def _poll_guarded(self, feed: FeedConfig, semaphore: asyncio.Semaphore) -> None:
        async with semaphore:
            try:
                await self.poll(feed)
            except Exception as exc:
                log.exception("poll of %s failed", feed.url)
                self._schedule(feed, failed=True, error=f"{type(exc).__name__}: {exc}")

    def _schedule(self, feed: FeedConfig, *, failed: bool, error: str | None = None) -> None:
        """Next poll: the feed's interval with jitter; failing feeds back off exponentially (capped)."""
        if failed:
            self.failures[feed.url] = self.failures.get(feed.url, 0) + 1
            self.last_error[feed.url] = error or "unknown"
        else:
            self.failures[feed.url] = 0
        delay = feed.interval * (2 ** min(self.failures[feed.url], 6))
        delay = min(delay, max(feed.interval, 6 * 3600))
        self.next_due[feed.url] = time.monotonic() + delay * random.uniform(0.9, 1.1)

    async def poll(self, feed: FeedConfig) -> int:
        """Poll one feed and queue its new entries; returns how many were queued."""
        etag, modified = self.validators.get(feed.url, (None, None))
        with self.runtime.metrics.timed("feed"):
            try:
                result = await self.fetcher.fetch_feed(feed.url, etag=etag, last_modified=modified)
            except FetchError as exc:
                await self._feed_failed(feed, exc, stage="feed-fetch", payload=None)
                return 0
        if result.not_modified:
            self._schedule(feed, failed=False)
            return 0
        self.validators[feed.url] = (result.etag, result.last_modified)
        try:
            parsed = parse_feed(result.body, url=feed.url, content_type=result.content_type)
        except FeedError as exc:
            await self._feed_failed(feed, exc, stage="feed-parse", payload=result.body)
            return 0
        queued = 0
        for item in parsed.entries[: self.options.max_entries_per_poll]:
            if await self._queue(feed, item):
                queued += 1
        self._schedule(feed, failed=False)
        return queued

    async def _feed_failed(self, feed: FeedConfig, exc: Exception, *, stage: str, payload: bytes | None) -> None:
        first_of_streak = self.failures.get(feed.url, 0) == 0
        self._schedule(feed, failed=True, error=str(exc))
        if first_of_streak:  # one dead letter per failure streak, not one per poll
            body = payload if payload is not None else orjson.dumps(feed.model_dump(mode="json"))
            await self.runtime.dead_letter(stage=stage, error=exc, payload=body, key=feed.url)

    async def _queue(self, feed: FeedConfig, item: FeedItem) -> bool:
        try:
            canonical = canonicalize_url(item.url)
        except ValueError as exc:
            log.info("skipping entry with bad URL %r in %s: %s", item.url, feed.url, exc)
            return False
        key = article_id(canonical)
        if not self.recent.add_if_new(key):
            return False
        request = FetchRequest(
            article_id=key,
            url=item.url,
            canonical_url=canonical,
            feed_entry=FeedEntry(
                feed_url=feed.url,
                feed_name=feed.name,
                title=item.title,
                summary=item.summary,
                published=item.published,
                authors=list(item.authors),
                tags=sorted({*item.tags, *feed.tags}),
                language=feed.language,
            ),
            queued_at=datetime.now(UTC),
        )
        await self.runtime.publish(self.queue_topic, key, request)
        return True


class PageFetcher:
    def __init__(
        self,
        runtime: ServiceRuntime,
        fetcher: PoliteFetcher,
        raw_topic: faust.TopicT,
        seen: MutableMapping[str, Any],
        options: FetcherOptions,
    ) -> None:
        self.runtime = runtime
        self.fetcher = fetcher
        self.raw_topic = raw_topic
        self.seen = seen
        self.options = options

    def already_fetched(self, key: str, now: float) -> bool:
        first_seen = self.seen.get(key)
        return first_seen is not None and now - float(first_seen) < self.options.seen_ttl_days * 86400

    async def handle_batch(self, events: list[faust.EventT[Any]]) -> None:
        self.runtime.metrics.batch_size.labels("page").observe(len(events))
        await asyncio.gather(*(self.handle(event) for event in events))

    async def handle(self, event: faust.EventT[Any]) -> None:
        runtime = self.runtime
        runtime.metrics.messages_in.labels(event.message.topic).inc()
        payload = event.value if isinstance(event.value, bytes) else None
        trace_id = header_value(event.message.headers, TRACE_HEADER)
        with runtime.progress.track():
            try:
                request = loads(FetchRequest, payload)
            except PoisonMessage as exc:
                await runtime.dead_letter(stage="decode", error=exc, payload=payload, key=event.key, event=event)
                return
            if self.already_fetched(request.article_id, time.time()):
                return
            try:
                with runtime.metrics.timed("page"):
                    page = await self.fetcher.fetch_page(request.url)
            except FetchError as exc:
                await runtime.dead_letter(
                    stage="page-fetch", error=exc, payload=payload, key=event.key, event=event, trace_id=trace_id
                )
                self.seen[request.article_id] = time.time()  # a page that failed for good is not retried
                return
            article = raw_article(request, page)
            await runtime.publish(self.raw_topic, article.article_id, article, trace_id)
            # Marked only after the broker acknowledged the article: a crash in between re-fetches
            # (at-least-once) and the downstream ids stay the same.
            self.seen[request.article_id] = time.time()
            runtime.record_outcome(failed=False)

    def expire(self, now: float) -> int:
        ttl = self.options.seen_ttl_days * 86400
        expired = [key for key, first_seen in list(self.seen.items()) if now - float(first_seen) >= ttl]
        for key in expired:
            del self.seen[key]
        return len(expired)


def raw_article(request: FetchRequest, page: PageResult) -> RawArticle:
    return RawArticle(
        article_id=request.article_id,
        url=request.url,
        final_url=page.final_url,
        canonical_url=request.canonical_url,
        feed_entry=request.feed_entry,
        http=HttpFacts(
            status=page.status,
            content_type=page.content_type,
            charset=page.charset,
            etag=page.etag,
            last_modified=page.last_modified,
            fetched_at=datetime.now(UTC),
            elapsed_ms=page.elapsed_s * 1000,
            bytes=page.bytes,
        ),
        html=page.text,
        truncated=page.truncated,
    )
