"""The feed poller against real HTTP servers on 127.0.0.1, with Kafka replaced by a recorder: conditional
GETs, discovery, Retry-After, retries counted, one dead letter per failure streak, a hand-over between
pollers through their stored feed states, and a stop that lets polls in flight finish."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import generate_latest

from newswire.common.models import FetchRequest
from newswire.fetcher.client import PoliteFetcher
from newswire.fetcher.errors import PermanentFetchError, RetryableFetchError
from newswire.fetcher.feed_state import FeedState, FeedStateStore
from newswire.fetcher.feedsfile import FeedConfig
from newswire.fetcher.policy import FetchPolicy
from newswire.fetcher.poller import FeedHealthCollector, FeedPoller, should_dead_letter
from newswire.fetcher.schedule import PollSchedule
from newswire.fetcher.settings import FetcherOptions, FetcherSettings
from tests.support.http import LocalHttpServer, Reply, Request
from tests.support.runtime import RecordingRuntime

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>One</title><link>https://news.example/one?utm_source=rss</link></item>
<item><title>Two</title><link>https://news.example/two</link></item></channel></rss>"""


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def make_poller(
    tmp_path: Path, clock: Clock
) -> AsyncIterator[Callable[..., tuple[FeedPoller, RecordingRuntime]]]:
    fetchers: list[PoliteFetcher] = []

    def build(
        url: str, state_store: FeedStateStore | None = None, **policy: Any
    ) -> tuple[FeedPoller, RecordingRuntime]:
        runtime = RecordingRuntime(tmp_path, "fetcher", settings_class=FetcherSettings, port=6061)
        settings = {"allow_private": ["127.0.0.1/32"], "per_host_delay": 0, "backoff_base": 0.01, **policy}
        fetcher = PoliteFetcher(FetchPolicy(**settings))
        fetchers.append(fetcher)
        feed = FeedConfig(name="f", url=url, interval=60)
        schedule = PollSchedule(rng=random.Random(1))
        topic = runtime.topic("q")
        options = FetcherOptions()
        poller = FeedPoller(
            runtime, fetcher, [feed], topic, options, schedule=schedule, clock=clock, state_store=state_store
        )
        return poller, runtime

    yield build
    for fetcher in fetchers:
        await fetcher.aclose()


async def test_a_second_poll_is_conditional_and_an_unchanged_feed_costs_a_304(make_poller: Any) -> None:
    def feed(request: Request) -> Reply:
        if request.headers.get("If-None-Match") == '"v1"':
            return 304, {}, b""
        return 200, {"Content-Type": "application/rss+xml", "ETag": '"v1"'}, RSS

    with LocalHttpServer({"/feed.xml": feed}) as server:
        poller, runtime = make_poller(f"{server.base}/feed.xml")
        feed_config = poller.feeds["f"]
        assert await poller.poll(feed_config) == 2
        assert await poller.poll(feed_config) == 0
        assert [r.headers.get("If-None-Match") for r in server.requests_to("/feed.xml")] == [None, '"v1"']
        health = poller.schedule.health("f")
        assert (health.polls, health.not_modified, health.items_total) == (2, 1, 2)
        requests = [sent.message for sent in runtime.published]
        assert all(isinstance(m, FetchRequest) for m in requests)
        assert [m.canonical_url for m in requests if isinstance(m, FetchRequest)] == [
            "https://news.example/one",
            "https://news.example/two",
        ]


async def test_a_page_in_the_feeds_file_is_read_through_the_feed_it_advertises(make_poller: Any) -> None:
    page = b'<html><head><link rel="alternate" type="application/rss+xml" href="/news/rss"></head></html>'
    with LocalHttpServer(
        {
            "/": lambda h: (200, {"Content-Type": "text/html"}, page),
            "/news/rss": lambda h: (200, {"Content-Type": "application/rss+xml"}, RSS),
        }
    ) as server:
        poller, runtime = make_poller(f"{server.base}/")
        assert await poller.poll(poller.feeds["f"]) == 2
        assert poller.feed_url("f") == f"{server.base}/news/rss"
        await poller.poll(poller.feeds["f"])
        assert server.count("/") == 1 and server.count("/news/rss") == 2
        assert poller.health()[0]["feed_url"] == f"{server.base}/news/rss"
        assert runtime.dead == []


async def test_a_page_without_a_feed_is_dead_lettered_with_the_reason(make_poller: Any) -> None:
    with LocalHttpServer(
        {"/": lambda h: (200, {"Content-Type": "text/html"}, b"<html><body>hi</body></html>")}
    ) as server:
        poller, runtime = make_poller(f"{server.base}/")
        assert await poller.poll(poller.feeds["f"]) == 0
        assert [(d.stage, d.key) for d in runtime.dead] == [("feed-discovery", "f")]
        assert "advertises no feed" in runtime.dead[0].error_message


