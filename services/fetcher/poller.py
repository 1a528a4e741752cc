"""The fetcher's first stage: the feed poller reads the feeds of the feeds file on their schedule and
queues each entry's URL on `fetcher.urls` keyed by article_id, for the page stage (pages.py) whose
seen-table decides, once per article, whether it is fetched.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import faust
import orjson
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from ..common.charsets import decode_html
from ..common.models import FeedEntry, FetchRequest
from ..common.runtime import ServiceRuntime
from .client import FeedResult, PoliteFetcher
from .errors import FetchError, PermanentFetchError
from .feed_state import FeedState, FeedStateStore
from .feeds import FeedError, FeedItem, ParsedFeed, discover_feeds, parse_feed
from .feedsfile import FeedConfig
from .schedule import FeedHealth, PollSchedule
from .settings import FetcherOptions
from .urls import article_id, canonicalize_url

log = logging.getLogger(__name__)

# A feed that keeps failing for a transient reason (timeouts, 503) is dead-lettered once it has failed
# this many polls in a row; a permanent failure (404, malformed feed) is dead-lettered at once.
TRANSIENT_FAILURES_BEFORE_DLQ = 3
# How long a new leader waits to read the feed states the last one wrote, and a stopping poller waits
# for its polls in flight to queue their entries.
TAKE_OVER_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 30.0
# Polling rests this long after the group settles, and what was queued this long before a rebalance
# began is offered again (see `FeedPoller.rebalance_started`).
REBALANCE_GRACE_S = 3.0


class RecentIds:
    """A bounded memory of ids queued lately, so that an unchanged feed does not re-queue its entries on
    every poll; the seen-table, not this, is what guarantees one fetch per article.

    An entry still listed `reoffer_after_s` after it was queued is queued once more. For an article
    already fetched that costs one seen-table lookup; for one whose request was lost on the way (a
    request produced while its partition changed hands has been seen to vanish, see the README) it is
    the second chance."""

    def __init__(
        self,
        capacity: int = 100_000,
        reoffer_after_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ids: OrderedDict[str, float] = OrderedDict()
        self._capacity = capacity
        self._reoffer_after_s = reoffer_after_s
        self._clock = clock

    def add_if_new(self, key: str) -> bool:
        now = self._clock()
        queued_at = self._ids.get(key)
        if queued_at is not None and (self._reoffer_after_s is None or now - queued_at < self._reoffer_after_s):
            self._ids.move_to_end(key)
            return False
        self._ids[key] = now
        self._ids.move_to_end(key)
        if len(self._ids) > self._capacity:
            self._ids.popitem(last=False)
        return True

    def discard(self, key: str) -> None:
        """Forget a key whose queueing failed, so that the next poll queues it again."""
        self._ids.pop(key, None)

    def forget_since(self, since: float) -> int:
        """Forget the keys queued at or after `since` (this memory's clock), so that they are queued again."""
        recent = [key for key, queued_at in self._ids.items() if queued_at >= since]
        for key in recent:
            del self._ids[key]
        return len(recent)


def should_dead_letter(failure: FetchError, consecutive_failures: int) -> bool:
    """Whether this failure of a streak earns a DLQ record (the caller sends at most one per streak)."""
    return failure.permanent or consecutive_failures >= TRANSIENT_FAILURES_BEFORE_DLQ


class FeedPoller:
    """Polls the feeds of the feeds file on their `PollSchedule`; only one fetcher instance (the consumer
    group's leader, see `should_poll`) polls at a time, so N instances do not poll every feed N times."""

    def __init__(
        self,
        runtime: ServiceRuntime,
        fetcher: PoliteFetcher,
        feeds: list[FeedConfig],
        queue_topic: faust.TopicT,
        options: FetcherOptions,
        *,
        schedule: PollSchedule | None = None,
        should_poll: Callable[[], bool] = lambda: True,
        clock: Callable[[], float] = time.time,
        state_store: FeedStateStore | None = None,
    ) -> None:
        self.runtime = runtime
        self.fetcher = fetcher
        self.feeds = {feed.name: feed for feed in feeds}
        self.queue_topic = queue_topic
        self.options = options
        self.should_poll = should_poll
        self.clock = clock
        self.recent = RecentIds(reoffer_after_s=options.reoffer_after_s)
        # Wall-clock time: FeedHealth timestamps go to /metrics and `feeds status` as they are.
        self.schedule = schedule or PollSchedule(initial_spread=options.first_poll_spread_s)
        self.schedule.add_all(((feed.name, feed.url, feed.interval) for feed in feeds), now=clock())
        self.state_store = state_store
        self.discovered: dict[str, str] = {}  # feed name -> feed URL found on the page the feeds file names
        self.last_entries: dict[str, tuple[str, ...]] = {}  # feed name -> ids it listed at its last poll
        self._dead_lettered: set[str] = set()  # feeds whose current failure streak already has a DLQ record
        self._running: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()
        self._rebalancing_since: float | None = None  # monotonic
        self._quiet_until = 0.0  # monotonic

    def feed_url(self, name: str) -> str:
        return self.discovered.get(name, self.feeds[name].url)

    def health(self) -> list[dict[str, Any]]:
        """What `/feeds` serves: the schedule's health records plus where each feed is really read from."""
        now = self.clock()
        records = []
        for health in self.schedule.all_health():
            record = health.to_dict()
            record["feed_url"] = self.feed_url(health.name)
            due = self.schedule.next_due(health.name)
            record["next_poll_in_s"] = None if due == float("inf") else max(0.0, due - now)
            records.append(record)
        return records

    async def run(self) -> None:
        """Poll while this instance is the leader, until `stop`; on becoming the leader, take over first."""
        semaphore = asyncio.Semaphore(self.options.feed_concurrency)
        leading = False
        while not self._stopping.is_set():
            self.runtime.progress.heartbeat("feed-poller", max_silence_s=120)
            now = self.clock()
            if self.should_poll() and self._settled():
                if not leading:
                    await self.take_over()
                    leading, now = True, self.clock()
                for name in self.schedule.claim_due(now):
                    task = asyncio.create_task(self._poll_guarded(self.feeds[name], semaphore))
                    self._running.add(task)
                    task.add_done_callback(self._running.discard)
            elif not self.should_poll():
                leading = False
            wait = self.schedule.seconds_until_next(now)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), max(0.05, min(1.0, wait if wait is not None else 1.0)))

    def rebalance_started(self) -> None:
        """Partitions of `fetcher.urls` are changing hands. Polling rests until the group has settled,
        and whatever was queued shortly before is offered again (a no-op for what was fetched): a guard
        kept from before the lost requests the chaos harness saw here were traced to Faust committing
        past a URL still in hand (see `ServiceRuntime.consume_concurrently`)."""
        if self._rebalancing_since is None:
            self._rebalancing_since = time.monotonic()

    def rebalance_completed(self) -> None:
        since, self._rebalancing_since = self._rebalancing_since, None
        self._quiet_until = time.monotonic() + REBALANCE_GRACE_S
        if since is not None:
            forgotten = self.recent.forget_since(since - REBALANCE_GRACE_S)
            if forgotten:
                log.info("rebalance: %d entries queued around it will be offered again", forgotten)

    def _settled(self) -> bool:
        return self._rebalancing_since is None and time.monotonic() >= self._quiet_until

    async def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> None:
        """Start no poll from now on and let those in flight queue their entries and write their state.

        Called before the app stops its producer: a poll left running after that would read the feed and
        fail to queue what it read, and a feed that moves on meanwhile would lose entries for good."""
        self._stopping.set()
        if self._running:
            _, late = await asyncio.wait(set(self._running), timeout=timeout_s)
            if late:
                log.warning("%d feed polls still running after %.0fs; cancelled", len(late), timeout_s)
                for task in late:
                    task.cancel()

    async def take_over(self) -> None:
        """Go on from the feed states the last leader wrote: validators, back-off, health and the entries
        it queued; every feed restored is due at once (thanks to the validators, an unchanged feed costs
        a 304). Feeds without a state keep their spread first polls."""
        if self.state_store is None:
            return
        stored = await self.state_store.latest(TAKE_OVER_TIMEOUT_S)
        now, restored = self.clock(), 0
        for name, feed in self.feeds.items():
            state = stored.get(name)
            if state is None or state.configured_url != feed.url or self.schedule.in_flight(name):
                continue
            own_last_poll = self.schedule.health(name).last_poll
            if own_last_poll is not None and own_last_poll > state.saved_at:
                continue  # this instance polled it later than the stored state (it led before)
            try:
                self.schedule.restore(name, state.schedule, due=now)
            except ValueError as exc:
                log.warning("feed %s: stored state not restored: %s", name, exc)
                continue
            if state.feed_url != feed.url:
                self.discovered[name] = state.feed_url
            # The entries it listed are not taken as queued: the last leader's final requests may be the
            # ones a hand-over loses (see `rebalance_started`); queued again, the seen-table skips them.
            self.last_entries[name] = state.last_entries
            restored += 1
        log.info("polling feeds: %d of %d feeds go on from the state of the last poller", restored, len(self.feeds))

    async def _save_state(self, feed: FeedConfig) -> None:
        """Write where this feed stands, for the next leader; a failure costs the next leader a full
        GET of this feed, not an entry, so it is logged and polling goes on."""
        if self.state_store is None:
            return
        state = FeedState(
            name=feed.name,
            configured_url=feed.url,
            feed_url=self.feed_url(feed.name),
            schedule=self.schedule.export(feed.name),
            last_entries=self.last_entries.get(feed.name, ()),
            saved_at=self.clock(),
        )
        try:
            await self.state_store.save(state)
        except Exception as exc:
            log.warning("feed %s: state not saved: %s: %s", feed.name, type(exc).__name__, exc)

    async def _poll_guarded(self, feed: FeedConfig, semaphore: asyncio.Semaphore) -> None:
        async with semaphore:
            if self._stopping.is_set():  # claimed before `stop`, waited for a slot until after it
                return
            try:
                await self.poll(feed)
            except Exception as exc:  # a bug must not stop this feed's schedule for good
                log.exception("poll of feed %s failed", feed.name)
                self.schedule.record_failure(feed.name, now=self.clock(), reason=f"{type(exc).__name__}: {exc}")
            await self._save_state(feed)

    async def poll(self, feed: FeedConfig) -> int:
        """Poll one feed and queue its new entries; returns how many were queued."""
        try:
            with self.runtime.metrics.timed("feed"):
                result, parsed, retries = await self._read(feed)
        except FetchError as failure:
            self._count_retries("feed", failure.retries)
            await self._failed(feed, failure)
            return 0
        self._count_retries("feed", retries)
        self._dead_lettered.discard(feed.name)
        if parsed is None:  # 304: the feed did not change
            self.schedule.record_success(
                feed.name, now=self.clock(), items=0, new_items=0, not_modified=True, retries=retries
            )
            self.runtime.record_outcome(failed=False)
            return 0
        queued, shown = 0, []
        for item in parsed.entries[: self.options.max_entries_per_poll]:
            key = entry_key(item, feed.name)
            if key is None:
                continue
            shown.append(key)
            if await self._queue(feed, item, key):
                queued += 1
        self.last_entries[feed.name] = tuple(shown)
        self.schedule.record_success(
            feed.name,
            now=self.clock(),
            items=len(parsed.entries),
            new_items=queued,
            retries=retries,
            etag=result.etag,
            last_modified=result.last_modified,
        )
        self.runtime.record_outcome(failed=False)
        return queued

    async def _read(self, feed: FeedConfig) -> tuple[FeedResult, ParsedFeed | None, int]:
        """Fetch (conditionally) and parse the feed; a page instead of a feed is searched for its feed,
        which is then remembered. Returns (result, parsed or None when unchanged, retries)."""
        url = self.feed_url(feed.name)
        etag, last_modified = self.schedule.validators(feed.name)
        result = await self._fetch_feed(url, etag=etag, last_modified=last_modified)
        if result.not_modified:
            return result, None, result.retries
        try:
            return (
                result,
                parse_feed(result.body, url=result.final_url, content_type=result.content_type),
                result.retries,
            )
        except FeedError as exc:
            if not exc.html_page or feed.name in self.discovered:
                retries = result.retries
                raise PermanentFetchError(exc.reason, url=url, retries=retries, stage="feed-parse") from None
            page_text, _ = decode_html(result.body, result.content_type)
        found = discover_feeds(page_text, result.final_url)
        if not found:
            reason = "not a feed: the page advertises no feed (<link rel=alternate>)"
            raise PermanentFetchError(reason, url=url, retries=result.retries, stage="feed-discovery")
        log.info("feed %s: %s is a page; reading its feed %s", feed.name, url, found[0])
        self.discovered[feed.name] = found[0]
        feed_result = await self._fetch_feed(found[0], retries_before=result.retries)
        retries = result.retries + feed_result.retries
        try:
            parsed = parse_feed(feed_result.body, url=feed_result.final_url, content_type=feed_result.content_type)
        except FeedError as exc:
            raise PermanentFetchError(exc.reason, url=found[0], retries=retries, stage="feed-parse") from None
        return feed_result, parsed, retries

    async def _fetch_feed(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None, retries_before: int = 0
    ) -> FeedResult:
        try:
            return await self.fetcher.fetch_feed(url, etag=etag, last_modified=last_modified)
        except FetchError as exc:
            exc.url, exc.stage = url, "feed-fetch"
            exc.retries += retries_before
            raise

    def _count_retries(self, stage: str, retries: int) -> None:
        if retries:
            self.runtime.metrics.retries.labels(stage).inc(retries)

    async def _failed(self, feed: FeedConfig, failure: FetchError) -> None:
        """What fails here is a feed, not a consumed message, so it is dead-lettered by hand (with
        `runtime.dead_letter`, not through the consume path) under its own policy: once per failure streak,
        when `should_dead_letter` says the streak is long enough."""
        health = self.schedule.health(feed.name)
        self.schedule.record_failure(
            feed.name,
            now=self.clock(),
            reason=failure.reason,
            permanent=failure.permanent,
            retries=failure.retries,
            retry_after=failure.retry_after,
        )
        if failure.permanent and feed.name in self.discovered:
            del self.discovered[feed.name]  # the site may have moved its feed: look again next time
        log.info("feed %s (%s) failed: %s", feed.name, failure.url, failure.reason)
        if feed.name in self._dead_lettered or not should_dead_letter(failure, health.consecutive_failures):
            return
        self._dead_lettered.add(feed.name)
        payload = orjson.dumps(
            {
                "feed": feed.model_dump(mode="json"),
                "fetched_url": failure.url,
                "permanent": failure.permanent,
                "consecutive_failures": health.consecutive_failures,
            }
        )
        error = FeedError(f"{failure.url}: {failure.reason}")
        await self.runtime.dead_letter(
            stage=failure.stage, error=error, payload=payload, key=feed.name, attempts=failure.retries + 1
        )

    async def _queue(self, feed: FeedConfig, item: FeedItem, key: str) -> bool:
        if not self.recent.add_if_new(key):
            return False
        request = FetchRequest(
            article_id=key,
            url=item.url,
            canonical_url=canonicalize_url(item.url),
            feed_entry=FeedEntry(
                feed_url=self.feed_url(feed.name),
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
        try:
            await self.runtime.publish(self.queue_topic, key, request)
        except BaseException:
            self.recent.discard(key)
            raise
        return True


def entry_key(item: FeedItem, feed_name: str) -> str | None:
    """The article id of a feed entry, or None for an entry whose URL cannot be fetched."""
    try:
        return article_id(canonicalize_url(item.url))
    except ValueError as exc:
        log.info("skipping entry with bad URL %r in %s: %s", item.url, feed_name, exc)
        return None


class FeedHealthCollector(Collector):
    """Per-feed health for `/metrics`, read from the schedule at scrape time. Labelled by feed name
    only, so the series are bounded by the feeds file."""

    def __init__(self, health: Callable[[], Iterable[FeedHealth]]) -> None:
        self._health = health

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        feeds = list(self._health())
        counters = {
            "polls": ("newswire_feed_polls_total", "Polls of the feed"),
            "failures": ("newswire_feed_failures_total", "Failed polls of the feed"),
            "not_modified": ("newswire_feed_not_modified_total", "Polls answered 304 Not Modified"),
            "items_total": ("newswire_feed_new_items_total", "Entries queued for fetching"),
            "retries": ("newswire_feed_retries_total", "Transient failures retried while polling"),
        }
        for attribute, (name, documentation) in counters.items():
            counter = CounterMetricFamily(name.removesuffix("_total"), documentation, labels=["feed"])
            for health in feeds:
                counter.add_metric([health.name], float(getattr(health, attribute)))
            yield counter
        gauges: dict[str, tuple[str, Callable[[FeedHealth], float | None]]] = {
            "newswire_feed_items_last_poll": ("Entries in the feed at the last poll", lambda h: h.items_last_poll),
            "newswire_feed_new_items_last_poll": ("New entries at the last poll", lambda h: h.new_items_last_poll),
            "newswire_feed_not_modified_ratio": ("Share of polls answered 304", lambda h: h.not_modified_share),
            "newswire_feed_consecutive_failures": ("Failed polls in a row", lambda h: h.consecutive_failures),
            "newswire_feed_last_success_timestamp_seconds": (
                "Unix time of the last good poll",
                lambda h: h.last_success,
            ),
            "newswire_feed_last_error_timestamp_seconds": (
                "Unix time of the last failed poll",
                lambda h: h.last_error_at,
            ),
        }
        for name, (documentation, value_of) in gauges.items():
            gauge = GaugeMetricFamily(name, documentation, labels=["feed"])
            for health in feeds:
                value = value_of(health)
                if value is not None:
                    gauge.add_metric([health.name], float(value))
            yield gauge
