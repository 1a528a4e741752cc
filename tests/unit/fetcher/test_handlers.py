"""The fetcher's bookkeeping, without a broker: what counts as already fetched, and expiry."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, MagicMock

from newswire.common.models import FeedEntry, FetchRequest
from newswire.common.runtime import Outcome
from newswire.fetcher.app import create_app
from newswire.fetcher.client import PageResult
from newswire.fetcher.pages import CANONICAL_OF_HEADER, PageFetcher, forwarded_to
from newswire.fetcher.poller import RecentIds
from newswire.fetcher.settings import FetcherOptions, FetcherSettings
from newswire.fetcher.urls import article_id, canonicalize_url


def test_recent_ids_remember_a_bounded_number() -> None:
    recent = RecentIds(capacity=2)
    assert recent.add_if_new("a")
    assert not recent.add_if_new("a")
    assert recent.add_if_new("b")
    assert recent.add_if_new("c")  # evicts "a", the least recently seen
    assert recent.add_if_new("a")
    assert not recent.add_if_new("c")
    recent.discard("c")  # its queueing failed: the next poll must queue it again
    assert recent.add_if_new("c")


def _pages(seen: dict[bytes, Any], ttl_days: float = 1.0) -> PageFetcher:
    pages = PageFetcher.__new__(PageFetcher)
    pages.seen = seen
    pages.options = FetcherOptions(seen_ttl_days=ttl_days)
    return pages


def test_an_article_is_fetched_once_per_ttl() -> None:
    day = 86400.0
    pages = _pages({b"old": 0.0, b"new": 10 * day})
    assert pages.already_fetched("new", 10.5 * day)
    assert not pages.already_fetched("old", 10.5 * day)  # its ttl has passed: may be fetched again
    assert not pages.already_fetched("never", 10.5 * day)


def test_expire_drops_only_entries_past_the_ttl() -> None:
    day = 86400.0
    seen = {b"old": 0.0, b"edge": 9.5 * day, b"new": 10 * day}
    assert _pages(seen).expire(10.5 * day) == 2
    assert seen == {b"new": 10 * day}


def test_the_seen_table_changelog_is_keyed_with_the_same_bytes_as_fetcher_urls(tmp_path: Path) -> None:
    """The changelog entry must hash to the partition of the fetcher.urls message it belongs to, or a new
    owner recovers a seen-table without it after a rebalance (and emits the article again)."""
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds: []\n", encoding="utf-8")
    settings = FetcherSettings(
        kafka={"bootstrap_servers": "127.0.0.1:9"}, data_dir=tmp_path, fetcher={"feeds_file": feeds}
    )
    app = create_app(settings).app
    table: Any = app.tables["seen-articles"]
    key = "ab" * 32
    changelog_key = app.serializers.dumps_key(table.key_type, key.encode(), serializer=table.key_serializer)
    assert changelog_key == key.encode()
    assert table.use_partitioner and table.partitions == settings.kafka.partitions


def test_an_entry_still_listed_is_offered_again_after_a_while() -> None:
    now = [0.0]
    recent = RecentIds(reoffer_after_s=60.0, clock=lambda: now[0])
    assert recent.add_if_new("a")
    now[0] = 59.0
    assert not recent.add_if_new("a"), "polled again within the minute: not queued again"
    now[0] = 61.0
    assert recent.add_if_new("a"), "still listed a minute after it was queued: offered once more"
    now[0] = 100.0
    assert not recent.add_if_new("a"), "and then not again until another minute has passed"


class _Recorder:
    """The runtime and clients a PageFetcher talks to, recording what it publishes."""

    def __init__(self) -> None:
        self.published: list[tuple[str, str, dict[str, Any]]] = []
        self.metrics = MagicMock()
        self.progress = MagicMock()
        self.app = MagicMock()
        self.app.producer.flush = AsyncMock()

    async def publish(self, topic: Any, key: str, message: Any, trace_id: Any = None, **_: Any) -> None:
        self.published.append((topic, key, message.model_dump(mode="json")))


def _redirecting_site(fetched: list[str]) -> Any:
    """/a/1 redirects to /r/1, the page's own address."""

    async def fetch_page(url: str) -> PageResult:
        fetched.append(url)
        final = url.replace("/a/", "/r/")
        return PageResult(
            url=url, final_url=final, status=200, content_type="text/html", charset="utf-8", etag=None,
            last_modified=None, text="<html><body><p>Story.</p></body></html>", body=b"", n_bytes=40,
            wire_bytes=40, truncated=False, elapsed_s=0.01, fetched_at=datetime.now(UTC), retries=0, redirects=1,
        )  # fmt: skip

    client = MagicMock()
    client.fetch_page = fetch_page
    return client


def _request_event(url: str, headers: list[tuple[str, bytes]] | None = None) -> Any:
    request = FetchRequest(
        article_id=article_id(canonicalize_url(url)),
        url=url,
        canonical_url=canonicalize_url(url),
        feed_entry=FeedEntry(feed_url="http://news.example/feed.xml", feed_name="f"),
        queued_at=datetime.now(UTC),
    )
    event = MagicMock()
    event.value = request.model_dump_json().encode()
    event.message.headers = headers or []
    event.message.topic, event.message.partition, event.message.offset = "fetcher.urls", 0, 0
    return event


async def test_a_page_offered_again_after_forwarding_forwards_again() -> None:
    """A redirected page is handed to the owner of the address it landed on. Offered again by the poller,
    it is forwarded again rather than skipped: a forward lost on the way (the chaos harness lost one when a
    rebalance followed it) gets the second chance a lost request gets; the owner skips one it fetched."""
    runtime, fetched, seen = _Recorder(), list[str](), dict[bytes, Any]()
    pages = PageFetcher(runtime, _redirecting_site(fetched), "raw", seen, FetcherOptions(), queue_topic="queue")  # type: ignore[arg-type]
    landed = article_id(canonicalize_url("http://news.example/r/1"))

    assert await pages.handle(_request_event("http://news.example/a/1")) is Outcome.HANDLED
    assert [(topic, key) for topic, key, _ in runtime.published] == [("queue", landed)]
    assert runtime.published[0][2]["url"] == "http://news.example/r/1"

    assert await pages.handle(_request_event("http://news.example/a/1")) is Outcome.HANDLED
    assert fetched == ["http://news.example/a/1"]  # not fetched again: the forward is sent from the table
    assert [(topic, key) for topic, key, _ in runtime.published] == [("queue", landed), ("queue", landed)]

    forward = _request_event("http://news.example/r/1", headers=[(CANONICAL_OF_HEADER, b"x")])
    assert await pages.handle(forward) is Outcome.HANDLED
    assert [topic for topic, _, _ in runtime.published][-1] == "raw"
    assert await pages.handle(forward) is Outcome.SKIPPED  # the owner fetched it: the next forward is a no-op
    assert fetched == ["http://news.example/a/1", "http://news.example/r/1"]


def test_seen_entries_of_forwarded_pages_expire_like_the_others() -> None:
    day = 86400.0
    seen: dict[bytes, Any] = {b"bare": 0.0, b"forwarded": [0.0, "http://x/r/1"], b"fresh": [10 * day, "http://x/r/2"]}
    assert _pages(seen).expire(10.5 * day) == 2
    assert list(seen) == [b"fresh"]
    assert forwarded_to(seen[b"fresh"]) == "http://x/r/2" and forwarded_to(10.0) is None
