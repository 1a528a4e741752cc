"""The fetcher's second stage: the page agent owns a key-partitioned, changelog-backed seen-table, so that
however many fetcher instances run, and however often they restart, each article queued by the poller
(poller.py) is fetched by exactly one owner and emitted once.

A page whose rel=canonical names another URL is not emitted by the instance that fetched it: that
instance cannot see the canonical id's entry in the seen-table (another instance may own it). It marks
its own id as seen and re-queues the canonical URL keyed by the canonical id, so that the owner of that
id decides, once, whether the article is new. The re-queued request carries a header saying so, which
bounds the chain at one hop. The seen-table entry of a page that forwarded keeps the canonical URL, so
that when the poller offers the page again (`RecentIds`), the forward is sent again: a forwarded request
lost on the way gets the same second chance as any other, and the owner skips one it has fetched.
"""

from __future__ import annotations

import logging
import time
from collections.abc import MutableMapping
from datetime import UTC, datetime
from typing import Any

import faust

from ..common.models import FetchRequest, HttpFacts, RawArticle
from ..common.runtime import TRACE_HEADER, Outcome, ServiceRuntime, header_value
from ..common.serde import PoisonMessage, loads
from ..errors import Unprocessable
from .client import PageResult, PoliteFetcher
from .errors import FetchError
from .settings import FetcherOptions
from .urls import article_id, page_canonical_url

log = logging.getLogger(__name__)

CANONICAL_OF_HEADER = "canonical_of"


class PageFetcher:
    def __init__(
        self,
        runtime: ServiceRuntime,
        fetcher: PoliteFetcher,
        raw_topic: faust.TopicT,
        seen: MutableMapping[bytes, Any],
        options: FetcherOptions,
        queue_topic: faust.TopicT | None = None,
    ) -> None:
        self.runtime = runtime
        self.fetcher = fetcher
        self.raw_topic = raw_topic
        self.queue_topic = queue_topic
        self.seen = seen
        self.options = options
        # Ids being fetched by this instance right now: a batch may hold the same id twice (two feeds
        # list one article), and the seen-table is written only once the first copy is emitted.
        self.inflight: set[str] = set()

    def already_fetched(self, key: str, now: float) -> bool:
        return self._live_entry(key, now) is not None

    def _live_entry(self, key: str, now: float) -> Any:
        entry = self.seen.get(key.encode())
        if entry is None or now - seen_at(entry) >= self.options.seen_ttl_days * 86400:
            return None
        return entry

    async def handle(self, event: faust.EventT[Any]) -> Outcome:
        """Fetch and emit one queued page; a request that does not decode, or a page that cannot be had,
        is `Unprocessable` (dead-lettered by the runtime), and one already fetched or in flight is skipped."""
        runtime = self.runtime
        runtime.metrics.messages_in.labels(event.message.topic).inc()
        payload = event.value if isinstance(event.value, bytes) else None
        trace_id = header_value(event.message.headers, TRACE_HEADER)
        forwarded = header_value(event.message.headers, CANONICAL_OF_HEADER) is not None
        with runtime.progress.track():
            try:
                request = loads(FetchRequest, payload)
            except PoisonMessage as exc:
                raise Unprocessable("decode", exc) from exc
            key = request.article_id
            entry = None if key in self.inflight else self._live_entry(key, time.time())
            if key in self.inflight or entry is not None:
                canonical = forwarded_to(entry)
                if canonical is not None and not forwarded and self.queue_topic is not None:
                    log.debug("%s (%s) was forwarded to %s; forwarded again", request.url, key[:12], canonical)
                    await self._forward(request, canonical, article_id(canonical), trace_id)
                    return Outcome.HANDLED
                log.debug("%s (%s) already fetched or in flight; skipped", request.url, key[:12])
                return Outcome.SKIPPED
            log.debug("fetching %s (%s) from %s[%s]@%s", request.url, key[:12], *_position(event))
            self.inflight.add(key)
            try:
                await self._fetch_and_emit(request, trace_id, forwarded=forwarded)
            finally:
                self.inflight.discard(key)
            return Outcome.HANDLED

    async def _fetch_and_emit(self, request: FetchRequest, trace_id: str | None, *, forwarded: bool) -> None:
        runtime = self.runtime
        key = request.article_id
        try:
            with runtime.metrics.timed("page"):
                page = await self.fetcher.fetch_page(request.url)
        except FetchError as exc:
            if exc.retries:
                runtime.metrics.retries.labels("page").inc(exc.retries)

            async def mark_seen() -> None:
                await self._mark_seen(key)  # a page that failed is not fetched again: one DLQ record per page

            raise Unprocessable("page-fetch", exc, attempts=exc.retries + 1, then=mark_seen) from exc
        if page.retries:
            runtime.metrics.retries.labels("page").inc(page.retries)
        canonical = page_canonical_url(page.text, page.final_url)
        canonical_id = article_id(canonical)
        if canonical_id != key and not forwarded and self.queue_topic is not None:
            log.debug("%s declares canonical %s; forwarding to its owner", request.url, canonical)
            await self._forward(request, canonical, canonical_id, trace_id)
            await self._mark_seen(key, forwarded_to=canonical)
            return
        article = raw_article(request, page)
        await runtime.publish(self.raw_topic, article.article_id, article, trace_id)
        log.debug("emitted %s (%s)", request.url, key[:12])
        # Marked only after the broker acknowledged the article: a crash in between re-fetches
        # (at-least-once) and the downstream ids stay the same.
        await self._mark_seen(key)

    async def _mark_seen(self, key: str, *, forwarded_to: str | None = None) -> None:
        """Remember `key` and wait until its changelog entry is on the broker, so that a crash (kill -9)
        right after emitting leaves a window of one broker round trip, not one producer-buffer flush."""
        now = time.time()
        self.seen[key.encode()] = now if forwarded_to is None else [now, forwarded_to]
        await self.runtime.app.producer.flush()

    async def _forward(self, request: FetchRequest, canonical: str, canonical_id: str, trace_id: str | None) -> None:
        """Hand the article to the owner of its canonical id (see the module docstring)."""
        assert self.queue_topic is not None
        forwarded = request.model_copy(
            update={
                "article_id": canonical_id,
                "url": canonical,
                "canonical_url": canonical,
                "queued_at": datetime.now(UTC),
            }
        )
        await self.runtime.publish(
            self.queue_topic,
            canonical_id,
            forwarded,
            trace_id,
            headers=[(CANONICAL_OF_HEADER, request.article_id.encode())],
        )

    def expire(self, now: float) -> int:
        ttl = self.options.seen_ttl_days * 86400
        expired = [key for key, entry in list(self.seen.items()) if now - seen_at(entry) >= ttl]
        for key in expired:
            del self.seen[key]
        return len(expired)


def seen_at(entry: Any) -> float:
    """When a seen-table entry was written: a timestamp, or [timestamp, canonical URL] for a page that
    forwarded (entries written before forwards were kept are bare timestamps)."""
    return float(entry[0] if isinstance(entry, list | tuple) else entry)


def forwarded_to(entry: Any) -> str | None:
    """The canonical URL a page was forwarded to, if its seen-table entry says so."""
    return str(entry[1]) if isinstance(entry, list | tuple) and len(entry) > 1 else None


def _position(event: faust.EventT[Any]) -> tuple[str, int, int]:
    return event.message.topic, event.message.partition, event.message.offset


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