async def test_one_dead_letter_per_failure_streak(make_poller: Any, clock: Clock) -> None:
    state = {"broken": True}

    def feed(request: Request) -> Reply:
        body = b"<rss version='2.0'><channel><title>x</title><<" if state["broken"] else RSS
        return 200, {"Content-Type": "application/rss+xml"}, body

    with LocalHttpServer({"/feed.xml": feed}) as server:
        poller, runtime = make_poller(f"{server.base}/feed.xml")
        feed_config = poller.feeds["f"]
        delays = []
        for _ in range(3):
            clock.now += 1
            await poller.poll(feed_config)
            delays.append(poller.schedule.next_due("f") - clock.now)
        assert len(runtime.dead) == 1 and runtime.dead[0].stage == "feed-parse"
        assert "malformed feed" in runtime.dead[0].error_message
        assert delays == sorted(delays) and delays[-1] > 2 * delays[0], "failures back off"
        state["broken"] = False
        await poller.poll(feed_config)
        state["broken"] = True
        await poller.poll(feed_config)
        assert len(runtime.dead) == 2, "a new streak after a success gets its own record"


async def test_retry_after_and_retries_are_accounted(make_poller: Any, clock: Clock) -> None:
    calls = {"n": 0}

    def flaky(request: Request) -> Reply:
        calls["n"] += 1
        if calls["n"] == 1:
            return 503, {"Retry-After": "0"}, b""
        return 200, {"Content-Type": "application/rss+xml"}, RSS

    with LocalHttpServer({"/flaky.xml": flaky, "/busy.xml": lambda h: (429, {"Retry-After": "7200"}, b"")}) as server:
        poller, runtime = make_poller(f"{server.base}/flaky.xml", max_retries=1)
        assert await poller.poll(poller.feeds["f"]) == 2
        assert runtime.metrics.registry.get_sample_value("newswire_retries_total", {"stage": "feed"}) == 1
        assert poller.schedule.health("f").retries == 1

        busy, busy_runtime = make_poller(f"{server.base}/busy.xml", max_retries=1, retry_after_max=60)
        await busy.poll(busy.feeds["f"])
        assert busy.schedule.next_due("f") - clock.now >= 7200 * 0.9, "Retry-After beyond the interval is honoured"
        health = busy.schedule.health("f")
        assert health.consecutive_failures == 1 and not health.last_error_permanent
        assert busy_runtime.dead == [], "one transient failure is not yet a dead letter"


async def test_entries_whose_queueing_failed_are_queued_at_the_next_poll(make_poller: Any) -> None:
    with LocalHttpServer({"/feed.xml": lambda h: (200, {"Content-Type": "application/rss+xml"}, RSS)}) as server:
        poller, runtime = make_poller(f"{server.base}/feed.xml")
        runtime.broker_down = True
        with pytest.raises(ConnectionError):
            await poller.poll(poller.feeds["f"])
        runtime.broker_down = False
        assert await poller.poll(poller.feeds["f"]) == 2
        assert await poller.poll(poller.feeds["f"]) == 0, "queued once, not at every poll"


def test_dead_letter_policy() -> None:
    transient = RetryableFetchError("timeout", url="https://x.example/", stage="feed-fetch")
    permanent = PermanentFetchError("HTTP 404", 404, url="https://x.example/", stage="feed-fetch")
    assert should_dead_letter(permanent, 1)
    assert not should_dead_letter(transient, 2)
    assert should_dead_letter(transient, 3)


def test_feed_health_is_exported_per_feed(tmp_path: Path) -> None:
    schedule = PollSchedule()
    schedule.add("bbc", "https://bbc.example/rss", 60, now=0)
    schedule.add("dw", "https://dw.example/rss", 60, now=0)
    schedule.record_success("bbc", now=100, items=5, new_items=3, retries=2)
    schedule.record_success("bbc", now=200, items=5, new_items=0, not_modified=True)
    schedule.record_failure("dw", now=150, reason="HTTP 500")
    runtime = RecordingRuntime(tmp_path, "fetcher", settings_class=FetcherSettings, port=6061)
    runtime.metrics.registry.register(FeedHealthCollector(schedule.all_health))
    text = generate_latest(runtime.metrics.registry).decode()
    assert 'newswire_feed_polls_total{feed="bbc"} 2.0' in text
    assert 'newswire_feed_not_modified_ratio{feed="bbc"} 0.5' in text
    assert 'newswire_feed_retries_total{feed="bbc"} 2.0' in text
    assert 'newswire_feed_new_items_total{feed="bbc"} 3.0' in text
    assert 'newswire_feed_last_success_timestamp_seconds{feed="bbc"} 200.0' in text
    assert 'newswire_feed_last_error_timestamp_seconds{feed="dw"} 150.0' in text
    assert 'newswire_feed_consecutive_failures{feed="dw"} 1.0' in text
    assert 'newswire_feed_last_success_timestamp_seconds{feed="dw"}' not in text, "never succeeded: no sample"


class MemoryFeedStates:
    """A `FeedStateStore` in a dict: what a Kafka-backed one holds once every write has been read back."""

    def __init__(self) -> None:
        self.states: dict[str, FeedState] = {}

    async def latest(self, timeout_s: float) -> dict[str, FeedState]:
        return dict(self.states)

    async def save(self, state: FeedState) -> None:
        self.states[state.name] = state


