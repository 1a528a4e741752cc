"""The fetcher's bookkeeping, without a broker: what counts as already fetched, and expiry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from newswire.fetcher.app import create_app
from newswire.fetcher.pages import PageFetcher
from newswire.fetcher.poller import RecentIds
from newswire.fetcher.settings import FetcherOptions, FetcherSettings


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


def _pages(seen: dict[bytes, float], ttl_days: float = 1.0) -> PageFetcher:
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
