"""The fetcher's bookkeeping, without a broker: what counts as already fetched, and expiry."""

from __future__ import annotations

from newswire.fetcher.handlers import PageFetcher, RecentIds
from newswire.fetcher.settings import FetcherOptions


def test_recent_ids_remember_a_bounded_number() -> None:
    recent = RecentIds(capacity=2)
    assert recent.add_if_new("a")
    assert not recent.add_if_new("a")
    assert recent.add_if_new("b")
    assert recent.add_if_new("c")  # evicts "a", the least recently seen
    assert recent.add_if_new("a")
    assert not recent.add_if_new("c")


def _pages(seen: dict[str, float], ttl_days: float = 1.0) -> PageFetcher:
    pages = PageFetcher.__new__(PageFetcher)
    pages.seen = seen
    pages.options = FetcherOptions(seen_ttl_days=ttl_days)
    return pages


def test_an_article_is_fetched_once_per_ttl() -> None:
    day = 86400.0
    pages = _pages({"old": 0.0, "new": 10 * day})
    assert pages.already_fetched("new", 10.5 * day)
    assert not pages.already_fetched("old", 10.5 * day)  # its ttl has passed: may be fetched again
    assert not pages.already_fetched("never", 10.5 * day)


def test_expire_drops_only_entries_past_the_ttl() -> None:
    day = 86400.0
    seen = {"old": 0.0, "edge": 9.5 * day, "new": 10 * day}
    assert _pages(seen).expire(10.5 * day) == 2
    assert seen == {"new": 10 * day}