RSS_THREE = RSS.replace(
    b"</channel>", b"<item><title>Three</title><link>https://news.example/three</link></item></channel>"
)


async def test_a_new_leader_goes_on_from_the_state_the_last_one_saved(make_poller: Any, clock: Clock) -> None:
    version: dict[str, Any] = {"etag": '"v1"', "body": RSS}

    def feed(request: Request) -> Reply:
        if request.headers.get("If-None-Match") == version["etag"]:
            return 304, {}, b""
        return 200, {"Content-Type": "application/rss+xml", "ETag": version["etag"]}, version["body"]

    with LocalHttpServer({"/feed.xml": feed}) as server:
        store = MemoryFeedStates()
        old, old_runtime = make_poller(f"{server.base}/feed.xml", state_store=store)
        await old._poll_guarded(old.feeds["f"], asyncio.Semaphore(1))
        assert len(old_runtime.published) == 2
        saved = store.states["f"]
        assert FeedState.decode(saved.encode()) == saved
        assert saved.schedule["etag"] == '"v1"' and len(saved.last_entries) == 2

        new, _ = make_poller(f"{server.base}/feed.xml", state_store=store)
        clock.now += 5
        await new.take_over()
        assert new.schedule.next_due("f") == clock.now, "a restored feed is polled at once"
        assert await new.poll(new.feeds["f"]) == 0
        assert [r.headers.get("If-None-Match") for r in server.requests_to("/feed.xml")] == [None, '"v1"']
        health = new.schedule.health("f")
        assert (health.polls, health.not_modified, health.items_total) == (2, 1, 2), "health goes on"

        version.update(etag='"v2"', body=RSS_THREE)
        # The last leader's final requests may be what a hand-over loses: the new leader offers what the
        # feed lists once more (the seen-table skips those already fetched).
        assert await new.poll(new.feeds["f"]) == 3
        assert await new.poll(new.feeds["f"]) == 0, "then as usual: queued once"


async def test_a_stored_state_is_not_restored_for_a_feed_that_moved_or_was_polled_later(
    make_poller: Any, clock: Clock
) -> None:
    store, url = MemoryFeedStates(), "https://news.example/feed.xml"
    poller, _ = make_poller(url, state_store=store)
    exported = poller.schedule.export("f") | {"etag": '"old"'}
    moved = FeedState("f", "https://old.example/feed.xml", "https://old.example/feed.xml", exported, ("x",), clock.now)
    store.states["f"] = moved
    await poller.take_over()
    assert poller.schedule.validators("f") == (None, None) and "x" not in poller.recent._ids

    store.states["f"] = FeedState("f", url, url, exported, (), 1.0)
    poller.schedule.record_success("f", now=clock.now, items=0, new_items=0)
    await poller.take_over()
    assert poller.schedule.validators("f") == (None, None), "its own later poll wins over an older record"

    broken = FeedState("f", url, url, {"health": 3}, (), 2e9)
    store.states["f"] = broken
    await poller.take_over()
    assert poller.schedule.health("f").polls == 1, "a malformed record leaves the feed as it was"
    for bad in (b"[]", b"{", b'{"name": "f"}'):
        with pytest.raises(ValueError, match="feed state"):
            FeedState.decode(bad)


async def test_stop_lets_a_poll_in_flight_queue_its_entries_and_starts_no_other(make_poller: Any, clock: Clock) -> None:
    started = threading.Event()

    def slow_feed(request: Request) -> Reply:
        started.set()
        time.sleep(0.5)
        return 200, {"Content-Type": "application/rss+xml"}, RSS

    with LocalHttpServer({"/feed.xml": slow_feed}) as server:
        store = MemoryFeedStates()
        poller, runtime = make_poller(f"{server.base}/feed.xml", state_store=store)
        clock.now += 120  # past the spread first poll
        running = asyncio.create_task(poller.run())
        assert await asyncio.to_thread(started.wait, 10)
        await poller.stop()
        await asyncio.wait_for(running, 5)
        assert len(runtime.published) == 2, "the poll in flight queued what it read"
        assert store.states["f"].schedule["health"]["successes"] == 1, "and saved its state"
        clock.now += 3600
        await asyncio.sleep(1.2)
        assert server.count("/feed.xml") == 1, "no poll after stop"


async def test_polling_rests_during_a_rebalance_and_what_was_queued_around_it_is_offered_again(
    make_poller: Any,
) -> None:
    with LocalHttpServer({"/feed.xml": lambda h: (200, {"Content-Type": "application/rss+xml"}, RSS)}) as server:
        poller, _ = make_poller(f"{server.base}/feed.xml")
        assert await poller.poll(poller.feeds["f"]) == 2
        assert poller._settled()
        poller.rebalance_started()
        assert not poller._settled(), "no poll while partitions change hands"
        poller.rebalance_completed()
        assert not poller._settled(), "nor during the grace after the group settled"
        assert await poller.poll(poller.feeds["f"]) == 2, "queued just before the rebalance: offered again"
        assert await poller.poll(poller.feeds["f"]) == 0
