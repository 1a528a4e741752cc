"""Fetcher app factory: feeds -> `fetcher.urls` -> pages -> `articles.raw`; failures to `fetcher.dlq`."""

from __future__ import annotations

import time
from typing import Any

import faust

from ..common.resources import manage
from ..common.runtime import ServiceRuntime
from .feedsfile import load_feeds
from .handlers import FeedPoller, PageFetcher
from .http import PoliteFetcher
from .settings import FetcherSettings

DEFAULT_PORT = 6061


def create_app(settings: FetcherSettings) -> ServiceRuntime:
    runtime = ServiceRuntime("fetcher", settings, DEFAULT_PORT)
    options = settings.fetcher
    app = runtime.app
    queue_topic = runtime.topic(settings.topics.fetch_queue)
    raw_topic = runtime.topic(settings.topics.raw)
    runtime.expect_topics(settings.topics.fetch_queue, settings.topics.raw)
    feeds = load_feeds(options.feeds_file)
    fetcher = PoliteFetcher(options.policy)
    manage(app, "http-client", stop=fetcher.aclose)

    # Keyed like fetcher.urls and written through the producer's partitioner, so each entry lands in the
    # changelog partition of the instance that owns the article.
    seen = app.Table(
        "seen-articles",
        default=None,
        partitions=settings.kafka.partitions,
        schema=faust.Schema(key_type=str, key_serializer="raw", value_serializer="json"),
        use_partitioner=True,
    )
    poller = FeedPoller(runtime, fetcher, feeds, queue_topic, options)
    pages = PageFetcher(runtime, fetcher, raw_topic, seen, options)

    async def poll_feeds() -> None:
        await poller.run()

    app.task(poll_feeds)

    @app.agent(queue_topic, name="fetch-pages")
    async def fetch_pages(stream: Any) -> None:
        async for batch in stream.take_events(options.page_concurrency, within=0.2):
            await pages.handle_batch(list(batch))

    async def expire_seen() -> None:
        pages.expire(time.time())

    app.timer(interval=3600.0)(expire_seen)

    return runtime
