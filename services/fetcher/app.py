"""Fetcher app factory: feeds -> `fetcher.urls` -> pages -> `articles.raw`; failures to `fetcher.dlq`."""

from __future__ import annotations

import time
from typing import Any

import orjson
from faust.web import Request, Response, View
from mode.types.signals import BaseSignalT

from ..common.resources import manage
from ..common.runtime import ServiceRuntime
from ..common.services import default_port
from .client import PoliteFetcher
from .feed_state import KafkaFeedStateStore, feed_state_topic_spec
from .feedsfile import load_feeds
from .pages import PageFetcher
from .poller import FeedHealthCollector, FeedPoller
from .settings import FetcherSettings

DEFAULT_PORT = default_port("fetcher")


def create_app(settings: FetcherSettings) -> ServiceRuntime:
    runtime = ServiceRuntime("fetcher", settings, DEFAULT_PORT)
    options = settings.fetcher
    app = runtime.app
    queue_topic = runtime.topic(settings.topics.fetch_queue)
    raw_topic = runtime.topic(settings.topics.raw)
    feed_state_topic = feed_state_topic_spec(
        settings.topics.feed_state(settings.app_prefix), settings.kafka.replication_factor
    )
    runtime.expect_topics(settings.topics.fetch_queue, settings.topics.raw, feed_state_topic.name)
    feeds = load_feeds(options.feeds_file)
    fetcher = PoliteFetcher(options.policy)
    manage(app, "http-client", stop=fetcher.aclose)

    # Keyed like fetcher.urls and written through the producer's partitioner, so each entry lands in the
    # changelog partition of the instance that owns the article. The key type must be `bytes`: Faust
    # derives the changelog's key serializer from `key_type` alone (a Schema's serializer is ignored),
    # and any other type JSON-quotes the key, which hashes it to another partition; after a rebalance
    # the new owner would then recover a seen-table without those articles and emit them again.
    seen = app.Table(
        "seen-articles",
        default=None,
        partitions=settings.kafka.partitions,
        key_type=bytes,
        use_partitioner=True,
    )
    # Only the group's leader polls, so that N instances do not poll every feed N times; when it goes,
    # the next leader takes over after the rebalance from the feed states the last one wrote.
    feed_states = KafkaFeedStateStore(
        settings.bootstrap(), feed_state_topic, client_id=f"{settings.app_prefix}-fetcher-feed-state"
    )
    manage(app, "feed-state", start=feed_states.start, stop=feed_states.stop)
    poller = FeedPoller(
        runtime, fetcher, feeds, queue_topic, options, should_poll=app.is_leader, state_store=feed_states
    )
    runtime.metrics.registry.register(FeedHealthCollector(poller.schedule.all_health))
    pages = PageFetcher(runtime, fetcher, raw_topic, seen, options, queue_topic=queue_topic)

    @app.page("/feeds")
    async def feed_health(view: View, request: Request) -> Response:
        """What `newswire feeds status` prints. `polling` is false on an instance that is not the group's
        leader: its figures are those of its time as leader, if any. `partitions` are the fetcher.urls
        partitions this instance owns (and whose articles it de-duplicates)."""
        queue_name = settings.topics.fetch_queue
        owned = sorted(tp.partition for tp in app.consumer.assignment() if tp.topic == queue_name)
        body = {
            "service": runtime.service,
            "polling": app.is_leader(),
            "partitions": owned,
            "feeds": poller.health(),
        }
        return view.bytes(orjson.dumps(body), content_type="application/json")

    async def poll_feeds() -> None:
        await poller.run()

    app.task(poll_feeds)

    # Faust stops its producer before the app's other dependencies and cancels tasks last of all; the
    # poller has to stop while the producer still takes its entries (see `FeedPoller.stop`).
    async def stop_polling(app: Any, /, *args: Any, signal: BaseSignalT[Any], **kwargs: Any) -> None:
        await poller.stop()

    app.on_before_shutdown.connect(stop_polling)

    async def rebalance_started(app: Any, /, *args: Any, signal: BaseSignalT[Any], **kwargs: Any) -> None:
        poller.rebalance_started()

    async def rebalance_completed(app: Any, /, *args: Any, signal: BaseSignalT[Any], **kwargs: Any) -> None:
        poller.rebalance_completed()

    app.on_partitions_revoked.connect(rebalance_started)
    app.on_rebalance_complete.connect(rebalance_completed)

    @app.agent(queue_topic, name="fetch-pages")
    async def fetch_pages(stream: Any) -> None:
        await runtime.consume_concurrently(stream, options.page_read_ahead, pages.handle)

    async def expire_seen() -> None:
        pages.expire(time.time())

    app.timer(interval=3600.0)(expire_seen)

    return runtime
